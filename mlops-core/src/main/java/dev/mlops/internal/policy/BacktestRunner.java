package dev.mlops.internal.policy;

import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Backtest;
import dev.mlops.policy.BacktestResult;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The replay behind {@link Backtest}: {@link PolicyEngine} over a history, nothing stored. Stateless. */
public final class BacktestRunner {
    private BacktestRunner() {
    }

    /** A retrain decided but not yet effective. */
    private record Pending(Decision decision, int index, int effectIndex) {
    }

    /** Replays {@code history}; see {@link Backtest#run}. {@code changePoints} are sorted and distinct. */
    public static BacktestResult run(RetrainingPolicy policy, DetectorFactory detectors, int delay,
            Predicate<Decision> succeeds, boolean autoApprove, List<Instant> changePoints, List<Observation> history) {
        check(history);
        PolicyState state = PolicyState.INITIAL;
        List<Decision> timeline = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        List<BacktestResult.Retrain> retrains = new ArrayList<>();
        Map<String, Integer> heldBy = new TreeMap<>();
        for (int i = 0; i < history.size(); i++) {
            Observation obs = history.get(i);
            Clock clock = Clock.fixed(obs.time(), ZoneOffset.UTC);
            state = settle(pending, retrains, state, i, clock, succeeds);
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(policy, state, obs, clock, detectors);
            Decision d = e.decision();
            state = e.state();
            if (d.status() == Decision.Status.AWAITING_APPROVAL && autoApprove) {
                e = PolicyEngine.approve(state, d, Backtest.ACTOR, clock);
                d = e.decision();
                state = e.state();
            }
            timeline.add(d);
            d.heldBy().ifPresent(g -> heldBy.merge(g.id(), 1, Integer::sum));
            if (d.retrain()) {
                pending.add(new Pending(d, i, i + delay));
                retrains.add(null);
                state = settle(pending, retrains, state, i, clock, succeeds);
            }
        }
        for (Pending p : pending) {
            retrains.set(retrainSlot(retrains), new BacktestResult.Retrain(p.decision().windowId(), p.index(),
                    p.decision().observedAt(), Optional.empty(), Optional.empty()));
        }
        Instant start = history.get(0).time();
        Instant end = history.get(history.size() - 1).time();
        List<BacktestResult.Detection> detections = new ArrayList<>();
        for (int c = 0; c < changePoints.size(); c++) {
            Instant next = c + 1 < changePoints.size() ? changePoints.get(c + 1) : null;
            detections.add(detection(changePoints.get(c), next, history, timeline, retrains, end));
        }
        return new BacktestResult(policy.name(), policy.version(), history.get(0).model(), start, end, timeline,
                retrains, heldBy, detections);
    }

    /** The first slot of a retrain not settled yet (they settle in decision order). */
    private static int retrainSlot(List<BacktestResult.Retrain> retrains) {
        return retrains.indexOf(null);
    }

    /** Settles the pending retrains that take effect at window {@code i}, reporting each result to the policy. */
    private static PolicyState settle(List<Pending> pending, List<BacktestResult.Retrain> retrains, PolicyState state,
            int i, Clock clock, Predicate<Decision> succeeds) {
        while (!pending.isEmpty() && pending.get(0).effectIndex() <= i) {
            Pending p = pending.remove(0);
            boolean ok = succeeds.test(p.decision());
            try {
                state = PolicyEngine.recordResult(state, p.decision().windowId(), ok, clock);
            } catch (ConflictException e) {
                // a later retrain was decided meanwhile: the back-off follows the latest one only (as Retraining does)
            }
            retrains.set(retrainSlot(retrains), new BacktestResult.Retrain(p.decision().windowId(), p.index(),
                    p.decision().observedAt(), Optional.of(clock.instant()), Optional.of(ok)));
        }
        return state;
    }

    private static BacktestResult.Detection detection(Instant change, Instant next, List<Observation> history,
            List<Decision> timeline, List<BacktestResult.Retrain> retrains, Instant end) {
        int first = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).time().isAfter(change)) {
                first = i;
                break;
            }
        }
        Optional<String> by = Optional.empty();
        Optional<Duration> delay = Optional.empty();
        OptionalInt windows = OptionalInt.empty();
        if (first >= 0) {
            for (int i = first; i < timeline.size(); i++) {
                Decision d = timeline.get(i);
                if (next != null && history.get(i).time().isAfter(next)) {
                    break;
                }
                if (d.retrain()) {
                    by = Optional.of(d.windowId());
                    delay = Optional.of(Duration.between(change, history.get(i).time()));
                    windows = OptionalInt.of(i - first + 1);
                    break;
                }
            }
        }
        Optional<Instant> fixed = Optional.empty();
        for (BacktestResult.Retrain r : retrains) {
            if (r.decidedAt().isAfter(change) && r.succeeded().orElse(false)) {
                fixed = r.effectiveAt();
                break;
            }
        }
        Instant staleEnd = fixed.orElse(end.isBefore(change) ? change : end);
        return new BacktestResult.Detection(change, by, delay, windows, Duration.between(change, staleEnd),
                fixed.isEmpty());
    }

    private static void check(List<Observation> history) {
        Set<String> windows = new HashSet<>();
        String model = null;
        for (int i = 0; i < history.size(); i++) {
            Observation o = history.get(i);
            if (o == null) {
                throw new InvalidArgumentException("history[" + i + "]", "history[" + i + "] is null");
            }
            if (model == null) {
                model = o.model();
            } else if (!model.equals(o.model())) {
                throw new InvalidArgumentException("history[" + i + "].model", "history[" + i + "].model is '"
                        + o.model() + "', the history is of model '" + model + "'");
            }
            if (i > 0 && o.time().isBefore(history.get(i - 1).time())) {
                throw new InvalidArgumentException("history[" + i + "].time", "history[" + i + "].time " + o.time()
                        + " is before history[" + (i - 1) + "].time " + history.get(i - 1).time()
                        + "; a history must be in time order");
            }
            if (!windows.add(o.windowId())) {
                throw new InvalidArgumentException("history[" + i + "].windowId", "history[" + i + "].windowId '"
                        + o.windowId() + "' repeats an earlier window");
            }
        }
    }
}
