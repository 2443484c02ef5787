package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.internal.policy.GateEngine;
import dev.mlops.registry.ModelRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The champion/challenger promotion gate: a candidate version may take an alias (such as {@code production}) only if
 * it passes the registry's rules for that alias, every {@link GateThreshold} (value thresholds on the candidate,
 * change thresholds against the champion, the version the alias points at now), and optionally a
 * {@link PairedBootstrap} significance check on a shared holdout. Immutable and thread-safe; build one per policy and
 * share it.
 *
 * <pre>{@code
 * PromotionGate gate = PromotionGate.builder(mlops)
 *         .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.80).minAbsoluteChange(0.0))
 *         .threshold(GateThreshold.lowerIsBetter("log_loss").minRelativeChange(-0.05))
 *         .significance(PairedBootstrap.lowerIsBetter("holdout_log_loss"))
 *         .build();
 * GateVerdict verdict = gate.promote(ModelRef.of("rain", 2), "production",
 *         HoldoutEvaluation.builder().pairedScores(candidateLosses, championLosses).build());
 * }</pre>
 *
 * <p><b>Where the metric values come from</b>, per version and metric, first found wins: the
 * {@link HoldoutEvaluation} the caller supplies (measured on a shared holdout), else the metrics registered with the
 * version ({@code VersionRegistration.metric}), else the latest value (highest step, then latest time) of that metric
 * in the run that produced the version. Each check's detail says which. A change is only measured like with like: a
 * metric supplied in the evaluation for one version but not the other fails its change checks.
 *
 * <p><b>Checks</b>, in order: {@code registry.ready} (the candidate is {@code READY}); for a guarded alias
 * ({@code RegistryPolicy}) {@code registry.approved} and {@code registry.governance} as the guard demands; with an
 * access policy, {@code registry.permission} (the acting principal may move the alias); then per threshold
 * {@code METRIC.value}, {@code METRIC.absolute_change}, {@code METRIC.relative_change}; then
 * {@code significance.NAME}. A missing or NaN metric fails its checks with a note naming it. With no champion (the
 * alias is not set), change and significance checks pass when {@link Builder#passWithoutChampion(boolean)} is true
 * (the default) and fail otherwise; value and registry checks apply as always.
 *
 * <p>{@link #evaluate} has no side effects: it reads the registry and the runs and writes nothing.
 * {@link #promote} evaluates and, when every check passes, moves the alias with a compare-and-set on the champion the
 * evaluation saw, so a concurrent move makes it end as {@link GateVerdict.Outcome#CONFLICT} instead of overwriting;
 * the registry enforces its rules again on the move. Every verdict of {@code promote} is audited as one
 * {@code promotion.decided} event (subject {@code model:NAME/CANDIDATE}; data: the verdict's JSON without time and
 * reasons). <b>Atomicity:</b> a {@code PROMOTED} verdict's event and the alias move are stored in one transaction
 * ({@code MetadataStore.setAlias} with a list of events), the verdict first, then the registry's own
 * {@code model_alias.set} or {@code model_alias.move}: the store holds both or neither, so an alias never moves
 * without its recorded verdict, and no verdict says {@code PROMOTED} for a move that did not happen. A
 * {@code FAILED} verdict is stored alone and leaves the alias; when the registry refuses the move, nothing of it is
 * stored and the verdict is stored alone as {@code CONFLICT} with the reason in its note. When the store fails
 * ({@code STORAGE}) during the move, {@code promote} throws: neither the move nor the verdict is stored. A store
 * whose implementation predates {@code setAlias} with a list of events fails a passing promotion that way.
 *
 * <p>Errors: {@code NOT_FOUND} for an unknown model, version or alias of the candidate reference;
 * {@code CONFLICT} when the candidate already is the champion; {@code INVALID_ARGUMENT} for a bad alias name or
 * paired scores given to a gate without a significance check; {@code PERMISSION_DENIED} when the principal may not
 * read the model.
 */
public final class PromotionGate {
    private final Mlops mlops;
    private final List<GateThreshold> thresholds;
    private final PairedBootstrap significance;
    private final boolean passWithoutChampion;
    private final GateEngine engine;

    private PromotionGate(Builder b) {
        this.mlops = b.mlops;
        this.thresholds = List.copyOf(b.thresholds);
        this.significance = b.significance;
        this.passWithoutChampion = b.passWithoutChampion;
        this.engine = new GateEngine(mlops, thresholds, significance, passWithoutChampion);
    }

    /** A builder for a gate acting on {@code mlops} (its registry, tracking, audit trail, principal and clock). */
    public static Builder builder(Mlops mlops) {
        if (mlops == null) {
            throw new InvalidArgumentException("mlops", "mlops is required");
        }
        return new Builder(mlops);
    }

    /** The metric thresholds, in the order they are checked. */
    public List<GateThreshold> thresholds() {
        return thresholds;
    }

    /** The significance check, if any. */
    public Optional<PairedBootstrap> significance() {
        return Optional.ofNullable(significance);
    }

    /** Whether change and significance checks pass when the alias has no champion yet. */
    public boolean passWithoutChampion() {
        return passWithoutChampion;
    }

    /** {@link #evaluate(ModelRef, String, HoldoutEvaluation)} with no holdout evaluation. */
    public GateVerdict evaluate(ModelRef candidate, String alias) {
        return evaluate(candidate, alias, HoldoutEvaluation.NONE);
    }

    /**
     * The verdict for {@code candidate} taking {@code alias}, without side effects: outcome {@code PASSED} or
     * {@code FAILED}.
     */
    public GateVerdict evaluate(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        return engine.evaluate(candidate, alias, evaluation);
    }

    /** {@link #promote(ModelRef, String, HoldoutEvaluation)} with no holdout evaluation. */
    public GateVerdict promote(ModelRef candidate, String alias) {
        return promote(candidate, alias, HoldoutEvaluation.NONE);
    }

    /**
     * Evaluates and audits the verdict, moving the alias in the same transaction when every check passes: outcome
     * {@code PROMOTED} (alias moved, verdict stored with the move), {@code FAILED} (alias left) or {@code CONFLICT}
     * (the alias moved meanwhile, or the registry refused the move; alias left as it is).
     *
     * @throws dev.mlops.StorageException when the store fails; nothing is recorded by this call
     */
    public GateVerdict promote(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        return engine.promote(candidate, alias, evaluation);
    }

    /**
     * {@link #promote(ModelRef, String, HoldoutEvaluation)} recording at most one verdict per candidate and alias,
     * across every process and {@code Mlops} instance on the store: when a verdict on {@code candidate} taking
     * {@code alias} is recorded already (by any earlier {@code promote} or {@code promoteOnce}), nothing is changed
     * and that verdict is returned with {@code created = false} (read back from its audit event: its time is the
     * event's, and each check's numbers come in sorted order). Otherwise this call's verdict is recorded and returned
     * with {@code created = true}; the look-up and the record (with the alias move, for {@code PROMOTED}) are one
     * store transaction ({@code MetadataStore.recordPromotionVerdict}), so of several processes gating one candidate
     * at the same time, or one long after another, exactly one records a verdict and the others get it back. A
     * candidate that is the champion already is answered with its recorded verdict rather than {@code CONFLICT}.
     *
     * <p>For automated flows that decide each candidate once (for example a retraining loop whose challenger may be
     * gated by several workers). A recorded {@code FAILED} verdict stays the answer for that candidate: to gate it
     * again after fixing what failed (an approval, a permission), use {@link #promote}. A store whose implementation
     * predates {@code recordPromotionVerdict} looks the verdict up and records it in separate transactions, without
     * this guarantee.
     *
     * @throws dev.mlops.StorageException when the store fails; nothing is recorded by this call
     */
    public dev.mlops.Created<GateVerdict> promoteOnce(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        return engine.promoteOnce(candidate, alias, evaluation);
    }

    /**
     * Checks, before any promotion, that every threshold names a metric in {@code knownMetrics} (for example the
     * metric keys the training job logs), so that a misspelt name is caught at configuration time rather than as a
     * failed check.
     *
     * @throws InvalidArgumentException (field {@code thresholds[i].metric}) naming the unknown metric and the known
     *     ones
     */
    public PromotionGate validateMetrics(Collection<String> knownMetrics) {
        if (knownMetrics == null) {
            throw new InvalidArgumentException("knownMetrics", "knownMetrics is required");
        }
        Set<String> known = new TreeSet<>();
        for (String name : knownMetrics) {
            if (name == null) {
                throw new InvalidArgumentException("knownMetrics", "knownMetrics must hold metric names, not nulls");
            }
            known.add(name);
        }
        for (int i = 0; i < thresholds.size(); i++) {
            String metric = thresholds.get(i).metric();
            if (!known.contains(metric)) {
                throw new InvalidArgumentException("thresholds[" + i + "].metric", "thresholds[" + i + "].metric '"
                        + metric + "' is not a known metric; known: " + known);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "PromotionGate[thresholds=" + thresholds + ", significance=" + significance + ", passWithoutChampion="
                + passWithoutChampion + "]";
    }

    /** Builds a {@link PromotionGate}; not thread-safe. */
    public static final class Builder {
        private final Mlops mlops;
        private final List<GateThreshold> thresholds = new ArrayList<>();
        private PairedBootstrap significance;
        private boolean passWithoutChampion = true;

        private Builder(Mlops mlops) {
            this.mlops = mlops;
        }

        /**
         * Adds a metric threshold (checked in the order added).
         *
         * @throws InvalidArgumentException (field {@code thresholds[i]}) when it checks nothing or its metric already
         *     has a threshold
         */
        public Builder threshold(GateThreshold threshold) {
            String field = "thresholds[" + thresholds.size() + "]";
            if (threshold == null) {
                throw new InvalidArgumentException(field, field + " must not be null");
            }
            if (!threshold.checksAnything()) {
                throw new InvalidArgumentException(field, field + " on metric '" + threshold.metric() + "' checks"
                        + " nothing: give a bound (atLeast/atMost), a minAbsoluteChange or a minRelativeChange");
            }
            for (int i = 0; i < thresholds.size(); i++) {
                if (thresholds.get(i).metric().equals(threshold.metric())) {
                    throw new InvalidArgumentException(field, field + " is a second threshold on metric '"
                            + threshold.metric() + "' (thresholds[" + i + "] is the first): combine them into one");
                }
            }
            thresholds.add(threshold);
            return this;
        }

        /** Adds a significance check on paired holdout scores (at most one). */
        public Builder significance(PairedBootstrap bootstrap) {
            if (bootstrap == null) {
                throw new InvalidArgumentException("significance", "significance must not be null");
            }
            if (significance != null) {
                throw new InvalidArgumentException("significance", "significance is set already (" + significance.name()
                        + "); a gate has at most one paired bootstrap");
            }
            this.significance = bootstrap;
            return this;
        }

        /**
         * Whether change thresholds and the significance check pass when the alias has no champion yet (default
         * true: the first version to take an alias is judged by value thresholds and registry rules alone).
         */
        public Builder passWithoutChampion(boolean pass) {
            this.passWithoutChampion = pass;
            return this;
        }

        public PromotionGate build() {
            return new PromotionGate(this);
        }
    }
}
