package dev.mlops.internal.lineage;

import dev.mlops.internal.Context;
import dev.mlops.lineage.*;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/** PLACEHOLDER: replaced by the real implementation of {@link Lineage}. */
public class DefaultLineage implements Lineage {
    public DefaultLineage(Context context) {
    }

    @Override
    public LineageGraph query(LineageQuery query) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public LineageGraph upstream(NodeRef node, int maxDepth) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public LineageGraph downstream(NodeRef node, int maxDepth) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public LineageGraph impact(NodeRef node) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Optional<List<LineageEdge>> path(NodeRef from, NodeRef to, int maxDepth) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public String toDot(LineageGraph graph) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public String toMermaid(LineageGraph graph) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public List<String> openLineageEvents(String runId) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public long exportOpenLineage(OutputStream out) {
        throw new UnsupportedOperationException("placeholder");
    }
}
