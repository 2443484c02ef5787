package dev.mlops.lineage;

import java.util.Objects;

/**
 * A directed edge of the lineage graph, pointing the way data flows.
 *
 * @param from the upstream node
 * @param to   the downstream node
 * @param kind {@link EdgeKind#INPUT} when {@code to} is a run that read {@code from}, {@link EdgeKind#OUTPUT} when
 *             {@code from} is a run that wrote {@code to}
 */
public record LineageEdge(NodeRef from, NodeRef to, EdgeKind kind) {
    public LineageEdge {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(kind, "kind");
    }
}
