package dev.mlops.internal.policy;

import static dev.mlops.internal.policy.VerdictJson.format;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.audit.AuditEvent;
import dev.mlops.NotFoundException;
import dev.mlops.internal.AccessControl;
import dev.mlops.internal.Context;
import dev.mlops.internal.MlopsInternals;
import dev.mlops.internal.Validate;
import dev.mlops.internal.registry.DefaultModelRegistry;
import dev.mlops.policy.GateCheck;
import dev.mlops.policy.GateCheck.Kind;
import dev.mlops.policy.GateVerdict;
import dev.mlops.policy.GateVerdict.Outcome;
import dev.mlops.policy.HoldoutEvaluation;
import dev.mlops.policy.GateThreshold;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.PairedBootstrap;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionStatus;
import dev.mlops.security.Permission;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Evaluates a promotion gate against one {@code Mlops} instance and, for a promotion, moves the alias with a
 * compare-and-set together with the verdict's audit event, atomically. Stateless apart from its configuration;
 * thread-safe.
 */
public final class GateEngine {
    /** The audit action of every promotion verdict. */
    public static final String AUDIT_ACTION = "promotion.decided";

    private final Mlops mlops;
    private final Context context;
    private final List<GateThreshold> thresholds;
    private final PairedBootstrap bootstrap;
    private final boolean passWithoutChampion;

    /**
     * @param bootstrap the significance check, or null for none
     */
    public GateEngine(Mlops mlops, List<GateThreshold> thresholds, PairedBootstrap bootstrap,
            boolean passWithoutChampion) {
        this.mlops = Objects.requireNonNull(mlops, "mlops");
        this.context = MlopsInternals.context(mlops);
        this.thresholds = List.copyOf(thresholds);
        this.bootstrap = bootstrap;
        this.passWithoutChampion = passWithoutChampion;
    }

    /** Evaluates without side effects. */
    public GateVerdict evaluate(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        return check(candidate, alias, evaluation);
    }

    /**
     * Evaluates and records the verdict. A failing verdict is audited alone and leaves the alias. A passing one moves
     * the alias with a compare-and-set on the champion the evaluation saw, storing its {@code promotion.decided}
     * event (outcome {@code PROMOTED}) and the alias's own event in one transaction; when the registry refuses the
     * move (the alias moved meanwhile, a rule no longer holds, the candidate is gone) nothing of it is stored and
     * the verdict is audited alone as {@code CONFLICT}, with the registry's reason. A {@code STORAGE} failure of the
     * move propagates with nothing recorded by this call.
     */
    public GateVerdict promote(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        GateVerdict verdict = check(candidate, alias, evaluation);
        if (!verdict.passed()) {
            context.store().appendAuditEvent(auditEvent(verdict));
            return verdict;
        }
        int expected = verdict.champion() == null ? 0 : verdict.champion();
        GateVerdict promoted = withOutcome(verdict, Outcome.PROMOTED, null);
        try {
            ((DefaultModelRegistry) mlops.registry()).setAlias(verdict.model(), alias, verdict.candidate(), expected,
                    List.of(auditEvent(promoted)));
            return promoted;
        } catch (ConflictException | NotFoundException e) {
            GateVerdict refused = withOutcome(verdict, Outcome.CONFLICT, "alias '" + alias + "' was not moved: "
                    + e.getMessage());
            context.store().appendAuditEvent(auditEvent(refused));
            return refused;
        }
    }

    /**
     * {@link #promote}, recording at most one verdict per (model, alias, candidate) across every process on the store
     * ({@link dev.mlops.spi.MetadataStore#recordPromotionVerdict}): when a verdict on the candidate taking the alias
     * is recorded already, this call changes nothing and returns that verdict ({@code created = false}); otherwise it
     * records its own ({@code created = true}), the move and the check in one transaction. A candidate that already is
     * the champion with a recorded verdict returns that verdict instead of failing.
     */
    public Created<GateVerdict> promoteOnce(ModelRef candidate, String alias, HoldoutEvaluation evaluation) {
        GateVerdict verdict;
        try {
            verdict = check(candidate, alias, evaluation);
        } catch (ConflictException e) {
            // already the champion (or the champion's version is gone): a gate that promoted it recorded a verdict
            ModelVersion v = mlops.registry().resolve(candidate);
            Optional<AuditEvent> recorded = recorded(v.modelName(), alias, v.version());
            if (recorded.isPresent()) {
                return new Created<>(VerdictJson.fromAuditEvent(recorded.get()), false);
            }
            throw e;
        }
        if (!verdict.passed()) {
            return once(verdict);
        }
        int expected = verdict.champion() == null ? 0 : verdict.champion();
        GateVerdict promoted = withOutcome(verdict, Outcome.PROMOTED, null);
        try {
            Optional<AuditEvent> before = ((DefaultModelRegistry) mlops.registry()).setAliasRecordingVerdict(
                    verdict.model(), alias, verdict.candidate(), expected, auditEvent(promoted));
            return before.map(e -> new Created<>(VerdictJson.fromAuditEvent(e), false))
                    .orElseGet(() -> new Created<>(promoted, true));
        } catch (ConflictException | NotFoundException e) {
            GateVerdict refused = withOutcome(verdict, Outcome.CONFLICT, "alias '" + alias + "' was not moved: "
                    + e.getMessage());
            return once(refused);
        }
    }

    /** Records {@code verdict} alone unless a verdict on its candidate taking its alias is recorded. */
    private Created<GateVerdict> once(GateVerdict verdict) {
        Optional<AuditEvent> before = context.store().recordPromotionVerdict(verdict.model(), verdict.alias(),
                verdict.candidate(), false, null, context.now(), List.of(auditEvent(verdict)));
        return before.map(e -> new Created<>(VerdictJson.fromAuditEvent(e), false))
                .orElseGet(() -> new Created<>(verdict, true));
    }

    /** The latest recorded verdict on version {@code candidate} of {@code model} taking {@code alias}. */
    private Optional<AuditEvent> recorded(String model, String alias, int candidate) {
        Optional<AuditEvent> found = Optional.empty();
        long after = 0;
        while (true) {
            List<AuditEvent> page = context.store().auditEvents(after, 1000);
            for (AuditEvent e : page) {
                after = e.seq();
                if (VerdictJson.records(e.action(), e.subject(), e.data(), model, alias, candidate)) {
                    found = Optional.of(e);
                }
            }
            if (page.isEmpty()) {
                return found;
            }
        }
    }

    private GateVerdict withOutcome(GateVerdict v, Outcome outcome, String note) {
        return new GateVerdict(v.model(), v.alias(), v.candidate(), v.champion(), outcome, v.checks(), note,
                context.now());
    }

    private PendingAuditEvent auditEvent(GateVerdict v) {
        return context.audit(AUDIT_ACTION, "model:" + v.model() + "/" + v.candidate(), VerdictJson.auditData(v));
    }

    private GateVerdict check(ModelRef candidateRef, String alias, HoldoutEvaluation evaluation) {
        Validate.required("candidate", candidateRef);
        DefaultModelRegistry.alias("alias", alias);
        Validate.required("evaluation", evaluation);
        if (evaluation.hasPairedScores() && bootstrap == null) {
            throw new InvalidArgumentException("pairedScores", "the evaluation has paired holdout scores but the gate"
                    + " has no significance check to use them: configure significance(PairedBootstrap...) or leave"
                    + " the scores out");
        }
        ModelRegistry registry = mlops.registry();
        ModelVersion candidate = registry.resolve(candidateRef);
        String name = candidate.modelName();
        RegisteredModel model = registry.model(name);
        Integer championNumber = model.aliases().get(alias);
        if (championNumber != null && championNumber == candidate.version()) {
            throw new ConflictException("version " + candidate.version() + " of model " + name + " is already the"
                    + " champion: alias '" + alias + "' points at it, so there is nothing to promote");
        }
        ModelVersion champion = championNumber == null ? null : registry.getVersion(name, championNumber)
                .orElse(null);
        if (championNumber != null && champion == null) {
            throw new ConflictException("alias '" + alias + "' of model " + name + " points at version "
                    + championNumber + ", which no longer exists; read the alias again");
        }
        List<GateCheck> checks = new ArrayList<>(registryChecks(model, candidate, alias));
        Side cand = new Side("candidate", candidate, run(candidate), evaluation.candidateMetrics());
        Side champ = champion == null ? null
                : new Side("champion", champion, run(champion), evaluation.championMetrics());
        for (GateThreshold t : thresholds) {
            checks.addAll(metricChecks(t, cand, champ, alias));
        }
        if (bootstrap != null) {
            checks.add(significance(evaluation, champ, alias, name));
        }
        boolean passed = checks.stream().allMatch(GateCheck::passed);
        return new GateVerdict(name, alias, candidate.version(), championNumber,
                passed ? Outcome.PASSED : Outcome.FAILED, checks, null, context.now());
    }

    private Run run(ModelVersion v) {
        return v.runId() == null ? null : mlops.tracking().get(v.runId()).orElse(null);
    }

    // ---- registry ---------------------------------------------------------------------------------------------

    private List<GateCheck> registryChecks(RegisteredModel model, ModelVersion candidate, String alias) {
        List<GateCheck> out = new ArrayList<>();
        String who = "version " + candidate.version() + " of model " + model.name();
        boolean ready = candidate.status() == VersionStatus.READY;
        out.add(registry("registry.ready", ready, ready ? who + " is READY"
                : who + " is " + candidate.status() + ": only a READY version (artifact uploaded and verified) can"
                + " take an alias"));
        Optional<AliasGuard> guard = context.registryPolicy().guard(alias);
        if (guard.isPresent() && guard.get().requireApproved()) {
            ApprovalStatus approval = candidate.approval().status();
            boolean approved = approval == ApprovalStatus.APPROVED;
            out.add(registry("registry.approved", approved, approved
                    ? who + " is APPROVED (by " + candidate.approval().actor() + "), as guarded alias '" + alias
                    + "' requires"
                    : "guarded alias '" + alias + "' needs an APPROVED version; " + who + " is " + approval));
        }
        if (guard.isPresent() && guard.get().requireGovernance()) {
            Governance g = model.governance();
            boolean ok = !isBlank(g.businessOwner()) && !isBlank(g.approverRole());
            out.add(registry("registry.governance", ok, ok
                    ? "model " + model.name() + " names business owner " + g.businessOwner() + " and approver role "
                    + g.approverRole() + ", as guarded alias '" + alias + "' requires"
                    : "guarded alias '" + alias + "' needs the governance record of model " + model.name()
                    + " to name a business owner and an approver role"));
        }
        AccessControl access = new AccessControl(context);
        if (!access.isOpen()) {
            String actor = context.actor();
            boolean allowed = access.allowed(Permission.MOVE_ALIAS, model.name());
            Optional<String> missingRole = Optional.empty();
            if (allowed && guard.isPresent() && !guard.get().roles().isEmpty()
                    && guard.get().roles().stream().noneMatch(r -> context.principal().hasRole(r))) {
                missingRole = Optional.of("guarded alias '" + alias + "' may only be moved by the roles "
                        + guard.get().roles() + " and " + actor + " holds " + context.principal().roles());
            }
            boolean ok = allowed && missingRole.isEmpty();
            String detail = ok ? actor + " may move alias '" + alias + "' of model " + model.name()
                    : !allowed ? actor + " (roles " + context.principal().roles() + ") lacks the MOVE_ALIAS"
                    + " permission on model " + model.name() : missingRole.get();
            out.add(registry("registry.permission", ok, detail));
        }
        return out;
    }

    private static GateCheck registry(String name, boolean passed, String detail) {
        return new GateCheck(name, Kind.REGISTRY, null, passed, null, null, Map.of(), detail);
    }

    // ---- metrics ----------------------------------------------------------------------------------------------

    /** One version's side of a comparison and where its metric values come from. */
    private record Side(String role, ModelVersion version, Run run, Map<String, Double> supplied) {
        /** The value of {@code metric}: supplied, else registered with the version, else the run's latest. */
        Value value(String metric) {
            Double s = supplied.get(metric);
            if (s != null) {
                return new Value(s, "holdout evaluation", true);
            }
            Double registered = version.metrics().get(metric);
            if (registered != null) {
                return new Value(registered, "registered with version " + version.version(), false);
            }
            if (run != null) {
                MetricPoint p = run.latestMetrics().get(metric);
                if (p != null) {
                    return new Value(p.value(), "run " + run.id() + ", step " + p.step(), false);
                }
            }
            return null;
        }

        /** Why {@code metric} has no value. */
        String missing(String metric) {
            return "metric '" + metric + "' of the " + role + " (version " + version.version() + ") is missing: it is"
                    + " not in the holdout evaluation, not registered with the version, and "
                    + (version.runId() == null ? "the version names no run"
                    : run == null ? "its run " + version.runId() + " does not exist"
                    : "not logged by its run " + run.id());
        }

        String label() {
            return role + " (version " + version.version() + ")";
        }
    }

    /** A metric value and where it came from. */
    private record Value(double value, String source, boolean supplied) {
        boolean finite() {
            return Double.isFinite(value);
        }

        String text() {
            return format(value) + " (" + source + ")";
        }
    }

    private List<GateCheck> metricChecks(GateThreshold t, Side cand, Side champ, String alias) {
        List<GateCheck> out = new ArrayList<>();
        String metric = t.metric();
        MetricDirection dir = t.direction();
        Value c = cand.value(metric);
        if (t.bound() != null) {
            out.add(valueCheck(t, cand, c));
        }
        if (!t.hasChangeThreshold()) {
            return out;
        }
        List<Kind> kinds = new ArrayList<>();
        if (t.minAbsoluteChange() != null) {
            kinds.add(Kind.ABSOLUTE_CHANGE);
        }
        if (t.minRelativeChange() != null) {
            kinds.add(Kind.RELATIVE_CHANGE);
        }
        for (Kind kind : kinds) {
            double threshold = kind == Kind.ABSOLUTE_CHANGE ? t.minAbsoluteChange() : t.minRelativeChange();
            String checkName = metric + (kind == Kind.ABSOLUTE_CHANGE ? ".absolute_change" : ".relative_change");
            String what = kind == Kind.ABSOLUTE_CHANGE ? "absolute improvement" : "relative improvement";
            if (champ == null) {
                out.add(new GateCheck(checkName, kind, metric, passWithoutChampion, null, threshold, Map.of(),
                        "no champion: alias '" + alias + "' is not set, so the " + what + " of " + metric
                                + " cannot be measured; " + (passWithoutChampion
                                ? "passes (the gate passes change thresholds without a champion)"
                                : "fails (the gate requires a champion for change thresholds)")));
                continue;
            }
            Value b = champ.value(metric);
            String problem = null;
            if (c == null && b == null) {
                problem = cand.missing(metric) + "; " + champ.missing(metric);
            } else if (c == null) {
                problem = cand.missing(metric);
            } else if (b == null) {
                problem = champ.missing(metric);
            } else if (!c.finite()) {
                problem = "metric '" + metric + "' of the " + cand.label() + " is " + format(c.value()) + " ("
                        + c.source() + "), not a number that can be compared";
            } else if (!b.finite()) {
                problem = "metric '" + metric + "' of the " + champ.label() + " is " + format(b.value()) + " ("
                        + b.source() + "), not a number that can be compared";
            } else if (c.supplied() != b.supplied()) {
                Side suppliedSide = c.supplied() ? cand : champ;
                Side otherSide = c.supplied() ? champ : cand;
                problem = "metric '" + metric + "' was given in the holdout evaluation for the "
                        + suppliedSide.label() + " but not for the " + otherSide.label() + ": a change is only"
                        + " measured like with like, so supply it for both";
            }
            if (problem != null) {
                out.add(new GateCheck(checkName, kind, metric, false, null, threshold, Map.of(), problem
                        + "; the " + what + " check fails"));
                continue;
            }
            Map<String, Number> numbers = new LinkedHashMap<>();
            numbers.put("candidate", c.value());
            numbers.put("champion", b.value());
            numbers.put("difference", c.value() - b.value());
            double improvement = ThresholdMath.improvement(dir, c.value(), b.value());
            double measured;
            String sentence;
            if (kind == Kind.ABSOLUTE_CHANGE) {
                measured = improvement;
                sentence = metric + " " + (dir == MetricDirection.HIGHER_IS_BETTER ? "(higher is better)"
                        : "(lower is better)") + ": candidate " + c.text() + " vs champion " + b.text()
                        + ", absolute improvement " + format(improvement);
            } else {
                measured = ThresholdMath.relativeImprovement(dir, c.value(), b.value());
                numbers.put("improvement", improvement);
                sentence = metric + " " + (dir == MetricDirection.HIGHER_IS_BETTER ? "(higher is better)"
                        : "(lower is better)") + ": candidate " + c.text() + " vs champion " + b.text()
                        + ", relative improvement " + format(measured)
                        + (b.value() == 0.0 ? " (the champion's value is 0)" : "");
            }
            boolean passed = measured >= threshold;
            out.add(new GateCheck(checkName, kind, metric, passed, measured, threshold, numbers, sentence
                    + (passed ? " >= " : " < ") + "minimum " + format(threshold) + (passed ? ": passed" : ": failed")));
        }
        return out;
    }

    private static GateCheck valueCheck(GateThreshold t, Side cand, Value c) {
        String metric = t.metric();
        double bound = t.bound();
        String name = metric + ".value";
        if (c == null) {
            return new GateCheck(name, Kind.VALUE, metric, false, null, bound, Map.of(), cand.missing(metric)
                    + "; the value check fails");
        }
        if (!c.finite()) {
            return new GateCheck(name, Kind.VALUE, metric, false, null, bound, Map.of(), "metric '" + metric
                    + "' of the " + cand.label() + " is " + format(c.value()) + " (" + c.source() + "), not a number"
                    + " that can be compared; the value check fails");
        }
        boolean passed = ThresholdMath.meetsBound(t.direction(), c.value(), bound);
        String op = t.direction() == MetricDirection.HIGHER_IS_BETTER ? (passed ? " >= " : " < ")
                : (passed ? " <= " : " > ");
        return new GateCheck(name, Kind.VALUE, metric, passed, c.value(), bound, Map.of("candidate", c.value()),
                metric + " of the " + cand.label() + " " + c.text() + op + format(bound)
                        + (passed ? ": passed" : ": failed"));
    }

    // ---- significance -----------------------------------------------------------------------------------------

    private GateCheck significance(HoldoutEvaluation evaluation, Side champ, String alias, String model) {
        String name = "significance." + bootstrap.name();
        double min = bootstrap.minImprovement();
        if (champ == null) {
            return new GateCheck(name, Kind.SIGNIFICANCE, bootstrap.name(), passWithoutChampion, null, min, Map.of(),
                    "no champion: alias '" + alias + "' of model " + model + " is not set, so there is nothing to"
                            + " compare " + bootstrap.name() + " with; " + (passWithoutChampion
                            ? "passes (the gate passes comparisons without a champion)"
                            : "fails (the gate requires a champion)"));
        }
        if (!evaluation.hasPairedScores()) {
            return new GateCheck(name, Kind.SIGNIFICANCE, bootstrap.name(), false, null, min, Map.of(),
                    "no paired holdout scores were supplied for the significance check " + bootstrap.name()
                            + " against the " + champ.label() + "; it fails");
        }
        PairedBootstrapCi.Interval ci = PairedBootstrapCi.compute(bootstrap, evaluation.candidateScores().get(),
                evaluation.championScores().get());
        boolean passed = ci.lower() > min;
        Map<String, Number> numbers = new LinkedHashMap<>();
        numbers.put("pairs", ci.n());
        numbers.put("mean_improvement", ci.mean());
        numbers.put("ci_lower", ci.lower());
        numbers.put("ci_upper", ci.upper());
        numbers.put("confidence", bootstrap.confidence());
        numbers.put("resamples", bootstrap.resamples());
        numbers.put("seed", bootstrap.seed());
        String pct = format(bootstrap.confidence() * 100) + " %";
        String detail = bootstrap.name() + " " + (bootstrap.direction() == MetricDirection.HIGHER_IS_BETTER
                ? "(higher is better)" : "(lower is better)") + " on " + ci.n() + " paired holdout examples against"
                + " the " + champ.label() + ": mean improvement " + format(ci.mean()) + ", " + pct
                + " paired bootstrap interval [" + format(ci.lower()) + ", " + format(ci.upper()) + "] ("
                + bootstrap.resamples() + " resamples, seed " + bootstrap.seed() + "); lower end "
                + (passed ? "> " : "<= ") + "minimum " + format(min) + (passed ? ": significant, passed"
                : ": not significant, failed");
        return new GateCheck(name, Kind.SIGNIFICANCE, bootstrap.name(), passed, ci.lower(), min, numbers, detail);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
