package dev.mlops.cli.quickstart;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.StorageException;
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
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelVersion;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Steps 3 and 4 of {@code mlops quickstart}: replays 2014-2015 month by month as production batches. For each month
 * the days go through a {@link DriftMonitor} (closed with {@link DriftMonitor#closeWindow()} at the month's end, on a
 * clock set to the batch time), the model {@code production} points at is scored on the month's labels, and the
 * retraining {@linkplain #policy() policy} is evaluated on a clock set to the month's end. A retrain decision made by
 * this run trains a challenger on the 12 months up to the batch (a new version of the training dataset, in a tracked
 * run); the challenger then serves in shadow for the next month, which is the shared holdout on which the
 * {@linkplain #gate(Mlops) promotion gate} compares it with the champion; it is approved and takes {@code production}
 * only when the gate passes. See docs/cli.md, "quickstart".
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mlops mlops;
    private final String model;
    private final String dataset;
    private final Path dir;
    private final List<WeatherDay> days;
    private final RetrainingPolicies policies;
    private final SettableClock clock;
    private final Consumer<String> progress;
    private final Map<Integer, RainClassifier> loaded = new HashMap<>();

    /**
     * @param mlops    the store
     * @param model    the registered model whose {@code production} version serves the batches
     * @param dataset  the dataset name retraining data is registered under
     * @param dir      where the retraining CSV files are written
     * @param days     every bundled day, in date order
     * @param policies the policy evaluator; its clock must be {@code clock}
     * @param clock    the clock this replay sets to each batch's time
     * @param progress receives a line per step
     */
    public ProductionReplay(Mlops mlops, String model, String dataset, Path dir, List<WeatherDay> days,
            RetrainingPolicies policies, SettableClock clock, Consumer<String> progress) {
        this.mlops = mlops;
        this.model = model;
        this.dataset = dataset;
        this.dir = dir;
        this.days = List.copyOf(days);
        this.policies = policies;
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

    /** One month of the replay. */
    public record Month(String window, WindowReport report, int servingVersion, Map<String, Double> metrics,
            Decision decision, boolean decidedNow, Integer challenger) {
    }

    /** One gate verdict, on the month that served as its holdout. */
    public record Promotion(String holdout, GateVerdict verdict, boolean approved) {
    }

    /** What the replay did. */
    public record Result(List<Month> months, List<Promotion> promotions, List<Integer> awaitingHoldout) {
        /** The retrains this run carried out. */
        public int retrains() {
            return (int) months.stream().filter(m -> m.challenger() != null).count();
        }
    }

    /**
     * Replays the months of {@code first} to {@code last} (inclusive). The training data is every day before
     * {@code first}.
     */
    public Result run(YearMonth first, YearMonth last) {
        RetrainingPolicy policy = policy();
        PromotionGate gate = gate(mlops);
        List<Month> months = new ArrayList<>();
        List<Promotion> promotions = new ArrayList<>();
        Integer challenger = null;
        for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
            YearMonth m = month;
            String window = month.toString();
            List<WeatherDay> batch = days.stream().filter(d -> YearMonth.from(d.date()).equals(m)).toList();
            Instant end = start(month.plusMonths(1));

            int serving = productionVersion();
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

            if (challenger != null) {
                promotions.add(promote(gate, challenger, serving, servingModel, batch, window, metrics));
                challenger = null;
            }

            Observation.Builder observation = Observation.builder(window, end, model)
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
            boolean known = policies.decision(POLICY, model, window).isPresent();
            Decision decision = policies.evaluate(policy, observation.build());
            boolean decidedNow = !known;
            List<String> drifted = report.columns().stream().filter(c -> c.drift()).map(c -> c.name()).toList();
            progress.accept(String.format(Locale.ROOT, "      %s: %d days, version %d accuracy %.3f log loss %.3f,"
                    + " drift %s; policy: %s%s", window, batch.size(), serving, metrics.get("accuracy"),
                    metrics.get("log_loss"), drifted.isEmpty() ? "none" : drifted, decision.status().id(),
                    decidedNow ? "" : " (decided before)"));
            Integer retrained = null;
            if (decision.retrain() && decidedNow) {
                retrained = retrain(policy, decision, month);
                challenger = retrained;
            }
            months.add(new Month(window, report, serving, metrics, decision, decidedNow, retrained));
        }
        return new Result(months, promotions, challenger == null ? List.of() : List.of(challenger));
    }

    private int retrain(RetrainingPolicy policy, Decision decision, YearMonth month) {
        YearMonth from = month.minusMonths(RECENT_MONTHS - 1);
        List<WeatherDay> recent = days.stream().filter(d -> {
            YearMonth m = YearMonth.from(d.date());
            return !m.isBefore(from) && !m.isAfter(month);
        }).toList();
        try {
            Path csv = dir.resolve("train-" + from + "-to-" + month + ".csv");
            StringBuilder text = new StringBuilder(SeattleWeather.HEADER).append('\n');
            recent.forEach(d -> text.append(d.line()).append('\n'));
            write(csv, text.toString());
            Created<DatasetVersion> data = mlops.datasets().register(dataset, csv,
                    Map.of("window", month.toString(), "from", from.toString(), "to", month.toString()));
            Path modelFile = dir.resolve("model-" + month + ".json");
            String runId = mlops.tracking().run("retrain-rain-classifier", run -> {
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
                    .tag("retraining_decision", decision.idempotencyKey())
                    .description("challenger: logistic regression retrained on " + from + " to " + month
                            + " after policy " + POLICY + " decided to retrain at " + month)
                    .upload(modelFile);
            recordResult(policy, decision, true);
            progress.accept("      retrained on " + recent.size() + " days (" + from + " to " + month + "), "
                    + dataset + "@" + data.value().version().substring(0, 19) + "..., run " + runId + " -> "
                    + v.ref() + " (challenger)");
            return v.version();
        } catch (RuntimeException e) {
            recordResult(policy, decision, false);
            throw e;
        }
    }

    private Promotion promote(PromotionGate gate, int candidate, int champion, RainClassifier championModel,
            List<WeatherDay> holdout, String window, Map<String, Double> championMetrics) {
        RainClassifier challengerModel = load(candidate);
        Map<String, Double> candidateMetrics = challengerModel.evaluate(holdout);
        HoldoutEvaluation evaluation = HoldoutEvaluation.builder()
                .candidateMetrics(candidateMetrics)
                .championMetrics(championMetrics)
                .pairedScores(challengerModel.logLosses(holdout), championModel.logLosses(holdout))
                .build();
        ModelRef ref = ModelRef.of(model, candidate);
        GateVerdict preview = gate.evaluate(ref, PRODUCTION, evaluation);
        boolean othersPass = preview.checks().stream()
                .filter(c -> !c.name().equals("registry.approved"))
                .allMatch(GateCheck::passed);
        String summary = String.format(Locale.ROOT, "on the %s holdout (%d days): accuracy %.4f vs %.4f, log loss"
                + " %.4f vs %.4f (champion version %d)", window, holdout.size(), candidateMetrics.get("accuracy"),
                championMetrics.get("accuracy"), candidateMetrics.get("log_loss"), championMetrics.get("log_loss"),
                champion);
        if (othersPass) {
            mlops.registry().approve(model, candidate, "quickstart: passed the promotion gate " + summary);
        } else {
            mlops.registry().reject(model, candidate, "quickstart: failed the promotion gate " + summary);
        }
        GateVerdict verdict = gate.promote(ref, PRODUCTION, evaluation);
        progress.accept("      gate for version " + candidate + " " + summary + ": " + verdict.outcome()
                + (verdict.promoted() ? ", production -> version " + candidate : ""));
        return new Promotion(window, verdict, othersPass);
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

    private int productionVersion() {
        Integer v = mlops.registry().model(model).aliases().get(PRODUCTION);
        if (v == null) {
            throw new dev.mlops.NotFoundException("model " + model + " has no '" + PRODUCTION + "' alias");
        }
        return v;
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

    /**
     * Reports a retrain's outcome to the policy (it drives the back-off). Another quickstart on the same store may
     * have decided a later retrain meanwhile; the policy then refuses the older outcome with CONFLICT, which only
     * means that this outcome no longer matters to the guards.
     */
    private void recordResult(RetrainingPolicy policy, Decision decision, boolean succeeded) {
        try {
            policies.recordResult(policy, model, decision.windowId(), succeeded);
        } catch (dev.mlops.ConflictException e) {
            progress.accept("      outcome of " + decision.windowId() + " not recorded: " + e.getMessage()
                    + " (another run on this store)");
        }
    }
}
