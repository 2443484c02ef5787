package dev.mlops.policy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What may hold back a retrain that a policy's conditions asked for, each optional. They are checked in the order of
 * {@link Guard}; a {@link Decision} lists every configured guard with its numbers and names the first that held.
 * Ranges are checked when the guards become part of a policy ({@code guards.cooldown.min_time must be >= 0}).
 * Immutable. See docs/policies.md, "Guards".
 *
 * @param hysteresis the conditions must have fired in {@code required} of the last {@code of} windows (this one
 *                   included, and it must fire too)
 * @param warmUp     the first {@code windows} windows after a retrain (or of a new model) cannot retrain
 * @param cooldown   minimum time and new rows since the last retrain decision
 * @param budget     at most {@code max} retrains in any period of {@code period} ending now
 * @param backoff    after a failed retrain, wait {@code initial * multiplier^(failures - 1)}, at most {@code max}
 * @param allowed    retrains only at these days and hours in a zone
 * @param approval   a positive decision waits for a person to approve it
 */
public record Guards(Optional<Hysteresis> hysteresis, Optional<WarmUp> warmUp, Optional<Cooldown> cooldown,
        Optional<Budget> budget, Optional<Backoff> backoff, Optional<AllowedTimes> allowed, boolean approval) {

    /** No guard: every window whose conditions fire retrains. */
    public static final Guards NONE = new Guards(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), false);

    public Guards {
        Objects.requireNonNull(hysteresis, "hysteresis");
        Objects.requireNonNull(warmUp, "warmUp");
        Objects.requireNonNull(cooldown, "cooldown");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(allowed, "allowed");
    }

    /**
     * The conditions fired in at least {@code required} of the last {@code of} windows, this one included (and this
     * one must fire). {@code required == of} means that many consecutive windows. {@code of} is at most
     * {@value #MAX_OF}.
     */
    public record Hysteresis(int required, int of) {
        /** The longest history a hysteresis guard may look at. */
        public static final int MAX_OF = 1000;
    }

    /** The first {@code windows} windows of a model (since the last retrain decision, or the first window) cannot retrain. */
    public record WarmUp(int windows) {
    }

    /**
     * After a retrain decision, the next needs at least {@code minTime} (>= 0) and at least {@code minRows} (>= 0)
     * new rows (this window's included).
     */
    public record Cooldown(Duration minTime, long minRows) {
        public Cooldown {
            Objects.requireNonNull(minTime, "minTime");
        }
    }

    /** At most {@code max} retrain decisions in any {@code period} ending now. */
    public record Budget(int max, Duration period) {
        public Budget {
            Objects.requireNonNull(period, "period");
        }
    }

    /**
     * After {@code n} consecutive failed retrains (reported with {@link RetrainingPolicies#recordResult}), no retrain
     * until {@code min(initial * multiplier^(n - 1), max)} after the last failure; a success resets {@code n}.
     */
    public record Backoff(Duration initial, double multiplier, Duration max) {
        public Backoff {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
        }
    }

    /** Retrains only inside one of {@code windows}, read in {@code zone}. */
    public record AllowedTimes(ZoneId zone, List<TimeWindow> windows) {
        public AllowedTimes {
            Objects.requireNonNull(zone, "zone");
            windows = List.copyOf(windows);
        }
    }

    /**
     * On one of {@code days}, from {@code from} (inclusive) to {@code to} (exclusive) local time; when {@code to} is
     * before {@code from} the window runs past midnight into the next day (the day named is the one it starts on).
     * {@code days} iterates Monday first.
     */
    public record TimeWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        public TimeWindow {
            EnumSet<DayOfWeek> copy = EnumSet.noneOf(DayOfWeek.class);
            copy.addAll(days);
            days = Collections.unmodifiableSet(copy);
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /** The guards in the order they are checked. */
    public enum Guard {
        HYSTERESIS("hysteresis"),
        WARM_UP("warm_up"),
        APPROVAL_PENDING("approval_pending"),
        COOLDOWN("cooldown"),
        BACKOFF("backoff"),
        BUDGET("budget"),
        ALLOWED_TIMES("allowed_times"),
        APPROVAL("approval");

        private final String id;

        Guard(String id) {
            this.id = id;
        }

        /** The name in JSON. */
        public String id() {
            return id;
        }
    }
}
