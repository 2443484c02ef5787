package dev.mlops.lineage;

import java.util.List;
import java.util.Objects;

/**
 * A subgraph of the lineage graph, the answer to a query. Nodes and edges are in a stable order (breadth-first from
 * the root, then by id), so the same store state gives the same output.
 *
 * @param root  the node the query started from
 * @param nodes the nodes reached, the root first
 * @param edges the edges between nodes of {@code nodes}
 */
public record LineageGraph(NodeRef root, List<NodeRef> nodes, List<LineageEdge> edges) {
    public LineageGraph {
        Objects.requireNonNull(root, "root");
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }
}
