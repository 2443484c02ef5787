package dev.mlops.internal.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a policy's guards remember about one model between windows: a plain immutable record, written and read by
 * {@link PolicyStateJson} without loss, so that any store can keep it. Lists are oldest first and bounded.
 *
 * @param windows             windows decided so far (failed evaluations not counted)
 * @param lastEvaluatedAt     the clock's time at the last decision (evaluation, approval or rejection)
 * @param windowsSinceRetrain windows decided since the last retrain decision (or since the first), for warm-up
 * @param rowsSinceRetrain    rows of those windows, for cooldown and new-row conditions
 * @param lastRetrainAt       the time of the last retrain decision
 * @param lastRetrainWindow   its window id
 * @param retrainTimes        the times of the last retrain decisions, at most {@value #MAX_RETRAIN_TIMES}, for budgets
 * @param triggerHistory      whether the conditions fired, per window since the last retrain, at most the hysteresis
 *                            length
 * @param consecutiveFailures failed retrains reported since the last success
 * @param lastFailureAt       when the last failure was reported
 * @param lastResultWindow    the window whose retrain result was reported last
 * @param pendingWindow       the window whose decision awaits approval
 * @param recentWindows       the last {@value #MAX_RECENT_WINDOWS} decided window ids
 * @param seenDatasetVersions input dataset versions listed by earlier windows, at most {@value #MAX_SEEN_VERSIONS}
 * @param detectorHistory     per decay condition (by {@link ConditionKeys#key fingerprint}), the outcome values since
 *                            its detector's last change
 * @param metricHistory       per metric condition over several windows (by fingerprint), the metric's last values
 *                            since the last retrain decision or model change
 * @param modelVersion        the serving model's version the last observation that named one reported
 * @param triggerKey          the fingerprint of the policy's top-level condition that {@code triggerHistory} belongs
 *                            to (empty in states written before it was recorded)
 * @param pendingTriggers     per one-shot condition ({@code schedule}, {@code new_input_version}, {@code decay}; by
 *                            fingerprint), the trigger that fired while a guard held the retrain back, kept until a
 *                            retrain decision consumes it
 * @param consumedTriggers    the pending triggers each retrain decision consumed, keyed by its window, a line break
 *                            and the condition's key (a key without line break: the latest retrain's), until its
 *                            result is reported: a failure puts them back as pending, so the next window
 *                            retrains for them again (after the back-off); a success drops them
 * @param detectorStates      per decay condition (by fingerprint) whose detector is one of the published ones, its
 *                            exact {@link dev.mlops.policy.DetectorState} as JSON, so the next window continues
 *                            exactly where this one stopped; such a condition keeps no {@code detectorHistory}
 */
public record PolicyState(long windows, Optional<Instant> lastEvaluatedAt, long windowsSinceRetrain,
        long rowsSinceRetrain, Optional<Instant> lastRetrainAt, Optional<String> lastRetrainWindow,
        List<Instant> retrainTimes, List<Boolean> triggerHistory, int consecutiveFailures,
        Optional<Instant> lastFailureAt, Optional<String> lastResultWindow, Optional<String> pendingWindow,
        List<String> recentWindows, List<String> seenDatasetVersions, Map<String, List<Double>> detectorHistory,
        Map<String, List<Double>> metricHistory, Optional<String> modelVersion, Optional<String> triggerKey,
        Map<String, Pending> pendingTriggers, Map<String, Pending> consumedTriggers,
        Map<String, String> detectorStates) {

    public static final int MAX_RETRAIN_TIMES = 1000;
    public static final int MAX_RECENT_WINDOWS = 1000;
    public static final int MAX_SEEN_VERSIONS = 1000;
    /** The most items (dataset versions) a pending trigger lists. */
    public static final int MAX_PENDING_ITEMS = 1000;

    /**
     * A trigger that fired while the retrain was held back.
     *
     * @param window the window in which it first fired while held
     * @param count  the ticks, new versions or detected changes pending (>= 1)
     * @param items  for {@code new_input_version}, the pending versions (at most {@value #MAX_PENDING_ITEMS}, the
     *               latest); empty otherwise
     */
    public record Pending(String window, long count, List<String> items) {
        public Pending {
            Objects.requireNonNull(window, "window");
            if (count < 1) {
                throw new IllegalArgumentException("a pending trigger counts at least 1, was " + count);
            }
            items = List.copyOf(tail(List.copyOf(items), MAX_PENDING_ITEMS));
        }
    }

    /** The state before the first window. */
    public static final PolicyState INITIAL = new PolicyState(0, Optional.empty(), 0, 0, Optional.empty(),
            Optional.empty(), List.of(), List.of(), 0, Optional.empty(), Optional.empty(), Optional.empty(),
            List.of(), List.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of());

    public PolicyState {
        Objects.requireNonNull(lastEvaluatedAt, "lastEvaluatedAt");
        Objects.requireNonNull(lastRetrainAt, "lastRetrainAt");
        Objects.requireNonNull(lastRetrainWindow, "lastRetrainWindow");
        retrainTimes = List.copyOf(retrainTimes);
        triggerHistory = List.copyOf(triggerHistory);
        Objects.requireNonNull(lastFailureAt, "lastFailureAt");
        Objects.requireNonNull(lastResultWindow, "lastResultWindow");
        Objects.requireNonNull(pendingWindow, "pendingWindow");
        recentWindows = List.copyOf(recentWindows);
        seenDatasetVersions = List.copyOf(seenDatasetVersions);
        detectorHistory = sortedCopy(detectorHistory);
        metricHistory = sortedCopy(metricHistory);
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(triggerKey, "triggerKey");
        pendingTriggers = Collections.unmodifiableMap(new TreeMap<>(pendingTriggers));
        consumedTriggers = Collections.unmodifiableMap(new TreeMap<>(consumedTriggers));
        detectorStates = Collections.unmodifiableMap(new TreeMap<>(detectorStates));
    }

    /** A state without consumed triggers and detector snapshots (as written before they were recorded). */
    public PolicyState(long windows, Optional<Instant> lastEvaluatedAt, long windowsSinceRetrain,
            long rowsSinceRetrain, Optional<Instant> lastRetrainAt, Optional<String> lastRetrainWindow,
            List<Instant> retrainTimes, List<Boolean> triggerHistory, int consecutiveFailures,
            Optional<Instant> lastFailureAt, Optional<String> lastResultWindow, Optional<String> pendingWindow,
            List<String> recentWindows, List<String> seenDatasetVersions, Map<String, List<Double>> detectorHistory,
            Map<String, List<Double>> metricHistory, Optional<String> modelVersion, Optional<String> triggerKey,
            Map<String, Pending> pendingTriggers) {
        this(windows, lastEvaluatedAt, windowsSinceRetrain, rowsSinceRetrain, lastRetrainAt, lastRetrainWindow,
                retrainTimes, triggerHistory, consecutiveFailures, lastFailureAt, lastResultWindow, pendingWindow,
                recentWindows, seenDatasetVersions, detectorHistory, metricHistory, modelVersion, triggerKey,
                pendingTriggers, Map.of(), Map.of());
    }

    /** This state with the consumed triggers replaced; everything else kept. */
    PolicyState withConsumed(Map<String, Pending> consumed) {
        return new PolicyState(windows, lastEvaluatedAt, windowsSinceRetrain, rowsSinceRetrain, lastRetrainAt,
                lastRetrainWindow, retrainTimes, triggerHistory, consecutiveFailures, lastFailureAt, lastResultWindow,
                pendingWindow, recentWindows, seenDatasetVersions, detectorHistory, metricHistory, modelVersion,
                triggerKey, pendingTriggers, consumed, detectorStates);
    }

    /** This state with the per-model histories and pending triggers replaced; everything else kept. */
    PolicyState withHistories(List<Boolean> triggerHistory, Optional<String> triggerKey,
            Map<String, List<Double>> detectorHistory, Map<String, List<Double>> metricHistory,
            Map<String, Pending> pendingTriggers) {
        return new PolicyState(windows, lastEvaluatedAt, windowsSinceRetrain, rowsSinceRetrain, lastRetrainAt,
                lastRetrainWindow, retrainTimes, triggerHistory, consecutiveFailures, lastFailureAt, lastResultWindow,
                pendingWindow, recentWindows, seenDatasetVersions, detectorHistory, metricHistory, modelVersion,
                triggerKey, pendingTriggers, consumedTriggers, this.detectorStates);
    }

    private static Map<String, List<Double>> sortedCopy(Map<String, List<Double>> map) {
        Map<String, List<Double>> h = new TreeMap<>();
        map.forEach((k, v) -> h.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(h);
    }

    /** The last {@code max} elements of {@code list} with {@code added} appended. */
    static <T> List<T> append(List<T> list, T added, int max) {
        List<T> out = new ArrayList<>(list);
        out.add(added);
        return tail(out, max);
    }

    /** The last {@code max} elements of {@code list}. */
    static <T> List<T> tail(List<T> list, int max) {
        return list.size() <= max ? list : new ArrayList<>(list.subList(list.size() - max, list.size()));
    }
}
