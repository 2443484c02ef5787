package dev.mlops.lineage;

/** Why an edge exists. Edges point the way data flows. */
public enum EdgeKind {
    /** {@code node -> run}: the run read the node. */
    INPUT,
    /** {@code run -> node}: the run wrote the node. */
    OUTPUT
}
