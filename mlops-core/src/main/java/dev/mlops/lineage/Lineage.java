package dev.mlops.lineage;

import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Queries and exports the lineage graph: dataset versions, runs, artifacts and model versions, with edges in the
 * direction data flows. Obtain it from {@code Mlops.lineage()}. Thread-safe.
 */
public interface Lineage {

    /**
     * The node an id names: {@link NodeRef#parse} for {@code dataset:}, {@code run:}, {@code artifact:} and
     * {@code model:NAME/VERSION}, and {@code model:NAME@ALIAS} resolved to the version the alias points at now.
     *
     * @throws dev.mlops.InvalidArgumentException when the id has none of these forms
     * @throws dev.mlops.NotFoundException when the model or its alias does not exist
     */
    NodeRef node(String id);

    /** Walks the graph from {@code query.root()}; the root is always in the answer, even with no edges. */
    LineageGraph query(LineageQuery query);

    /** What produced {@code node}, up to {@code maxDepth} edges back. */
    LineageGraph upstream(NodeRef node, int maxDepth);

    /** What {@code node} fed, up to {@code maxDepth} edges forward. */
    LineageGraph downstream(NodeRef node, int maxDepth);

    /** Impact analysis: everything downstream of {@code node}, at any depth up to {@link LineageQuery#MAX_DEPTH}. */
    LineageGraph impact(NodeRef node);

    /**
     * A shortest path along the edges from {@code from} to {@code to}, as its edges; empty when there is none within
     * {@code maxDepth} (1 to {@link LineageQuery#MAX_DEPTH}) edges. Edges are only followed in their own direction,
     * so there is a path from a dataset to the model trained on it, not back; the path from a node to itself is the
     * empty list.
     */
    Optional<List<LineageEdge>> path(NodeRef from, NodeRef to, int maxDepth);

    /** The graph as Graphviz DOT; deterministic, with names escaped so that any name stays inside its string. */
    String toDot(LineageGraph graph);

    /** The graph as a Mermaid flowchart; deterministic, with ids made safe and labels escaped. */
    String toMermaid(LineageGraph graph);

    /**
     * The OpenLineage RunEvents of a run (START, then COMPLETE, FAIL or ABORT once it ended), each a JSON text
     * valid against the OpenLineage 2-0-2 schema.
     *
     * @throws dev.mlops.NotFoundException when there is no such run
     */
    List<String> openLineageEvents(String runId);

    /** Writes the OpenLineage RunEvents of every run as JSON Lines; returns how many events were written. */
    long exportOpenLineage(OutputStream out);
}
