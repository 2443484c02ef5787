package dev.mlops.registry;

/** How confidential a model (its artifact, data and code) is, from least to most. */
public enum Confidentiality {
    PUBLIC,
    INTERNAL,
    CONFIDENTIAL,
    RESTRICTED
}
