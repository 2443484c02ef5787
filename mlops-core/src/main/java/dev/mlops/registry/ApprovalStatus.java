package dev.mlops.registry;

/** A model version's approval: {@code PENDING -> APPROVED | REJECTED}, decided once. */
public enum ApprovalStatus {
    PENDING,
    APPROVED,
    REJECTED
}
