package dev.mlops.lineage;

/** Which way to walk the lineage graph. */
public enum Direction {
    /** Against the edges: what produced a node. */
    UPSTREAM,
    /** Along the edges: what a node fed (impact analysis). */
    DOWNSTREAM,
    /** Both ways. */
    BOTH
}
