package dev.mlops.lineage;

import java.util.Locale;

/** The kinds of node in the lineage graph; the lower-case name is the prefix of a {@link NodeRef} id. */
public enum NodeKind {
    /** A dataset version: {@code dataset:NAME@sha256:HEX}. */
    DATASET,
    /** A run: {@code run:RUN_ID}. */
    RUN,
    /** A registered model version: {@code model:NAME/VERSION}. */
    MODEL,
    /** A stored artifact (for example a model file) that is not a registered model version:
     *  {@code artifact:NAME@sha256:HEX}. */
    ARTIFACT;

    /** The id prefix, for example {@code "dataset"}. */
    public String prefix() {
        return name().toLowerCase(Locale.ROOT);
    }
}
