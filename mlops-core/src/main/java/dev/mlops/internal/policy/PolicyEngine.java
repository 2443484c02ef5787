package dev.mlops.internal.policy;

import static dev.mlops.internal.policy.ConditionEvaluator.num;

import dev.mlops.ConflictException;
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.GuardOutcome;
import dev.mlops.policy.Guards;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure evaluation of retraining policies: {@code (policy, state, observation, clock) -> (decision, new state)}.
 * Nothing is read or written outside the arguments, and the clock is read once per call, so the same arguments give
 * an equal result; a backtest replays a history through {@link #evaluate} with a clock set to each observation's time.
 * A clock earlier than the state's last evaluation, or a window the state already decided, gives a
 * {@link Decision.Status#FAILED} decision and the state unchanged. Stateless and thread-safe. See docs/policies.md.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    /** A decision and the state after it. */
    public record Evaluation(Decision decision, PolicyState state) {
        public Evaluation {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(state, "state");
        }
    }

    /** Decides one window. */
    public static Evaluation evaluate(RetrainingPolicy policy, PolicyState stored, Observation obs, Clock clock,
            DetectorFactory detectors) {
        Instant now = clock.instant();
        if (stored.lastEvaluatedAt().isPresent() && now.isBefore(stored.lastEvaluatedAt().get())) {
            return failed(policy, obs, now, stored, "the clock went backwards: now "
                    + now + " is before the last evaluation at " + stored.lastEvaluatedAt().get()
                    + "; nothing was decided, evaluate the window again later");
        }
        if (stored.recentWindows().contains(obs.windowId())) {
            return failed(policy, obs, now, stored, "window '" + obs.windowId()
                    + "' was already decided; a window is decided once");
        }
        String triggerKey = ConditionKeys.key(policy.trigger());
        PolicyState state = forTrigger(forModel(stored, obs), triggerKey);
        ConditionEvaluator conditions = new ConditionEvaluator(obs, state, now, detectors);
        boolean triggered = conditions.evaluate(policy.trigger());
        long windowsSince = state.windowsSinceRetrain() + 1;
        long rowsSince = state.rowsSinceRetrain() + obs.rows();
        Guards g = policy.guards();
        int historyLength = g.hysteresis().map(Guards.Hysteresis::of).orElse(0);
        List<Boolean> history = historyLength == 0 ? List.of()
                : PolicyState.append(state.triggerHistory(), triggered, historyLength);

        List<GuardOutcome> guards = new ArrayList<>();
        g.hysteresis().ifPresent(h -> {
            long fired = history.stream().filter(b -> b).count();
            guards.add(new GuardOutcome(Guard.HYSTERESIS, !triggered || fired < h.required(), "fired in " + fired
                    + " of the last " + history.size() + " windows" + (history.size() < h.of() ? " (of " + h.of()
                    + " once there are that many)" : "") + ", " + h.required() + " required"
                    + (triggered ? "" : ", and not in this one")));
        });
        g.warmUp().ifPresent(w -> guards.add(new GuardOutcome(Guard.WARM_UP, windowsSince <= w.windows(),
                windowsSince <= w.windows()
                        ? "window " + windowsSince + " of the model's first " + w.windows() + " (warm-up)"
                        : "window " + windowsSince + " since the last retrain, after the warm-up of " + w.windows())));
        if (g.approval() || state.pendingWindow().isPresent()) {
            guards.add(new GuardOutcome(Guard.APPROVAL_PENDING, state.pendingWindow().isPresent(),
                    state.pendingWindow().map(w -> "window '" + w + "' awaits approval")
                            .orElse("no decision awaits approval")));
        }
        g.cooldown().ifPresent(c -> guards.add(cooldown(c, state, now, rowsSince)));
        g.backoff().ifPresent(b -> guards.add(backoff(b, state, now)));
        g.budget().ifPresent(b -> guards.add(budget(b, state, now)));
        g.allowed().ifPresent(a -> guards.add(allowed(a, now)));
        if (g.approval()) {
            guards.add(new GuardOutcome(Guard.APPROVAL, true, "a person must approve each retrain"));
        }

        Decision.Status status;
        Optional<Guard> heldBy = Optional.empty();
        String reason;
        ConditionOutcome root = conditions.outcomes().get(0);
        String fired = firedLeaves(conditions.outcomes());
        if (!triggered) {
            status = Decision.Status.NO_RETRAIN;
            reason = "no retrain: " + root.description() + " needed, " + root.note().orElse("") + describeFired(fired);
        } else {
            Optional<GuardOutcome> holding = guards.stream()
                    .filter(o -> o.held() && o.guard() != Guard.APPROVAL).findFirst();
            if (holding.isPresent()) {
                status = Decision.Status.HELD;
                heldBy = Optional.of(holding.get().guard());
                reason = "retrain wanted (" + fired + ") but held by " + holding.get().guard().id() + ": "
                        + holding.get().reason();
            } else if (g.approval()) {
                status = Decision.Status.AWAITING_APPROVAL;
                heldBy = Optional.of(Guard.APPROVAL);
                reason = "retrain wanted (" + fired + "), awaiting a person's approval";
            } else {
                status = Decision.Status.RETRAIN;
                reason = "retrain: " + fired;
            }
        }
        Decision decision = new Decision(policy.name(), policy.version(), obs.model(), obs.windowId(), obs.time(), now,
                status, triggered, conditions.outcomes(), guards, heldBy, Optional.empty(), reason,
                obs.modelVersion());

        Set<String> seen = new LinkedHashSet<>(state.seenDatasetVersions());
        seen.addAll(obs.datasetVersions());
        List<String> seenList = PolicyState.tail(new ArrayList<>(seen), PolicyState.MAX_SEEN_VERSIONS);
        List<String> recent = PolicyState.append(state.recentWindows(), obs.windowId(),
                PolicyState.MAX_RECENT_WINDOWS);
        // a trigger that fired while a guard other than the hysteresis held the retrain back (or that awaits
        // approval) stays pending until a retrain decision consumes it; the hysteresis exists to drop triggers that
        // do not persist, so what it holds back is not kept, nor is what fired without a retrain being wanted
        boolean keep = status == Decision.Status.AWAITING_APPROVAL
                || (status == Decision.Status.HELD && heldBy.orElseThrow() != Guard.HYSTERESIS);
        Map<String, PolicyState.Pending> pending = keep ? conditions.firedTriggers() : conditions.carriedTriggers();
        PolicyState next = new PolicyState(state.windows() + 1, Optional.of(now), windowsSince, rowsSince,
                state.lastRetrainAt(), state.lastRetrainWindow(), state.retrainTimes(), history,
                state.consecutiveFailures(), state.lastFailureAt(), state.lastResultWindow(),
                status == Decision.Status.AWAITING_APPROVAL ? Optional.of(obs.windowId()) : state.pendingWindow(),
                recent, seenList, conditions.histories(), conditions.metricHistories(), state.modelVersion(),
                Optional.of(triggerKey), pending, state.consumedTriggers(), conditions.detectorStates());
        if (status == Decision.Status.RETRAIN) {
            next = retrained(next, obs.windowId(), now, conditions.firedTriggers());
        }
        return new Evaluation(decision, next);
    }

    /**
     * The state after a retrain decided at {@code now}: the counters since the last retrain start again, the
     * histories are cleared and the pending triggers consumed; {@code consumed}, the one-shot triggers this retrain
     * is for, are remembered under its window until its result is reported, beside those of earlier retrains not yet
     * reported (those of a retrain whose window left {@link PolicyState#recentWindows()} are dropped, which bounds
     * them).
     */
    private static PolicyState retrained(PolicyState s, String windowId, Instant now,
            Map<String, PolicyState.Pending> consumed) {
        Map<String, PolicyState.Pending> kept = new TreeMap<>();
        Set<String> recent = Set.copyOf(s.recentWindows());
        consumedByKey(s).forEach((k, p) -> {
            if (recent.contains(retrainWindowOf(s, k))) {
                kept.put(k, p);
            }
        });
        consumed.forEach((k, p) -> kept.put(consumedKey(windowId, k), p));
        return new PolicyState(s.windows(), Optional.of(now), 0, 0, Optional.of(now), Optional.of(windowId),
                PolicyState.append(s.retrainTimes(), now, PolicyState.MAX_RETRAIN_TIMES), List.of(),
                s.consecutiveFailures(), s.lastFailureAt(), s.lastResultWindow(), Optional.empty(),
                s.recentWindows(), s.seenDatasetVersions(), Map.of(), Map.of(), s.modelVersion(), s.triggerKey(),
                Map.of(), kept, Map.of());
    }

    /**
     * The key of a consumed trigger in {@link PolicyState#consumedTriggers()}: the retrain's window, a line break
     * (which a window id cannot hold) and the condition's key. A key without line break, as states written before
     * retrains were kept apart hold, belongs to the state's latest retrain.
     */
    static String consumedKey(String retrainWindow, String conditionKey) {
        return retrainWindow + "\n" + conditionKey;
    }

    /** The retrain window a consumed trigger's key belongs to. */
    static String retrainWindowOf(PolicyState s, String key) {
        int i = key.indexOf('\n');
        return i < 0 ? s.lastRetrainWindow().orElse("") : key.substring(0, i);
    }

    /** The condition key of a consumed trigger's key. */
    static String conditionKeyOf(String key) {
        return key.substring(key.indexOf('\n') + 1);
    }

    /** The state's consumed triggers, every key with its retrain window. */
    private static Map<String, PolicyState.Pending> consumedByKey(PolicyState s) {
        Map<String, PolicyState.Pending> out = new TreeMap<>();
        s.consumedTriggers().forEach((k, p) -> out.put(consumedKey(retrainWindowOf(s, k), conditionKeyOf(k)), p));
        return out;
    }

    /**
     * The state for the policy's top-level condition: when it changed (another policy version, conditions edited or
     * reordered), the hysteresis history, which records whether the old conditions fired, starts again.
     */
    private static PolicyState forTrigger(PolicyState state, String triggerKey) {
        if (state.triggerKey().isEmpty() || state.triggerKey().get().equals(triggerKey)) {
            return state;
        }
        return state.withHistories(List.of(), Optional.of(triggerKey), state.detectorHistory(), state.metricHistory(),
                state.pendingTriggers());
    }

    /**
     * The state for the observation's serving model. When the observation names a model version other than the one
     * the state recorded, the per-model history starts again: the metric windows, the detector histories and
     * states, the hysteresis history and the pending decay detections (they measured the previous model); the guards' state
     * (cooldown, budget, warm-up, back-off, approval), pending schedule ticks and input versions are kept. An
     * observation without a model version changes nothing; the first version named is recorded without a reset.
     */
    static PolicyState forModel(PolicyState state, Observation obs) {
        if (obs.modelVersion().isEmpty() || obs.modelVersion().equals(state.modelVersion())) {
            return state;
        }
        PolicyState s = state;
        if (state.modelVersion().isPresent()) {
            Map<String, PolicyState.Pending> pending = new TreeMap<>(state.pendingTriggers());
            pending.keySet().removeIf(k -> ConditionKeys.isOfType(k, "decay"));
            Map<String, PolicyState.Pending> consumed = new TreeMap<>(state.consumedTriggers());
            consumed.keySet().removeIf(k -> ConditionKeys.isOfType(conditionKeyOf(k), "decay"));
            s = state.withHistories(List.of(), state.triggerKey(), Map.of(), Map.of(), pending)
                    .withConsumed(consumed);
        }
        return new PolicyState(s.windows(), s.lastEvaluatedAt(), s.windowsSinceRetrain(), s.rowsSinceRetrain(),
                s.lastRetrainAt(), s.lastRetrainWindow(), s.retrainTimes(), s.triggerHistory(),
                s.consecutiveFailures(), s.lastFailureAt(), s.lastResultWindow(), s.pendingWindow(),
                s.recentWindows(), s.seenDatasetVersions(), s.detectorHistory(), s.metricHistory(), obs.modelVersion(),
                s.triggerKey(), s.pendingTriggers(), s.consumedTriggers(),
                state.modelVersion().isPresent() ? Map.of() : s.detectorStates());
    }

    /**
     * Approves {@code pending}, the decision that awaits approval: a {@link Decision.Status#RETRAIN} decision for the
     * same window, decided now; the guards' clocks start now.
     *
     * @throws ConflictException when {@code pending} is not the state's decision awaiting approval
     */
    public static Evaluation approve(PolicyState state, Decision pending, String actor, Clock clock) {
        return settle(state, pending, actor, clock, true, "");
    }

    /**
     * Rejects {@code pending}: a {@link Decision.Status#REJECTED} decision; nothing retrains.
     *
     * @throws ConflictException when {@code pending} is not the state's decision awaiting approval
     */
    public static Evaluation reject(PolicyState state, Decision pending, String actor, String why, Clock clock) {
        return settle(state, pending, actor, clock, false, why);
    }

    private static Evaluation settle(PolicyState state, Decision pending, String actor, Clock clock, boolean approve,
            String why) {
        if (pending.status() != Decision.Status.AWAITING_APPROVAL
                || !state.pendingWindow().equals(Optional.of(pending.windowId()))) {
            throw new ConflictException("window '" + pending.windowId() + "' of policy '" + pending.policy()
                    + "' for model '" + pending.model() + "' does not await approval (its decision is "
                    + pending.status().id() + ")");
        }
        Instant now = clock.instant();
        if (state.lastEvaluatedAt().isPresent() && now.isBefore(state.lastEvaluatedAt().get())) {
            return new Evaluation(new Decision(pending.policy(), pending.policyVersion(), pending.model(),
                    pending.windowId(), pending.observedAt(), now, Decision.Status.FAILED, pending.triggered(),
                    pending.conditions(), pending.guards(), Optional.empty(), Optional.of(actor),
                    "the clock went backwards: now " + now + " is before the last evaluation at "
                            + state.lastEvaluatedAt().get() + "; the decision still awaits approval",
                    pending.modelVersion()), state);
        }
        Decision decision = new Decision(pending.policy(), pending.policyVersion(), pending.model(),
                pending.windowId(), pending.observedAt(), now,
                approve ? Decision.Status.RETRAIN : Decision.Status.REJECTED, pending.triggered(),
                pending.conditions(), pending.guards(), Optional.empty(), Optional.of(actor),
                approve ? "retrain approved by " + actor + "; " + pending.reason()
                        : "retrain rejected by " + actor + (why.isEmpty() ? "" : ": " + why),
                pending.modelVersion());
        // a rejection consumes the pending triggers too: a person decided against retraining for them
        PolicyState cleared = new PolicyState(state.windows(), Optional.of(now), state.windowsSinceRetrain(),
                state.rowsSinceRetrain(), state.lastRetrainAt(), state.lastRetrainWindow(), state.retrainTimes(),
                state.triggerHistory(), state.consecutiveFailures(), state.lastFailureAt(), state.lastResultWindow(),
                Optional.empty(), state.recentWindows(), state.seenDatasetVersions(), state.detectorHistory(),
                state.metricHistory(), state.modelVersion(), state.triggerKey(),
                approve ? state.pendingTriggers() : Map.of(), state.consumedTriggers(), state.detectorStates());
        return new Evaluation(decision, approve ? retrained(cleared, pending.windowId(), now,
                state.pendingTriggers()) : cleared);
    }

    /**
     * The state after the retrain of {@code windowId} ended: a failure puts the one-shot triggers that retrain
     * consumed back as pending (so the next window retrains for them again, once the back-off lets it), a success
     * drops them. Only the latest retrain drives the back-off (a failure counts towards it, a success ends it): the
     * result of an earlier retrain (retrains that overlapped) only gives back or drops its own triggers. Reporting a
     * window again changes nothing. The caller checks that {@code windowId} decided a retrain.
     */
    public static PolicyState recordResult(PolicyState state, String windowId, boolean succeeded, Clock clock) {
        Map<String, PolicyState.Pending> mine = new TreeMap<>();
        Map<String, PolicyState.Pending> rest = new TreeMap<>();
        consumedByKey(state).forEach((k, p) -> {
            if (retrainWindowOf(state, k).equals(windowId)) {
                mine.put(conditionKeyOf(k), p);
            } else {
                rest.put(k, p);
            }
        });
        Map<String, PolicyState.Pending> pending = succeeded ? state.pendingTriggers()
                : restore(state.pendingTriggers(), mine);
        if (!state.lastRetrainWindow().equals(Optional.of(windowId))) {
            if (mine.isEmpty()) {
                return state;
            }
            return new PolicyState(state.windows(), state.lastEvaluatedAt(), state.windowsSinceRetrain(),
                    state.rowsSinceRetrain(), state.lastRetrainAt(), state.lastRetrainWindow(), state.retrainTimes(),
                    state.triggerHistory(), state.consecutiveFailures(), state.lastFailureAt(),
                    state.lastResultWindow(), state.pendingWindow(), state.recentWindows(),
                    state.seenDatasetVersions(), state.detectorHistory(), state.metricHistory(), state.modelVersion(),
                    state.triggerKey(), pending, rest, state.detectorStates());
        }
        if (state.lastResultWindow().equals(Optional.of(windowId))) {
            return state;
        }
        Instant now = clock.instant();
        return new PolicyState(state.windows(), state.lastEvaluatedAt(), state.windowsSinceRetrain(),
                state.rowsSinceRetrain(), state.lastRetrainAt(), state.lastRetrainWindow(), state.retrainTimes(),
                state.triggerHistory(), succeeded ? 0 : state.consecutiveFailures() + 1,
                succeeded ? Optional.empty() : Optional.of(now), Optional.of(windowId), state.pendingWindow(),
                state.recentWindows(), state.seenDatasetVersions(), state.detectorHistory(), state.metricHistory(),
                state.modelVersion(), state.triggerKey(), pending, rest, state.detectorStates());
    }

    /**
     * {@code pending} with the triggers a failed retrain consumed put back: per key the counts add up, the window
     * is the earlier one (the consumed trigger's) and the consumed items come first.
     */
    private static Map<String, PolicyState.Pending> restore(Map<String, PolicyState.Pending> pending,
            Map<String, PolicyState.Pending> consumed) {
        Map<String, PolicyState.Pending> out = new TreeMap<>(pending);
        consumed.forEach((key, c) -> out.merge(key, c, (p, old) -> {
            List<String> items = new ArrayList<>(old.items());
            items.addAll(p.items());
            return new PolicyState.Pending(old.window(), old.count() + p.count(), items);
        }));
        return out;
    }

    /** A FAILED decision for the observation (with the model version it names) and the state unchanged. */
    private static Evaluation failed(RetrainingPolicy policy, Observation obs, Instant now, PolicyState state,
            String reason) {
        return new Evaluation(new Decision(policy.name(), policy.version(), obs.model(), obs.windowId(), obs.time(),
                now, Decision.Status.FAILED, false, List.of(), List.of(), Optional.empty(), Optional.empty(), reason,
                obs.modelVersion()), state);
    }

    private static String firedLeaves(List<ConditionOutcome> outcomes) {
        List<String> out = new ArrayList<>();
        for (ConditionOutcome o : outcomes) {
            boolean combination = o.type().equals("any_of") || o.type().equals("all_of")
                    || o.type().equals("at_least");
            if (o.fired() && !combination) {
                out.add(o.path() + " " + o.description() + " (" + num(o.measured().getAsDouble()) + ")");
            }
        }
        return String.join("; ", out);
    }

    private static String describeFired(String fired) {
        return fired.isEmpty() ? "" : " (" + fired + ")";
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private static GuardOutcome cooldown(Guards.Cooldown c, PolicyState state, Instant now, long rowsSince) {
        if (state.lastRetrainAt().isEmpty()) {
            return new GuardOutcome(Guard.COOLDOWN, false, "no retrain yet");
        }
        // the last retrain is never later than now: it was decided at an evaluation (or approval) whose time is the
        // state's last evaluation, and an evaluation at a clock earlier than that decides nothing (FAILED)
        double elapsed = seconds(Duration.between(state.lastRetrainAt().get(), now));
        boolean timeHeld = elapsed < seconds(c.minTime());
        boolean rowsHeld = rowsSince < c.minRows();
        return new GuardOutcome(Guard.COOLDOWN, timeHeld || rowsHeld, num(elapsed) + " s since the last retrain at "
                + state.lastRetrainAt().get() + " (window '" + state.lastRetrainWindow().orElse("") + "'), minimum "
                + num(seconds(c.minTime())) + " s; " + rowsSince + " rows since, minimum " + c.minRows());
    }

    private static String skew(Instant recorded, Instant now) {
        return "clock skew, not waiting: now " + now + " is " + num(seconds(Duration.between(now, recorded)))
                + " s before ";
    }

    /** The back-off wait after {@code failures} consecutive failures, in seconds. */
    static double backoffSeconds(Guards.Backoff b, int failures) {
        double wait = seconds(b.initial()) * Math.pow(b.multiplier(), failures - 1);
        return Math.min(wait, seconds(b.max()));
    }

    private static GuardOutcome backoff(Guards.Backoff b, PolicyState state, Instant now) {
        int n = state.consecutiveFailures();
        if (n == 0 || state.lastFailureAt().isEmpty()) {
            return new GuardOutcome(Guard.BACKOFF, false, "no failed retrain since the last success");
        }
        double wait = backoffSeconds(b, n);
        double elapsed = seconds(Duration.between(state.lastFailureAt().get(), now));
        if (elapsed < 0) {
            // a failure recorded later than now (another clock reported it): clock skew, so the back-off does not
            // hold; otherwise it would hold until this clock passes the other one's time
            return new GuardOutcome(Guard.BACKOFF, false, n + " failed retrain" + (n == 1 ? "" : "s")
                    + " in a row; " + skew(state.lastFailureAt().get(), now) + "the last failure at "
                    + state.lastFailureAt().get());
        }
        return new GuardOutcome(Guard.BACKOFF, elapsed < wait, n + " failed retrain" + (n == 1 ? "" : "s")
                + " in a row, the last at " + state.lastFailureAt().get() + "; wait " + num(wait) + " s ("
                + num(seconds(b.initial())) + " s x " + num(b.multiplier()) + "^" + (n - 1) + ", at most "
                + num(seconds(b.max())) + " s), " + num(elapsed) + " s passed");
    }

    private static GuardOutcome budget(Guards.Budget b, PolicyState state, Instant now) {
        Instant since = now.minus(b.period());
        long used = state.retrainTimes().stream().filter(t -> t.isAfter(since) && !t.isAfter(now)).count();
        return new GuardOutcome(Guard.BUDGET, used >= b.max(), used + " retrain" + (used == 1 ? "" : "s")
                + " in the " + b.period() + " since " + since + ", at most " + b.max());
    }

    private static GuardOutcome allowed(Guards.AllowedTimes a, Instant now) {
        ZonedDateTime local = now.atZone(a.zone());
        DayOfWeek day = local.getDayOfWeek();
        LocalTime time = local.toLocalTime();
        String at = day + " " + time + " in " + a.zone().getId();
        for (int i = 0; i < a.windows().size(); i++) {
            Guards.TimeWindow w = a.windows().get(i);
            boolean inside;
            if (w.from().isBefore(w.to())) {
                inside = w.days().contains(day) && !time.isBefore(w.from()) && time.isBefore(w.to());
            } else {
                inside = (w.days().contains(day) && !time.isBefore(w.from()))
                        || (w.days().contains(day.minus(1)) && time.isBefore(w.to()));
            }
            if (inside) {
                return new GuardOutcome(Guard.ALLOWED_TIMES, false, at + " is inside allowed window " + i + " ("
                        + w.days() + " " + w.from() + "-" + w.to() + ")");
            }
        }
        return new GuardOutcome(Guard.ALLOWED_TIMES, true, at + " is outside the allowed times");
    }
}
