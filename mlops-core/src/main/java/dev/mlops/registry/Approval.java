package dev.mlops.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * The approval decision on a model version.
 *
 * @param status {@code PENDING} until decided
 * @param actor  who decided; null while {@code PENDING}
 * @param time   when (milliseconds); null while {@code PENDING}
 * @param reason why, as given by the approver; null while {@code PENDING}
 */
public record Approval(ApprovalStatus status, String actor, Instant time, String reason) {
    /** The approval of a version nobody has decided on yet. */
    public static final Approval PENDING = new Approval(ApprovalStatus.PENDING, null, null, null);

    public Approval {
        Objects.requireNonNull(status, "status");
        if (status == ApprovalStatus.PENDING) {
            if (actor != null || time != null || reason != null) {
                throw new IllegalArgumentException("a PENDING approval has no actor, time or reason");
            }
        } else {
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A decision ({@code APPROVED} or {@code REJECTED}). */
    public static Approval decided(ApprovalStatus status, String actor, Instant time, String reason) {
        if (status == ApprovalStatus.PENDING) {
            throw new IllegalArgumentException("a decision is APPROVED or REJECTED, not PENDING");
        }
        return new Approval(status, actor, time, reason);
    }
}
