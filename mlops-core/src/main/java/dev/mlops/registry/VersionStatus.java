package dev.mlops.registry;

/**
 * Where a model version's artifact is: registration is two-phase. A version is {@code PENDING} from registration
 * until its artifact is uploaded and its digest verified ({@code READY}), or until the upload fails
 * ({@code FAILED}, with a message). A version whose upload never finished (the process died) stays {@code PENDING}.
 * Only {@code PENDING -> READY} and {@code PENDING -> FAILED} are allowed.
 */
public enum VersionStatus {
    PENDING,
    READY,
    FAILED
}
