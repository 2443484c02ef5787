package dev.mlops;

/**
 * The stable error codes of {@link MlopsException}. The code names are a contract: they appear in the CLI's JSON
 * output and in the REST protocol's error bodies, and are never renamed.
 */
public enum ErrorCode {
    /** The named entity (run, dataset version, artifact, ...) does not exist. */
    NOT_FOUND,
    /** An entity with the same identity exists with different content. */
    ALREADY_EXISTS,
    /** The change contradicts the stored state (a write-once value, a stale expected version, a finished run). */
    CONFLICT,
    /** An argument is malformed, out of range or of the wrong format; the message names it. */
    INVALID_ARGUMENT,
    /** The caller is not allowed to do this. */
    PERMISSION_DENIED,
    /** The storage backend failed (I/O, database, network); the operation did not take effect. */
    STORAGE,
    /** Stored data failed an integrity check (a digest or hash chain mismatch). */
    INTEGRITY
}
