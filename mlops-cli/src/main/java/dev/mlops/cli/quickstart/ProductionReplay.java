package dev.mlops.cli.quickstart;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.WindowReport;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.GateCheck;
import dev.mlops.policy.GateVerdict;
import dev.mlops.policy.HoldoutEvaluation;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.GateThreshold;
import dev.mlops.policy.Observation;
import dev.mlops.policy.PairedBootstrap;
import dev.mlops.policy.PromotionGate;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Steps 3 and 4 of {@code mlops quickstart}: replays 2014-2015 month by month as production batches. For each month
 * the days go through a {@link DriftMonitor} (closed with {@link DriftMonitor#closeWindow()} at the month's end, on a
 * clock set to the batch time), the version serving production is scored on the month's labels, and the retraining
 * {@linkplain #policy() policy} is evaluated on a clock set to the month's end. Each decision is handed to
 * {@link Retraining#act} ({@link Mlops#retraining()}): a retrain decision becomes a retraining request in the store,
 * and the request's handler trains a challenger on the 12 months up to the batch (a new version of the training
 * dataset, in a tracked run tagged with the request's key) and registers it as a version produced by that run. The
 * challenger then serves in shadow for the next month, which is the shared holdout on which the
 * {@linkplain #gate(Mlops) promotion gate} compares it with the champion; it is approved and takes {@code production}
 * only when the gate passes. A run on a store an earlier run left behind continues it, see {@link #run}. See
 * docs/cli.md, "quickstart".
 *
 * <p>Not thread-safe; one replay per run. Every number comes from the data and the models.
 */
public final class ProductionReplay {
    /** The monitored numeric columns (inputs of the service; temperatures and wind feed the model). */
    public static final List<String> NUMERIC = List.of("precipitation", "temp_max", "temp_min", "wind");
    /** The monitored categorical column: the label, which arrives with the batch. */
    public static final String LABEL = "weather";
    /**
     * The significance level the monitor's thresholds are set at: a month whose distribution equals the reference's
     * exceeds a column's threshold by sampling noise alone with about this probability.
     */
    public static final double ALPHA = 0.01;
    /** The fewest values a month's column needs to be flagged (the monitor's default of 1,000 suits big windows). */
    public static final long MIN_VALUES = 20;
    /** The name of the retraining policy. */
    public static final String POLICY = "quickstart-monthly";
    /** The alias the gate guards. */
    public static final String PRODUCTION = "production";
    /** The months of training data a retrain uses, the batch's month included. */
    public static final int RECENT_MONTHS = 12;
    /** The version tag holding the first day of a version's training data (ISO date). */
    public static final String TRAINED_FROM = "trained_from";
    /** The version tag holding the last day of a version's training data (ISO date). */
    public static final String TRAINED_THROUGH = "trained_through";
    /** The version metric holding a model's accuracy on its own training data: its baseline. */
    public static final String TRAIN_ACCURACY = "train_accuracy";
    /**
     * The time-box of one retrain (the handler trains in about a second); a request left running by a run that
     * died is handed out again by the first run that starts at least this long after its last change.
     */
    public static final Duration RETRAIN_TIMEOUT = Duration.ofMinutes(2);
    /** The version tag holding the idempotency key of the retrain decision a challenger was trained for. */
    public static final String RETRAINING_DECISION = "retraining_decision";

    /**
     * How long a run waits for the gate verdict of a challenger another run reviewed (claimed); a review this old
     * without a verdict was left by a run that stopped (or stalls) between the two, and the run that finds it gates
     * the challenger itself. The wait only bounds how long a run waits: the gate records one verdict per challenger
     * whatever the timing ({@link PromotionGate#promoteOnce}), so a claimant that is merely slow replays the verdict
     * of the run that took over.
     */
    public static final Duration GATE_WAIT = Duration.ofSeconds(30);
    /**
     * The minimum improvement of the mean per-day holdout log loss (nats) whose 95 % bootstrap interval must lie
     * above it for a step-2 model to replace a champion: 0, superiority (see {@link #stepTwoGate}).
     */
    public static final double STEP_2_SUPERIORITY = 0.0;
    /** The name of the gate's check that the candidate is approved. */
    static final String APPROVAL_CHECK = "registry.approved";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mlops mlops;
    private final String model;
    private final String dataset;
    private final Path dir;
    private final List<WeatherDay> days;
    private final RetrainingPolicies policies;
    private final Retraining retraining;
    private final SettableClock clock;
    private final Consumer<String> progress;
    private final Map<Integer, RainClassifier> loaded = new HashMap<>();

    /**
     * @param mlops    the store
     * @param model    the registered model whose {@code production} version serves the batches
     * @param dataset  the dataset name retraining data is registered under
     * @param dir      where the retraining CSV files are written
     * @param days     every bundled day, in date order
     * @param policies   the policy evaluator over {@code mlops}' store; its clock must be {@code clock}
     * @param retraining acts on the retrain decisions ({@link Mlops#retraining()} of {@code mlops}: the requests
     *                   are kept in the store)
     * @param clock      the clock this replay sets to each batch's time
     * @param progress   receives a line per step (also from the retraining handler's thread)
     */
    public ProductionReplay(Mlops mlops, String model, String dataset, Path dir, List<WeatherDay> days,
            RetrainingPolicies policies, Retraining retraining, SettableClock clock, Consumer<String> progress) {
        this.mlops = mlops;
        this.model = model;
        this.dataset = dataset;
        this.dir = dir;
        this.days = List.copyOf(days);
        this.policies = policies;
        this.retraining = retraining;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * The retraining policy: retrain when at least 2 of the 5 monitored columns drift in the month (drift share
     * 0.4: a shift of the temperatures moves both of them), when the production model's accuracy, averaged over the
     * last 2 months, falls more than 10 % below its own baseline (its accuracy on its training data), or when the
     * model is a year old; at least 45 days between retrains (the month after a retrain, when its challenger
     * serves in shadow, never retrains again), and at most 3 retrains in any 365 days.
     */
    public static RetrainingPolicy policy() {
        return RetrainingPolicy.builder(POLICY)
                .version(1)
                .description("quickstart: monthly windows of the Seattle rain classifier")
                .anyOf(Condition.driftShare(0.4),
                        new Condition.MetricVsBaseline("accuracy", MetricDirection.HIGHER_IS_BETTER,
                                Condition.MetricVsBaseline.Change.RELATIVE, 0.10, 2),
                        Condition.modelAge(Duration.ofDays(365)))
                .cooldown(Duration.ofDays(45), 0)
                .budget(3, Duration.ofDays(365))
                .build();
    }

    /**
     * The promotion gate: on the shared holdout month the challenger must reach accuracy 0.7 and lose at most 0.02
     * of the champion's, its log loss may be at most 5 % worse, and the 95 % paired bootstrap interval (seed 42) of
     * the mean per-day log-loss improvement must lie above -0.05 nats (non-inferiority).
     */
    public static PromotionGate gate(Mlops mlops) {
        return PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.7).minAbsoluteChange(-0.02))
                .threshold(GateThreshold.lowerIsBetter("log_loss").minRelativeChange(-0.05))
                .significance(PairedBootstrap.lowerIsBetter("holdout_log_loss").minImprovement(-0.05))
                .build();
    }

    /**
     * The promotion gate for the model step 2 of a re-run trained: the {@linkplain #gate(Mlops) gate} of the
     * retrain challengers with superiority instead of non-inferiority: the 95 % paired bootstrap interval (seed 42)
     * of the mean per-day log-loss improvement on the holdout must lie above {@value #STEP_2_SUPERIORITY} nats.
     * A retrain challenger is trained on newer data than its champion, so not being worse is enough to prefer it;
     * step 2 always trains on 2012-2013, older data than any retrained champion, and a copy of the champion itself
     * (identical per-day losses, interval [0, 0]) must not take {@code production} on a tie.
     */
    public static PromotionGate stepTwoGate(Mlops mlops) {
        return PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.7).minAbsoluteChange(-0.02))
                .threshold(GateThreshold.lowerIsBetter("log_loss").minRelativeChange(-0.05))
                .significance(PairedBootstrap.lowerIsBetter("holdout_log_loss").minImprovement(STEP_2_SUPERIORITY))
                .build();
    }

    /** The profile of {@code rows} in the monitored columns. */
    public static DatasetProfile profile(List<WeatherDay> rows) {
        DatasetProfiler p = DatasetProfiler.builder().numeric(NUMERIC.toArray(String[]::new)).categorical(LABEL)
                .build();
        for (WeatherDay d : rows) {
            p.column("precipitation").add(d.precipitation());
            p.column("temp_max").add(d.tempMax());
            p.column("temp_min").add(d.tempMin());
            p.column("wind").add(d.wind());
            p.column(LABEL).add(d.weather());
        }
        return p.toProfile();
    }

    /**
     * The KS distance a numeric column of a window of {@code n} rows must exceed against a reference of {@code m}
     * rows: the asymptotic two-sample Kolmogorov-Smirnov critical value at {@link #ALPHA},
     * {@code sqrt(-ln(alpha / 2) / 2) * sqrt((n + m) / (n * m))}; 0.36 for 31 days against 62, 0.41 for 31 against 31.
     * (The monitor's default of 0.1 suits windows of thousands of rows; for a month of days the sampling noise alone
     * is larger.)
     */
    public static double ksThreshold(long n, long m) {
        return Math.min(0.99, Math.sqrt(-Math.log(ALPHA / 2) / 2) * Math.sqrt((double) (n + m) / ((double) n * m)));
    }

    /**
     * The change of a category's share that flags the label column for a window of {@code n} rows against a
     * reference of {@code m}: the two-sided normal quantile at {@link #ALPHA} (2.576) times the standard error of the
     * difference of two shares near 0.5 ({@code sqrt(0.25 / n + 0.25 / m)}); 0.28 for 31 days against 62.
     */
    public static double shareThreshold(long n, long m) {
        return Math.min(0.99, 2.5758293035489 * Math.sqrt(0.25 / n + 0.25 / m));
    }

    /**
     * The monitor of one month of {@code days} rows: the reference is the profile of the serving model's training
     * days in the same calendar month (a month compared with a whole year would always differ in temperature, by
     * the seasons alone), and the thresholds are {@link #ksThreshold} and {@link #shareThreshold} for the two sizes.
     */
    public static DriftMonitor monitor(DatasetProfile reference, long days, Clock clock,
            Consumer<WindowReport> listener) {
        return DriftMonitor.builder(reference)
                .numeric(NUMERIC.toArray(String[]::new)).categorical(LABEL)
                .windowRows(100_000)
                .ksThreshold(ksThreshold(days, reference.rows()))
                .shareThreshold(shareThreshold(days, reference.rows()))
                .minValues(MIN_VALUES)
                .stripes(1)
                .clock(clock)
                .listener(listener)
                .build();
    }

    /** The first instant of {@code month}, UTC. */
    public static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * One month of the replay.
     *
     * @param window         the month, {@code yyyy-MM}
     * @param report         the month's drift window
     * @param servingVersion the version that served the month (production at the time)
     * @param metrics        the serving version's accuracy and log loss on the month
     * @param decision       the policy's decision for the month (stored)
     * @param decidedNow     whether this run made the decision; false: it was read back from the store
     * @param request        the retraining request of a retrain decision, as this run left it
     * @param retrainedNow   whether the retrain of this month's decision was carried out by this run (in the month,
     *                       or by {@link Retraining#resumePending} when an earlier run left it unfinished)
     * @param challenger     the version the retrain registered (by this run or an earlier one), or null
     */
    public record Month(String window, WindowReport report, int servingVersion, Map<String, Double> metrics,
            Decision decision, boolean decidedNow, Optional<RetrainingRequest> request, boolean retrainedNow,
            Integer challenger) {
    }

    /**
     * One gate verdict, on the month that served as its holdout.
     *
     * @param holdout   the holdout month
     * @param verdict   the verdict of the gate this run ran, or null for one replayed from the store
     * @param approved  whether this run approved the candidate (null when replayed)
     * @param candidate the challenger
     * @param champion  the version production pointed at when the gate ran
     * @param promoted  whether the gate moved production to the candidate
     * @param outcome   the verdict's outcome ({@code PROMOTED}, {@code FAILED}, {@code CONFLICT})
     * @param replayed  whether another run (an earlier one, or one at the same time on this store) ran the gate:
     *                  its verdict is read from the audit log
     * @param source    where the candidate comes from: {@link #RETRAIN} (a retrain decision's challenger) or
     *                  {@link #STEP_2} (the model step 2 of this run trained, gated by {@link #challenge})
     */
    public record Promotion(String holdout, GateVerdict verdict, Boolean approved, int candidate, Integer champion,
            boolean promoted, String outcome, boolean replayed, String source) {
        /** {@link #source()} of a retrain decision's challenger. */
        public static final String RETRAIN = "retrain";
        /** {@link #source()} of the model step 2 of this run trained. */
        public static final String STEP_2 = "step_2";

        static Promotion ran(String holdout, GateVerdict verdict, boolean approved, String source) {
            return new Promotion(holdout, verdict, approved, verdict.candidate(), verdict.champion(),
                    verdict.promoted(), verdict.outcome().name(), false, source);
        }
    }

    /**
     * What the replay did.
     *
     * @param months          the replayed months
     * @param promotions      the gates this run ran and those of earlier runs, in timeline order; after
     *                        {@link #challenge}, the gate of this run's step 2 model last
     * @param awaitingHoldout challengers whose holdout month is after the last replayed one
     * @param resumed         retraining requests earlier runs left unfinished, as this run's
     *                        {@link Retraining#resumePending} ended them
     */
    public record Result(List<Month> months, List<Promotion> promotions, List<Integer> awaitingHoldout,
            List<RetrainingRequest> resumed) {
        /** The retrains this run carried out (resumed ones included). */
        public int retrains() {
            return (int) months.stream().filter(Month::retrainedNow).count();
        }

        /** The retrains earlier runs carried out, read back from the store. */
        public int retrainsBefore() {
            return (int) months.stream().filter(m -> m.challenger() != null && !m.retrainedNow()).count();
        }

        /** The decisions read back from the store instead of made by this run. */
        public int replayedDecisions() {
            return (int) months.stream().filter(m -> !m.decidedNow()).count();
        }

        /** The gates this run ran. */
        public List<Promotion> ranNow() {
            return promotions.stream().filter(p -> !p.replayed()).toList();
        }

        /** The gates earlier runs ran, replayed from the audit log. */
        public List<Promotion> replayedPromotions() {
            return promotions.stream().filter(Promotion::replayed).toList();
        }
    }

    /**
     * Replays the months of {@code first} to {@code last} (inclusive), starting with {@code initial} serving (the
     * version trained on every day before {@code first}).
     *
     * <p>Every step is idempotent against the store, so a run on a store an earlier run (complete or crashed) left
     * behind continues it instead of redoing it: retraining requests an earlier run left unfinished are completed
     * first ({@link Retraining#resumePending}); a month already decided gets its stored decision back, and its
     * retrain decision is handed to {@link Retraining#act}, which calls the handler only when the decision has no
     * request yet; a challenger whose gate already ran (a {@code promotion.decided} audit event, looked up when its
     * holdout month comes) is not gated again, its stored verdict is replayed. The serving version of each month follows the replayed timeline (the initial
     * version, then each promoted challenger from the month after its holdout), not the alias as it is now, so a
     * second run observes each month as the first run did and moves no alias here (the model its step 2 trained is
     * gated afterwards, {@link #challenge}).
     */
    public Result run(YearMonth first, YearMonth last, int initial) {
        RetrainingPolicy policy = policy();
        PromotionGate gate = gate(mlops);
        RetrainingHandler handler = this::retrain;
        List<RetrainingRequest> resumed = retraining.resumePending(policy, model, handler);
        Set<String> resumedKeys = new HashSet<>();
        for (RetrainingRequest r : resumed) {
            progress.accept("      resumed the unfinished retrain of " + r.windowId() + " (attempt " + r.attempt()
                    + "): " + r.status().id() + r.error().map(e -> ", " + e).orElse(""));
            if (r.status() == RetrainingRequest.Status.COMPLETED) {
                resumedKeys.add(r.idempotencyKey());
            }
        }
        List<Month> months = new ArrayList<>();
        List<Promotion> promotions = new ArrayList<>();
        Integer challenger = null;
        int serving = initial;
        for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
            YearMonth m = month;
            String window = month.toString();
            List<WeatherDay> batch = days.stream().filter(d -> YearMonth.from(d.date()).equals(m)).toList();
            Instant end = start(month.plusMonths(1));

            ModelVersion servingVersion = mlops.registry().getVersion(model, serving).orElseThrow();
            RainClassifier servingModel = load(serving);
            List<WeatherDay> reference = trainingDays(servingVersion).stream()
                    .filter(d -> d.date().getMonth() == m.getMonth()).toList();

            clock.set(start(month));
            List<WindowReport> reports = new ArrayList<>();
            try (DriftMonitor monitor = monitor(profile(reference), batch.size(), clock, reports::add)) {
                for (WeatherDay d : batch) {
                    monitor.record(new double[] {d.precipitation(), d.tempMax(), d.tempMin(), d.wind()},
                            new String[] {d.weather()});
                }
                clock.set(end);
                monitor.closeWindow();
            }
            WindowReport report = reports.get(0);

            Map<String, Double> metrics = servingModel.evaluate(batch);

            int nextServing = serving;
            if (challenger != null) {
                Promotion p = gateOnce(gate, challenger, serving, servingModel, batch, window, metrics);
                promotions.add(p);
                if (p.promoted()) {
                    nextServing = challenger;
                }
                challenger = null;
            }

            // The observation of the month as served by servingVersion; naming its version makes the policy start
            // the per-model history (the accuracy windows) again when a promoted challenger takes over, so the new
            // model is never judged on months the previous one served.
            Observation.Builder observation = Observation.builder(window, end, model)
                    .modelVersion(servingVersion.version())
                    .window(report)
                    .metric("accuracy", metrics.get("accuracy"))
                    .metric("log_loss", metrics.get("log_loss"))
                    .rows(batch.size());
            Double baseline = servingVersion.metrics().get(TRAIN_ACCURACY);
            if (baseline != null) {
                observation.baseline("accuracy", baseline);
            }
            String through = servingVersion.tags().get(TRAINED_THROUGH);
            if (through != null) {
                observation.modelCreatedAt(LocalDate.parse(through).plusDays(1).atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
            }
            // Only for the report: whether the decision is read back; the decision is acted on either way.
            boolean decidedNow = policies.decision(POLICY, model, window).isEmpty();
            Decision decision = policies.evaluate(policy, observation.build());
            // A retrain decision, new or stored, goes to the library, which calls the handler only when the decision
            // has no request yet (a stored one with a request in any state is left to resumePending above).
            Retraining.Outcome outcome = decision.retrain() ? retraining.act(policy, decision, handler)
                    : new Retraining.Outcome(decision, Optional.empty(), false);
            // A request another run is carrying out is waited for, so that its challenger (and so the gate, and
            // the serving version of the months after) is this run's too: every run follows the same timeline.
            Optional<RetrainingRequest> request = outcome.request().map(this::awaitFinished);
            boolean retrainedNow = request.map(r -> r.status() == RetrainingRequest.Status.COMPLETED
                    && (outcome.handled() || resumedKeys.contains(r.idempotencyKey()))).orElse(false);
            Integer retrained = request.filter(r -> r.status() == RetrainingRequest.Status.COMPLETED)
                    .flatMap(r -> challengerOf(r.idempotencyKey())).map(ModelVersion::version).orElse(null);
            List<String> drifted = report.columns().stream().filter(c -> c.drift()).map(c -> c.name()).toList();
            progress.accept(String.format(Locale.ROOT, "      %s: %d days, version %d accuracy %.3f log loss %.3f,"
                    + " drift %s; policy: %s%s%s", window, batch.size(), serving, metrics.get("accuracy"),
                    metrics.get("log_loss"), drifted.isEmpty() ? "none" : drifted, decision.status().id(),
                    decidedNow ? "" : " (stored decision, replayed)", request.map(r -> "; retraining request "
                            + r.status().id() + (retrainedNow ? " (this run)" : " (earlier run)")
                            + r.error().map(e -> ": " + e).orElse("")
                            + (retrained != null ? " -> version " + retrained : "")).orElse("")));
            challenger = retrained;
            months.add(new Month(window, report, serving, metrics, decision, decidedNow, request, retrainedNow,
                    retrained));
            serving = nextServing;
        }
        return new Result(months, promotions, challenger == null ? List.of() : List.of(challenger), resumed);
    }

    /**
     * The handler {@link Retraining} calls once per retrain decision: trains a challenger on the 12 months up to the
     * decision's window (a new version of the training dataset, in a run that records the request: its
     * {@linkplain RetrainingRequest#runTags() tags} and, as an input, the serving version it retrains,
     * {@link RetrainingRequest#recordOn}) and registers it as a new version produced by that run (tagged
     * {@code retraining_decision} with the request's key), so lineage leads from the serving version and from the
     * data through the run to the challenger. Called again for the same key (a crash left the request unfinished),
     * it returns the run of the version registered before instead of training a second one.
     */
    private Optional<String> retrain(RetrainingRequest request) throws IOException {
        Optional<ModelVersion> done = challengerOf(request.idempotencyKey());
        if (done.isPresent()) {
            progress.accept("      retrain of " + request.windowId() + " (attempt " + request.attempt() + "): "
                    + done.get().ref() + " was registered before, not trained again");
            return Optional.ofNullable(done.get().runId());
        }
        YearMonth month = YearMonth.parse(request.windowId());
        Decision decision = request.decision();
        YearMonth from = month.minusMonths(RECENT_MONTHS - 1);
        List<WeatherDay> recent = days.stream().filter(d -> {
            YearMonth m = YearMonth.from(d.date());
            return !m.isBefore(from) && !m.isAfter(month);
        }).toList();
        Path csv = dir.resolve("train-" + from + "-to-" + month + ".csv");
        StringBuilder text = new StringBuilder(SeattleWeather.HEADER).append('\n');
        recent.forEach(d -> text.append(d.line()).append('\n'));
        write(csv, text.toString());
        Created<DatasetVersion> data = mlops.datasets().register(dataset, csv,
                Map.of("window", month.toString(), "from", from.toString(), "to", month.toString()));
        Path modelFile = dir.resolve("model-" + month + ".json");
        String runId = mlops.tracking().run("retrain-rain-classifier", run -> {
            // the request's key tags and its link to the serving version it retrains (an input), so lineage shows
            // serving version -> this run -> the challenger; the library fails a request whose run lacks them
            request.recordOn(run);
            run.logInput(data.value());
            Map<String, String> params = new LinkedHashMap<>();
            params.put("model", "logistic_regression");
            params.put("features", String.join(",", RainClassifier.FEATURES));
            params.put("learning_rate", Double.toString(RainClassifier.LEARNING_RATE));
            params.put("epochs", Integer.toString(RainClassifier.EPOCHS));
            params.put("l2", Double.toString(RainClassifier.L2));
            params.put("train_rows", Integer.toString(recent.size()));
            params.put("policy", POLICY);
            params.put("decision", decision.idempotencyKey());
            params.put("attempt", Integer.toString(request.attempt()));
            run.logParams(params);
            RainClassifier trained = RainClassifier.train(recent, RainClassifier.LEARNING_RATE,
                    RainClassifier.EPOCHS, RainClassifier.L2, (epoch, m) -> {
                        run.logMetric("train_log_loss", m.get("log_loss"), epoch);
                        run.logMetric("train_accuracy", m.get("accuracy"), epoch);
                    });
            write(modelFile, JSON.writeValueAsString(trained.toJson()) + "\n");
            return run.id();
        });
        Map<String, Double> fit = mlops.tracking().get(runId).orElseThrow().latestMetrics().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().value()));
        List<Column> inputs = RainClassifier.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList();
        ModelVersion v = mlops.registry().newVersion(model).run(runId)
                .signature(inputs, List.of(new Column("rain_probability", ColumnType.NUMERIC)))
                .metric(TRAIN_ACCURACY, fit.get("train_accuracy"))
                .metric("train_log_loss", fit.get("train_log_loss"))
                .tag(TRAINED_FROM, from.atDay(1).toString())
                .tag(TRAINED_THROUGH, month.atEndOfMonth().toString())
                .tag(RETRAINING_DECISION, decision.idempotencyKey())
                .description("challenger: logistic regression retrained on " + from + " to " + month
                        + " after policy " + POLICY + " decided to retrain at " + month)
                .upload(modelFile);
        progress.accept("      retrained on " + recent.size() + " days (" + from + " to " + month + "), "
                + dataset + "@" + data.value().version().substring(0, 19) + "..., run " + runId + " -> "
                + v.ref() + " (challenger)");
        return Optional.of(runId);
    }

    /**
     * {@code request} once it is {@code COMPLETED} or {@code FAILED}; while another run has it {@code REQUESTED} or
     * {@code RUNNING}, read again every 100 ms, until it ends or its last change is {@link #RETRAIN_TIMEOUT} old
     * (that run stopped; the next run's {@link Retraining#resumePending} hands it out again): then as it is.
     */
    private RetrainingRequest awaitFinished(RetrainingRequest request) {
        RetrainingRequest r = request;
        while ((r.status() == RetrainingRequest.Status.REQUESTED || r.status() == RetrainingRequest.Status.RUNNING)
                && Instant.now().isBefore(r.updatedAt().plus(RETRAIN_TIMEOUT))) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for retraining request " + r.idempotencyKey(),
                        e);
            }
            r = retraining.request(r.idempotencyKey()).orElse(r);
        }
        return r;
    }

    /** The version a retrain decision's request registered, by its {@value #RETRAINING_DECISION} tag. */
    private Optional<ModelVersion> challengerOf(String idempotencyKey) {
        VersionQuery query = VersionQuery.builder().modelName(model).tag(RETRAINING_DECISION, idempotencyKey).build();
        return mlops.registry().searchVersions(query, PageRequest.first(PageRequest.MAX_PAGE_SIZE)).items().stream()
                .min(Comparator.comparingInt(ModelVersion::version));
    }

    /**
     * The gate verdicts earlier runs recorded for this model's versions taking {@value #PRODUCTION}, by candidate:
     * the data of each candidate's latest {@code promotion.decided} audit event.
     */
    private Map<Integer, Map<String, Object>> storedVerdicts() {
        Map<Integer, Map<String, Object>> out = new HashMap<>();
        String prefix = "model:" + model + "/";
        long after = 0;
        while (true) {
            dev.mlops.Page<AuditEvent> page = mlops.audit().events(after, PageRequest.first(1000));
            for (AuditEvent e : page.items()) {
                after = Math.max(after, e.seq());
                if (e.action().equals("promotion.decided") && e.subject().startsWith(prefix)
                        && e.dataIfPresent().isPresent()) {
                    try {
                        Map<String, Object> data = JSON.readValue(e.dataIfPresent().get(),
                                new TypeReference<Map<String, Object>>() { });
                        if (PRODUCTION.equals(data.get("alias")) && data.get("candidate") instanceof Integer c) {
                            out.put(c, data);
                        }
                    } catch (IOException x) {
                        throw new StorageException("audit event " + e.seq() + " (promotion.decided) has unreadable"
                                + " data: " + x.getMessage(), x);
                    }
                }
            }
            if (page.items().isEmpty() || page.next().isEmpty()) {
                return out;
            }
        }
    }

    /**
     * The gate for {@code candidate}, run by exactly one run of all that share this store. The claim is the
     * candidate's review: the registry decides a version's approval once (a compare-and-set on {@code PENDING} inside
     * the store's write transaction), so of the runs that reach the candidate's holdout at the same time exactly one
     * approves (or rejects) it, and only that run gates it. Every other run replays the verdict from the audit log:
     * one an earlier run recorded, or the claimant's, which it waits for (the claimant records it right after its
     * review, the holdout numbers being computed before). A review older than {@link #GATE_WAIT} without a verdict
     * was left by a run that stopped (or stalls) in between; a run that finds it so gates the candidate then. The
     * verdict itself is recorded once: {@link PromotionGate#promoteOnce} checks in the transaction that records it
     * (with the alias move, for a promotion) that no verdict on the candidate taking {@code production} is recorded,
     * so when a claimant wakes up after another run took its claim over, or two runs took over at once, the later
     * ones get the recorded verdict back and replay it. A run that finds the candidate already promoted by another
     * run's gate before it evaluates (the gate refuses a candidate {@code production} points at) replays that gate's
     * verdict too ({@link #promotedElsewhere}).
     */
    private Promotion gateOnce(PromotionGate gate, int candidate, int champion, RainClassifier championModel,
            List<WeatherDay> holdout, String window, Map<String, Double> championMetrics) {
        Map<String, Object> stored = storedVerdicts().get(candidate);
        if (stored != null) {
            return replayed(window, candidate, stored);
        }
        RainClassifier challengerModel = load(candidate);
        Map<String, Double> candidateMetrics = challengerModel.evaluate(holdout);
        HoldoutEvaluation evaluation = HoldoutEvaluation.builder()
                .candidateMetrics(candidateMetrics)
                .championMetrics(championMetrics)
                .pairedScores(challengerModel.logLosses(holdout), championModel.logLosses(holdout))
                .build();
        ModelRef ref = ModelRef.of(model, candidate);
        // The review is decided on the holdout checks alone: the approval check is the review's consequence.
        GateVerdict preview;
        try {
            preview = gate.evaluate(ref, PRODUCTION, evaluation);
        } catch (ConflictException e) {
            // another run gated and promoted it since the look-up above
            return promotedElsewhere(window, candidate, e);
        }
        boolean holdoutPasses = preview.checks().stream()
                .filter(c -> !c.name().equals(APPROVAL_CHECK))
                .allMatch(GateCheck::passed);
        String summary = String.format(Locale.ROOT, "on the %s holdout (%d days): accuracy %.4f vs %.4f, log loss"
                + " %.4f vs %.4f (champion version %d)", window, holdout.size(), candidateMetrics.get("accuracy"),
                championMetrics.get("accuracy"), candidateMetrics.get("log_loss"), championMetrics.get("log_loss"),
                champion);
        boolean claimed = false;
        if (mlops.registry().getVersion(model, candidate).orElseThrow().approval().status()
                == ApprovalStatus.PENDING) {
            try {
                if (holdoutPasses) {
                    mlops.registry().approve(model, candidate, "quickstart: passed the promotion gate " + summary);
                } else {
                    mlops.registry().reject(model, candidate, "quickstart: failed the promotion gate " + summary);
                }
                claimed = true;
            } catch (ConflictException e) {
                // a run at the same time on this store reviewed it first: that run gates it
            }
        }
        if (!claimed) {
            Optional<Map<String, Object>> theirs = awaitVerdict(candidate);
            if (theirs.isPresent()) {
                return replayed(window, candidate, theirs.get());
            }
            progress.accept("      version " + candidate + " was reviewed more than " + GATE_WAIT.toSeconds()
                    + " s ago without a gate verdict (the run that reviewed it stopped): this run gates it");
        }
        // The gate records a verdict only when none is recorded for the candidate, checked in the transaction that
        // records it: of the runs that get here (the claimant, however late, and a run that took its claim over
        // after GATE_WAIT), exactly one records the verdict and the others replay it.
        Created<GateVerdict> gated;
        try {
            gated = gate.promoteOnce(ref, PRODUCTION, evaluation);
        } catch (ConflictException e) {
            return promotedElsewhere(window, candidate, e);
        }
        if (!gated.created()) {
            progress.accept("      version " + candidate + " was gated by another run meanwhile");
            GateVerdict theirs = gated.value();
            return replayed(window, candidate, theirs.champion(), theirs.promoted(), theirs.outcome().name());
        }
        GateVerdict verdict = gated.value();
        progress.accept("      gate for version " + candidate + " " + summary + ": " + verdict.outcome()
                + (verdict.promoted() ? ", production -> version " + candidate : ""));
        boolean approved = claimed ? holdoutPasses : mlops.registry().getVersion(model, candidate).orElseThrow()
                .approval().status() == ApprovalStatus.APPROVED;
        return Promotion.ran(window, verdict, approved, Promotion.RETRAIN);
    }

    /**
     * The verdict of the run that reviewed {@code candidate}, once its audit event is there; empty when the review
     * is older than {@link #GATE_WAIT} (by the store's time of the review) and still has no verdict.
     */
    private Optional<Map<String, Object>> awaitVerdict(int candidate) {
        while (true) {
            Map<String, Object> stored = storedVerdicts().get(candidate);
            if (stored != null) {
                return Optional.of(stored);
            }
            Instant reviewed = mlops.registry().getVersion(model, candidate).orElseThrow().approval().time();
            if (reviewed == null || !Instant.now().isBefore(reviewed.plus(GATE_WAIT))) {
                return Optional.empty();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the gate verdict of version " + candidate
                        + " of model " + model, e);
            }
        }
    }

    /**
     * The stored verdict of {@code candidate} when the gate refused it with {@code refusal} because {@code production}
     * already points at it: another run gated and promoted it while this one was about to. That run moved the alias
     * and recorded its {@code promotion.decided} event in one transaction, so the verdict is normally there at once;
     * it is read again every 100 ms for up to {@link #GATE_WAIT} all the same. Rethrows {@code refusal} when the alias
     * does not point at the candidate (a conflict of another kind); throws a {@link ConflictException} naming the
     * candidate when the alias points at it without a gate verdict (moved outside the gate).
     */
    private Promotion promotedElsewhere(String window, int candidate, ConflictException refusal) {
        Integer now = mlops.registry().model(model).aliases().get(PRODUCTION);
        if (now == null || now != candidate) {
            throw refusal;
        }
        Instant deadline = Instant.now().plus(GATE_WAIT);
        while (true) {
            Map<String, Object> stored = storedVerdicts().get(candidate);
            if (stored != null) {
                progress.accept("      version " + candidate + " was promoted by another run's gate while this run"
                        + " was about to gate it");
                return replayed(window, candidate, stored);
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new ConflictException("version " + candidate + " of model " + model + " is already the"
                        + " champion ('" + PRODUCTION + "' points at it) but no gate verdict for it appeared in "
                        + GATE_WAIT.toSeconds() + " s: the alias was moved outside the promotion gate");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the gate verdict of version " + candidate
                        + " of model " + model, e);
            }
        }
    }

    /** The promotion of {@code candidate} an earlier run's gate decided, from its audit event. */
    private Promotion replayed(String window, int candidate, Map<String, Object> verdict) {
        return replayed(window, candidate, verdict.get("champion") instanceof Integer c ? c : null,
                Boolean.TRUE.equals(verdict.get("promoted")), String.valueOf(verdict.get("outcome")));
    }

    /** The promotion of {@code candidate} another run's gate decided. */
    private Promotion replayed(String window, int candidate, Integer champion, boolean promoted, String outcome) {
        progress.accept("      gate for version " + candidate + " on the " + window + " holdout ran before: "
                + outcome + " (champion version " + champion + "), not run again");
        return new Promotion(window, null, null, candidate, champion, promoted, outcome, true, Promotion.RETRAIN);
    }

    /**
     * A verdict's reasons, cause first: the failed holdout checks (metrics, significance) and failed registry checks
     * other than approval, then the approval check, which for a challenger the quickstart rejected is the
     * consequence of those holdout checks (the quickstart reviews a challenger on them before gating it). For a
     * verdict that passed, every check's detail in the gate's order.
     */
    public static List<String> reasons(GateVerdict verdict) {
        if (verdict.passed()) {
            return verdict.reasons();
        }
        List<String> out = new ArrayList<>();
        GateCheck approval = null;
        for (GateCheck c : verdict.failedChecks()) {
            if (c.name().equals(APPROVAL_CHECK)) {
                approval = c;
            } else {
                out.add(c.detail());
            }
        }
        if (approval != null) {
            out.add(out.isEmpty() ? approval.detail() : "so the version was rejected and cannot take '"
                    + verdict.alias() + "': " + approval.detail());
        }
        return List.copyOf(out);
    }

    /**
     * The promotion gate for {@code candidate}, the approved model step 2 of this run registered without taking
     * {@code production} (the alias was set): the {@linkplain #stepTwoGate(Mlops) step-2 gate} (the retrain
     * challengers' gate, with superiority on the holdout log loss), against the version {@code production} points at now, on the shared holdout of the latest month up to
     * {@code last} that neither version was trained on (by their {@value #TRAINED_FROM} and
     * {@value #TRAINED_THROUGH} tags); {@code production} moves only when every check passes (compare-and-set
     * against that champion, so a concurrent move ends as {@code CONFLICT}). Returns {@code result} with the verdict
     * appended to its promotions, or, when no such month exists (or the champion's training days are unknown), with
     * the candidate appended to its {@code awaitingHoldout} and no gate run.
     */
    public Result challenge(Result result, int candidate, YearMonth last) {
        Integer champion = mlops.registry().model(model).aliases().get(PRODUCTION);
        if (champion == null || champion == candidate) {
            throw new ConflictException("version " + candidate + " of model " + model + " cannot be gated for '"
                    + PRODUCTION + "': the alias points at " + (champion == null ? "no version" : "it already"));
        }
        ModelVersion candidateVersion = mlops.registry().getVersion(model, candidate).orElseThrow();
        ModelVersion championVersion = mlops.registry().getVersion(model, champion).orElseThrow();
        Optional<YearMonth> holdoutMonth = Optional.empty();
        String seenThrough = null;
        String candidateThrough = candidateVersion.tags().get(TRAINED_THROUGH);
        String championThrough = championVersion.tags().get(TRAINED_THROUGH);
        if (candidateThrough != null && championThrough != null) {
            seenThrough = candidateThrough.compareTo(championThrough) >= 0 ? candidateThrough : championThrough;
            YearMonth after = YearMonth.from(LocalDate.parse(seenThrough)).plusMonths(1);
            if (!after.isAfter(last)) {
                holdoutMonth = Optional.of(last);
            }
        }
        if (holdoutMonth.isEmpty()) {
            progress.accept("      version " + candidate + " (this run's model) is not gated: no month up to " + last
                    + " is unseen by both it and the champion, version " + champion
                    + (seenThrough == null ? " (whose training days are unknown)" : " (trained through "
                            + seenThrough + ")"));
            List<Integer> awaiting = new ArrayList<>(result.awaitingHoldout());
            awaiting.add(candidate);
            return new Result(result.months(), result.promotions(), awaiting, result.resumed());
        }
        YearMonth month = holdoutMonth.get();
        String window = month.toString();
        List<WeatherDay> holdout = days.stream().filter(d -> YearMonth.from(d.date()).equals(month)).toList();
        RainClassifier championModel = load(champion);
        RainClassifier challengerModel = load(candidate);
        Map<String, Double> championMetrics = championModel.evaluate(holdout);
        Map<String, Double> candidateMetrics = challengerModel.evaluate(holdout);
        HoldoutEvaluation evaluation = HoldoutEvaluation.builder()
                .candidateMetrics(candidateMetrics)
                .championMetrics(championMetrics)
                .pairedScores(challengerModel.logLosses(holdout), championModel.logLosses(holdout))
                .build();
        GateVerdict verdict = stepTwoGate(mlops).promote(ModelRef.of(model, candidate), PRODUCTION, evaluation);
        progress.accept(String.format(Locale.ROOT, "      gate for version %d (this run's model) on the %s holdout"
                + " (%d days): accuracy %.4f vs %.4f, log loss %.4f vs %.4f (champion version %d): %s%s", candidate,
                window, holdout.size(), candidateMetrics.get("accuracy"), championMetrics.get("accuracy"),
                candidateMetrics.get("log_loss"), championMetrics.get("log_loss"), champion, verdict.outcome(),
                verdict.promoted() ? ", production -> version " + candidate : ""));
        List<Promotion> promotions = new ArrayList<>(result.promotions());
        promotions.add(Promotion.ran(window, verdict,
                candidateVersion.approval().status() == ApprovalStatus.APPROVED, Promotion.STEP_2));
        return new Result(result.months(), promotions, result.awaitingHoldout(), result.resumed());
    }

    /** The days a version was trained on, by its tags. */
    private List<WeatherDay> trainingDays(ModelVersion version) {
        String from = version.tags().get(TRAINED_FROM);
        String through = version.tags().get(TRAINED_THROUGH);
        if (from == null || through == null) {
            throw new dev.mlops.InvalidArgumentException("model", version.ref() + " has no " + TRAINED_FROM + " and "
                    + TRAINED_THROUGH + " tags: the quickstart cannot tell which days it was trained on");
        }
        LocalDate first = LocalDate.parse(from);
        LocalDate last = LocalDate.parse(through);
        return days.stream().filter(d -> !d.date().isBefore(first) && !d.date().isAfter(last)).toList();
    }

    private RainClassifier load(int version) {
        return loaded.computeIfAbsent(version, v -> {
            ModelVersion mv = mlops.registry().getVersion(model, v).orElseThrow();
            try (InputStream in = mlops.artifacts().open(mv.digest())) {
                return RainClassifier.fromJson(JSON.readValue(in, new TypeReference<Map<String, Object>>() { }));
            } catch (IOException e) {
                throw new StorageException("cannot read the artifact of " + mv.ref() + ": " + e.getMessage(), e);
            }
        });
    }

    private static void write(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A clock the replay moves to each batch's time; UTC. Thread-safe. */
    public static final class SettableClock extends Clock {
        private volatile Instant now;

        public SettableClock(Instant start) {
            this.now = start;
        }

        /** Moves the clock to {@code instant}. */
        public void set(Instant instant) {
            this.now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return zone.equals(ZoneOffset.UTC) ? this : Clock.fixed(now, zone);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
