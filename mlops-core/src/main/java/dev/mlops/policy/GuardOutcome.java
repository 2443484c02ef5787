package dev.mlops.policy;

import java.util.Objects;

/**
 * One configured guard as checked for one observation. Immutable.
 *
 * @param guard  which guard
 * @param held   whether it would hold a retrain back now
 * @param reason the check in words with its numbers, for example
 *               {@code 3600 s since the last retrain (window w-4), minimum 86400 s}
 */
public record GuardOutcome(Guards.Guard guard, boolean held, String reason) {
    public GuardOutcome {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(reason, "reason");
    }
}
