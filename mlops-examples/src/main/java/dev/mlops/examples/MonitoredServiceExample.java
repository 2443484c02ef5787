package dev.mlops.examples;

import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.WindowReport;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.Observation;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelResolver;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.ResolvedModel;
import dev.mlops.registry.VersionRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A service that watches its own predictions and hands retraining to the application.
 *
 * <p>{@link #predict} serves the version {@code NAME@production} points at (resolved through the registry on every
 * call, the model cached by digest) and records the request's inputs and the predicted probability in a
 * {@link DriftMonitor} against the serving version's reference profile. Labels arrive later through {@link #label};
 * each one counts towards the accuracy of the window it arrives in and adds a value to the {@code error} outcome
 * stream (1 wrong, 0 right) of the decay detector. {@link #closeWindow} (called by the application at its window
 * boundary, for example the end of a month) closes the monitor's window, evaluates the {@link RetrainingPolicy} on
 * the window's drift report, accuracy and outcomes, and acts on it through {@link Mlops#retraining()}: for a
 * {@code retrain} decision the application's {@link RetrainingHandler} is called once, time-boxed, with a
 * {@link RetrainingRequest} (persisted in the store, audited, keyed by the decision's idempotency key, which the
 * handler can deduplicate on); its end is recorded ({@code COMPLETED} or {@code FAILED}) and reported to the policy,
 * so a failure drives the policy's back-off. A window that was already decided (a re-sent window id) returns the
 * stored decision and calls nothing. After a restart, {@link #resumePending} hands out what a crash left unfinished.
 * Window times, decisions and requests use the {@link Mlops} instance's clock.
 *
 * <p>Thread-safe: {@link #predict} and {@link #label} may be called from any number of threads;
 * {@link #closeWindow} is serialised.
 */
public final class MonitoredServiceExample implements AutoCloseable {
    /** The numeric columns the monitor watches: the model's inputs and its prediction. */
    public static final List<String> MONITORED = List.of("temp_max", "temp_min", "wind", "probability");

    /** The reference profile of a model version: the profile of its training inputs and predictions. */
    @FunctionalInterface
    public interface References {
        DatasetProfile of(ModelVersion version);
    }

    /**
     * What closing a window gave.
     *
     * @param request       the retraining request of a {@code retrain} decision, as this call left it (completed or
     *                      failed when this call ran the handler)
     * @param handlerCalled whether this call ran the handler
     */
    public record WindowResult(String windowId, WindowReport report, int servingVersion, long labels,
            Double accuracy, Decision decision, Optional<RetrainingRequest> request, boolean handlerCalled) {
    }

    private final Mlops mlops;
    private final String model;
    private final RetrainingPolicy policy;
    private final Retraining retraining;
    private final Clock clock;
    private final References references;
    private final double ksThreshold;
    private final RetrainingHandler handler;
    private final ModelResolver resolver;
    private final Map<String, LogisticModel> models = new ConcurrentHashMap<>();
    private final Map<Long, Double> pending = new ConcurrentHashMap<>();
    private final Object windowLock = new Object();
    private final AtomicReference<WindowReport> lastReport = new AtomicReference<>();
    private volatile DriftMonitor monitor;
    private volatile int monitoredVersion;
    private long labelled;
    private long correct;
    private List<Double> errors = new ArrayList<>();

    /**
     * @param mlops       the store, the clock of window times and the retraining requests (the caller's; stays
     *                    open)
     * @param model       the registered model; its {@code production} alias must be set
     * @param policy      the retraining policy (its state and decisions kept in the store)
     * @param references  the reference profile of each serving version
     * @param ksThreshold the KS distance beyond which a monitored column drifts (set for the window size, see
     *                    docs/drift.md; about 0.3 for a month of daily rows against two years)
     * @param timeout     the time-box of one handler call
     * @param handler     the application's retraining
     */
    public MonitoredServiceExample(Mlops mlops, String model, RetrainingPolicy policy, References references,
            double ksThreshold, Duration timeout, RetrainingHandler handler) {
        this.mlops = Objects.requireNonNull(mlops, "mlops");
        this.model = Objects.requireNonNull(model, "model");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.retraining = mlops.retraining(timeout, 1);
        this.clock = mlops.clock();
        this.references = Objects.requireNonNull(references, "references");
        this.ksThreshold = ksThreshold;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.resolver = mlops.registry().resolver(Duration.ofSeconds(30), Duration.ofMinutes(10));
        synchronized (windowLock) {
            openMonitor();
        }
    }

    /**
     * The probability of rain for request {@code requestId} (unique per request; its label may follow through
     * {@link #label}), from the serving version; records the inputs and the prediction in the current window.
     */
    public double predict(long requestId, double tempMax, double tempMin, double wind) {
        ResolvedModel resolved = resolver.resolve(model + "@" + ModelServingExample.DEFAULT_ALIAS);
        LogisticModel m = models.computeIfAbsent(resolved.artifact().digest(), this::read);
        double p = m.probability(new double[] {tempMax, tempMin, wind});
        monitor.record(new double[] {tempMax, tempMin, wind, p}, null);
        pending.put(requestId, p);
        return p;
    }

    /** The true outcome of request {@code requestId}; false when the request is unknown or already labelled. */
    public boolean label(long requestId, boolean wet) {
        Double p = pending.remove(requestId);
        if (p == null) {
            return false;
        }
        boolean right = (p >= 0.5) == wet;
        synchronized (windowLock) {
            labelled++;
            if (right) {
                correct++;
            }
            errors.add(right ? 0.0 : 1.0);
        }
        return true;
    }

    /**
     * Closes the current window as {@code windowId} (unique per window, for example {@code 2014-03}), decides it with
     * the policy, and calls the handler for a new {@code retrain} decision (waiting for it, at most the timeout). The
     * next window is monitored against the reference of the version serving then.
     */
    public WindowResult closeWindow(String windowId) {
        synchronized (windowLock) {
            lastReport.set(null);
            monitor.closeWindow();
            WindowReport report = lastReport.get();
            // naming the version the window was monitored for: after a promotion the policy's per-model history
            // (decay detector, metric windows) starts again instead of judging the new version on the old one's data
            Observation.Builder o = Observation.builder(windowId, clock.instant(), model)
                    .modelVersion(monitoredVersion)
                    .rows(report == null ? 0 : report.rows())
                    .outcomes("error", errors);
            if (report != null) {
                o.window(report);
            }
            Double accuracy = labelled == 0 ? null : (double) correct / labelled;
            ModelVersion serving = mlops.registry().getVersion(model, monitoredVersion).orElseThrow();
            if (accuracy != null) {
                o.metric("accuracy", accuracy);
            }
            Double baseline = serving.metrics().get("accuracy_baseline");
            if (baseline != null) {
                o.baseline("accuracy", baseline);
            }
            Retraining.Outcome outcome = retraining.evaluateAndAct(policy, o.build(), handler);
            WindowResult result = new WindowResult(windowId, report, monitoredVersion, labelled, accuracy,
                    outcome.decision(), outcome.request(), outcome.handled());
            labelled = 0;
            correct = 0;
            errors = new ArrayList<>();
            int now = resolver.resolve(model + "@" + ModelServingExample.DEFAULT_ALIAS).version().version();
            if (now != monitoredVersion) {
                monitor.close();
                openMonitor();
            }
            return result;
        }
    }

    /**
     * Hands the requests a crash left unfinished (and retrain decisions stored without a request) to the handler
     * again, with their idempotency keys: for the application to call once after a restart.
     *
     * @return the requests handed out, as they ended
     */
    public List<RetrainingRequest> resumePending() {
        synchronized (windowLock) {
            return retraining.resumePending(policy, model, handler);
        }
    }

    private void openMonitor() {
        ModelVersion serving = resolver.resolve(model + "@" + ModelServingExample.DEFAULT_ALIAS).version();
        monitoredVersion = serving.version();
        monitor = DriftMonitor.builder(references.of(serving))
                .numeric(MONITORED.toArray(String[]::new))
                .windowRows(10_000_000)
                .ksThreshold(ksThreshold)
                .minValues(20)
                .clock(clock)
                .listener(lastReport::set)
                .build();
    }

    private LogisticModel read(String digest) {
        try (InputStream in = mlops.artifacts().open(digest)) {
            return LogisticModel.fromJson(in.readAllBytes());
        } catch (IOException e) {
            throw new StorageException("cannot read model " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Stops monitoring (the last window is not decided); the {@link Mlops} stays open. */
    @Override
    public void close() {
        monitor.close();
    }

    // ---- the demo: an application around the service ---------------------------------------------------------

    /**
     * The example's policy: retrain when the inputs or predictions moved (half the monitored columns drift) and the
     * model's accuracy fell more than 5 % below its baseline in the same month, or when DDM (Gama et al. 2004, its
     * published defaults) detects a change in the error stream; at least 60 days and 60 labelled rows between
     * retrains, at most 4 a year.
     */
    public static RetrainingPolicy demoPolicy() {
        return RetrainingPolicy.builder("rain-service")
                .anyOf(Condition.allOf(Condition.driftShare(0.5),
                                Condition.worseThanBaselineRelative("accuracy", MetricDirection.HIGHER_IS_BETTER,
                                        0.05)),
                        Condition.decay("ddm"))
                .cooldown(Duration.ofDays(60), 60)
                .budget(4, Duration.ofDays(365))
                .build();
    }

    /** What the demo did. */
    public record DemoResult(List<WindowResult> windows, List<String> retrainedFor, int productionAtEnd) {
    }

    /**
     * The demo on the bundled Seattle weather data: a model trained on 2012-2013 serves 2014-2015 day by day, each
     * day's label (rain or not) arriving after its prediction; windows are calendar months, on a clock the demo
     * sets to each month's end; the application's handler trains on the last 365 labelled days in a tracked run that
     * records the request ({@link RetrainingRequest#recordOn}: its key tags and the serving version it retrains),
     * registers the new version as that run's output, approves it and moves {@code production} to it, so lineage
     * shows serving version -> retraining run -> new version.
     *
     * @param builder a builder with the stores (the demo sets the clock and the actor, builds and closes the
     *                instance)
     */
    public static DemoResult demo(Mlops.Builder builder, Path workDir) {
        SettableClock clock = new SettableClock(Instant.parse("2014-01-01T00:00:00Z"));
        try (Mlops mlops = builder.clock(clock).actor("rain-service").build()) {
            return demo(mlops, clock, workDir);
        }
    }

    private static DemoResult demo(Mlops mlops, SettableClock clock, Path workDir) {
        List<String[]> rows = ModelServingExample.weatherRows();
        String model = "seattle-rain-monitored";
        mlops.registry().createModel(model, "Will it rain in Seattle today? (monitored)", Map.of());
        if (mlops.registry().model(model).governance().businessOwner() == null) {
            mlops.registry().setGovernance(model, Governance.builder().businessOwner("weather-desk")
                    .approverRole("model-approver").confidentiality(Confidentiality.INTERNAL)
                    .retrainingPolicy("rain-service").build());
        }
        List<String[]> history = new ArrayList<>(rows.stream().filter(r -> r[0].compareTo("2014") < 0).toList());
        publish(mlops, model, workDir, history, "2012-01-01", "2013-12-31", null);
        List<String> retrainedFor = new CopyOnWriteArrayList<>();
        RetrainingHandler handler = request -> {    // called on a handler thread while closeWindow waits
            retrainedFor.add(request.idempotencyKey());
            List<String[]> recent = history.subList(Math.max(0, history.size() - 365), history.size());
            // a tracked run that records the request: its key tags, and the serving version it retrains as an
            // input, so lineage shows serving version -> this run -> the new version (the library fails a request
            // whose run does not record it)
            return Optional.of(mlops.tracking().run("retrain-rain-service", run -> {
                request.recordOn(run).logParam("rows", Integer.toString(recent.size()));
                publish(mlops, model, workDir, recent, recent.get(0)[0], recent.get(recent.size() - 1)[0], run.id());
                return run.id();
            }));
        };
        References references = version -> {
            LocalDate from = LocalDate.parse(version.tags().get("trained_from"));
            LocalDate to = LocalDate.parse(version.tags().get("trained_through"));
            LogisticModel m = LogisticModel.fromJson(bytes(mlops, version.digest()));
            DatasetProfiler p = DatasetProfiler.builder().numeric(MONITORED.toArray(String[]::new)).build();
            for (String[] r : rows) {
                LocalDate d = LocalDate.parse(r[0]);
                if (!d.isBefore(from) && !d.isAfter(to)) {
                    double[] x = x(r);
                    p.column("temp_max").add(x[0]);
                    p.column("temp_min").add(x[1]);
                    p.column("wind").add(x[2]);
                    p.column("probability").add(m.probability(x));
                }
            }
            return p.toProfile();
        };
        List<WindowResult> windows = new ArrayList<>();
        try (MonitoredServiceExample service = new MonitoredServiceExample(mlops, model, demoPolicy(), references,
                0.3, Duration.ofMinutes(10), handler)) {
            service.resumePending();                // nothing on a fresh store
            long request = 0;
            YearMonth month = YearMonth.of(2014, 1);
            for (String[] r : rows.stream().filter(r -> r[0].compareTo("2014") >= 0).toList()) {
                YearMonth m = YearMonth.parse(r[0].substring(0, 7));
                if (!m.equals(month)) {
                    clock.set(m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
                    windows.add(service.closeWindow(month.toString()));
                    month = m;
                }
                double[] x = x(r);
                service.predict(++request, x[0], x[1], x[2]);
                service.label(request, Double.parseDouble(r[1]) > 0);   // the day's rain, known in the evening
                history.add(r);
            }
            clock.set(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            windows.add(service.closeWindow(month.toString()));
        }
        int production = mlops.registry().model(model).aliases().get(ModelServingExample.DEFAULT_ALIAS);
        return new DemoResult(windows, List.copyOf(retrainedFor), production);
    }

    /** Trains on {@code rows}, registers the model (produced by {@code runId} unless null) and promotes it. */
    private static ModelVersion publish(Mlops mlops, String model, Path workDir, List<String[]> rows, String from,
            String to, String runId) {
        double[][] x = rows.stream().map(MonitoredServiceExample::x).toArray(double[][]::new);
        boolean[] wet = new boolean[rows.size()];
        for (int i = 0; i < wet.length; i++) {
            wet[i] = Double.parseDouble(rows.get(i)[1]) > 0;
        }
        LogisticModel m = LogisticModel.fit(ModelServingExample.FEATURES, x, wet, List.of("dry", "wet"), 300, 0.5);
        Path file = workDir.resolve(model + "-" + from + "-" + to + ".json");
        try {
            Files.write(file, m.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        VersionRegistration registration = mlops.registry().newVersion(model);
        if (runId != null) {
            registration.run(runId);
        }
        ModelVersion v = registration
                .signature(ModelServingExample.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList(),
                        List.of(new Column("probability", ColumnType.NUMERIC)))
                .metric("accuracy_baseline", m.accuracy(x, wet))
                .tag("trained_from", from)
                .tag("trained_through", to)
                .upload(file);
        mlops.registry().approve(model, v.version(), "trained on " + from + " to " + to);
        mlops.registry().setAlias(model, ModelServingExample.DEFAULT_ALIAS, v.version());
        return v;
    }

    private static double[] x(String[] row) {
        return new double[] {Double.parseDouble(row[2]), Double.parseDouble(row[3]), Double.parseDouble(row[4])};
    }

    private static byte[] bytes(Mlops mlops, String digest) {
        try (InputStream in = mlops.artifacts().open(digest)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock the demo moves to each window's end. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
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

    public static void main(String[] args) throws IOException {
        String store = args.length > 0 ? args[0] : "memory:";
        Path work = Files.createTempDirectory("mlops-monitored-service");
        DemoResult r = demo(Mlops.builder().storeUri(store), work);
        for (WindowResult w : r.windows()) {
            System.out.printf(Locale.ROOT, "%s version %d accuracy %.3f drift %s: %s%s%n", w.windowId(),
                    w.servingVersion(), w.accuracy(), w.report() != null && w.report().drift(),
                    w.decision().status().id(), w.decision().reasons().isEmpty() ? ""
                            : " " + w.decision().reasons());
        }
        System.out.println("retrained for " + r.retrainedFor() + "; production -> version " + r.productionAtEnd());
    }
}
