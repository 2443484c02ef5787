package dev.mlops.security;

/**
 * What a principal may do with a model. {@code ADMIN} implies every other permission; the others imply nothing.
 */
public enum Permission {
    /** See the model, its versions, aliases and governance record. */
    READ,
    /** Create the model, register versions, change descriptions, tags and the governance record. */
    WRITE,
    /** Approve or reject versions. */
    APPROVE,
    /** Set, move and delete aliases. */
    MOVE_ALIAS,
    /** Everything, including deleting versions and erasing audit data. */
    ADMIN
}
