package dev.mlops.cli.commands;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditVerification;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.Output;
import dev.mlops.cli.quickstart.InitialModel;
import dev.mlops.cli.quickstart.ProductionReplay;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.ColumnValues;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftReportHtml;
import dev.mlops.drift.WindowColumn;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.GateCheck;
import dev.mlops.policy.GateVerdict;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.tracking.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlops quickstart}: the main job on the bundled Seattle weather data. Writes the 2012-2013 training split,
 * registers it as a dataset version, trains a rain classifier inside a new tracked run, registers and approves it, and
 * deploys it when {@code production} is not set yet ({@link InitialModel}); then replays 2014-2015 as monthly
 * production batches through drift monitoring, evaluates the retraining policy after each batch, hands retrain decisions to {@link Mlops#retraining()}, and gates
 * and promotes the challengers ({@link ProductionReplay}); writes the HTML drift report, verifies the audit log and
 * prints a summary. Every number comes from what it ran. Run again on the same store, it trains and registers a new
 * model version in a new run (the same training bytes are the same dataset version), which takes {@code production}
 * only through the promotion gate against the champion; the replay continues what is stored (finishing a retrain a
 * crashed run left unfinished), gets the decided windows' stored decisions back and retrains nothing twice; the
 * summary marks what it read back as replayed. See docs/cli.md, "quickstart".
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Run the main job on the bundled Seattle weather data (2012-2015).")
public final class QuickstartCommand extends BaseCommand {
    static final String DATASET = "seattle-weather-train";
    static final String JOB = "train-rain-classifier";
    static final String MODEL = "seattle-rain-classifier";
    static final String PRODUCTION = ProductionReplay.PRODUCTION;
    static final YearMonth FIRST_BATCH = YearMonth.of(2014, 1);
    static final YearMonth LAST_BATCH = YearMonth.of(2015, 12);

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./mlops-data/quickstart",
            description = "Where to write train.csv, the model and reports (default ./mlops-data/quickstart).")
    Path dataDir;

    @Override
    public Integer call() {
        Output out = output();
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidArgumentException("--data-dir", "cannot create " + dir + ": " + e.getMessage(), e);
        }
        List<WeatherDay> days = SeattleWeather.load();
        List<WeatherDay> train = days.stream().filter(d -> d.date().getYear() <= 2013).toList();
        List<WeatherDay> holdout = days.stream().filter(d -> d.date().getYear() == 2014).toList();
        out.progress("[1/5] Writing the 2012-2013 training split (" + train.size() + " days) to " + dir.resolve("train.csv"));
        Path trainCsv = dir.resolve("train.csv");
        StringBuilder csv = new StringBuilder(SeattleWeather.HEADER).append('\n');
        train.forEach(d -> csv.append(d.line()).append('\n'));
        write(trainCsv, csv.toString());

        try (Mlops mlops = open()) {
            Created<DatasetVersion> dataset = mlops.datasets().register(DATASET, trainCsv);
            DatasetVersion trainVersion = dataset.value();
            out.progress("      " + (dataset.created() ? "registered " : "already registered ") + DATASET + "@"
                    + trainVersion.version());

            InitialModel.Result initial = InitialModel.train(mlops, MODEL, JOB, trainVersion, train, holdout,
                    dir.resolve("model.json"), InitialModel.GOVERNANCE, out::progress);
            String runId = initial.runId();
            ModelVersion version = initial.version();
            Run run = mlops.tracking().get(runId).orElseThrow();
            ArtifactRef artifact = version.artifact();
            out.progress("      " + version.ref() + " " + version.status() + " " + version.approval().status()
                    + " " + version.digest());
            out.progress("      lineage: " + mlops.lineage().upstream(dev.mlops.lineage.NodeRef.run(runId), 1)
                    .edges().size() + " input edge(s) into the run, "
                    + mlops.tracking().get(runId).orElseThrow().outputs().size() + " output(s); "
                    + mlops.lineage().upstream(version.node(), 10).nodes().size() + " nodes upstream of "
                    + version.node());

            out.progress("[3/5] Replaying " + FIRST_BATCH + " to " + LAST_BATCH + " as monthly production batches"
                    + " through a drift monitor (each month against the training days of its calendar month),"
                    + " labels alongside");
            out.progress("[4/5] Evaluating retraining policy " + ProductionReplay.POLICY + " after each batch;"
                    + " retraining on the last " + ProductionReplay.RECENT_MONTHS + " months when it fires, then the"
                    + " promotion gate on the next month");
            Integer productionBefore = mlops.registry().model(MODEL).aliases().get(PRODUCTION);
            // The stored timeline began with the model 1 that first took production (this run's on a fresh store).
            int timelineStart = InitialModel.timelineStart(mlops, MODEL, train.get(0).date(),
                    train.get(train.size() - 1).date(), version.version());
            ProductionReplay.SettableClock clock = new ProductionReplay.SettableClock(
                    ProductionReplay.start(FIRST_BATCH));
            // Results of the retrains are reported to the same policies, so back-off and cooldown are measured on
            // the replay's clock.
            RetrainingPolicies replayPolicies = policies(mlops, clock);
            ProductionReplay replayer = new ProductionReplay(mlops, MODEL, DATASET, dir, days, replayPolicies,
                    mlops.retraining(replayPolicies, ProductionReplay.RETRAIN_TIMEOUT, 1), clock, out::progress);
            ProductionReplay.Result replay = replayer.run(FIRST_BATCH, LAST_BATCH, timelineStart);
            if (!initial.tookProduction()) {
                out.progress("      gating version " + version.version() + ", this run's model, against the"
                        + " champion");
                replay = replayer.challenge(replay, version.version(), LAST_BATCH);
            }
            List<Integer> versions = allVersions(mlops);
            RegisteredModel registered = mlops.registry().model(MODEL);

            out.progress("[5/5] Writing the drift report of " + FIRST_BATCH.getYear() + "-" + LAST_BATCH.getYear()
                    + " against the training data, verifying the audit log");
            Path reportFile = dir.resolve("drift-report.html");
            Map<String, Object> driftReport = writeDriftReport(days, reportFile);
            out.progress("      " + reportFile + ": dataset drift " + driftReport.get("dataset_drift")
                    + ", drifted columns " + driftReport.get("drifted_columns"));
            AuditVerification audit = mlops.audit().verify();
            out.progress("      " + (audit.ok() ? "intact" : "TAMPERED at seq " + audit.firstBadSeq()) + ", "
                    + audit.events() + " events");

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("store", mlops.storeDescription());
            Map<String, Object> ds = new LinkedHashMap<>();
            ds.put("name", trainVersion.name());
            ds.put("version", trainVersion.version());
            ds.put("path", trainCsv.toString());
            ds.put("rows", trainVersion.rowCount());
            ds.put("created", dataset.created());
            summary.put("training_dataset", ds);
            Map<String, Object> runView = new LinkedHashMap<>();
            runView.put("id", runId);
            runView.put("job", JOB);
            runView.put("status", run.status().name());
            Map<String, Object> metrics = new TreeMap<>();
            run.latestMetrics().forEach((k, p) -> metrics.put(k, p.value()));
            runView.put("metrics", metrics);
            summary.put("run", runView);
            Map<String, Object> art = new LinkedHashMap<>();
            art.put("name", MODEL);
            art.put("digest", artifact.digest());
            art.put("size_bytes", artifact.sizeBytes());
            art.put("uri", artifact.uri());
            summary.put("model_artifact", art);
            Map<String, Object> modelView = new LinkedHashMap<>();
            modelView.put("name", MODEL);
            modelView.put("versions", versions);
            modelView.put("production", registered.aliases().get(PRODUCTION));
            modelView.put("production_before", productionBefore);
            modelView.put("registered_version", version.version());
            modelView.put("took_production", initial.tookProduction());
            modelView.put("timeline_start", timelineStart);
            modelView.put("digest", version.digest());
            modelView.put("status", version.status().name());
            modelView.put("approval", version.approval().status().name());
            summary.put("model", modelView);
            Map<String, Object> auditView = new LinkedHashMap<>();
            auditView.put("ok", audit.ok());
            auditView.put("events", audit.events());
            summary.put("monitoring", monitoringView(replay));
            summary.put("retraining", retrainingView(replay));
            summary.put("promotions", replay.ranNow().stream().map(QuickstartCommand::promotionView).toList());
            summary.put("replayed_promotions", replay.replayedPromotions().stream()
                    .map(QuickstartCommand::replayedPromotionView).toList());
            summary.put("drift_report", driftReport);
            summary.put("audit", auditView);
            if (json()) {
                out.json(summary);
            } else {
                out.line("Quickstart finished.");
                out.line("  training dataset  " + DATASET + "@" + trainVersion.version() + " (" + trainVersion.rowCount()
                        + " rows)");
                out.line("  run               " + runId + " " + run.status());
                metrics.forEach((k, v) -> out.line(String.format("    %-24s %.4f", k, (Double) v)));
                out.line("  model             " + version.ref() + (initial.tookProduction() ? "" : " (challenger)") + " "
                        + version.status() + ", " + version.approval().status() + ", production -> version "
                        + registered.aliases().get(PRODUCTION) + (productionBefore == null ? ""
                                : " (was " + productionBefore + ")") + " (versions " + versions + ")");
                out.line("  model artifact    " + artifact.digest());
                Map<String, Object> monitoring = monitoringView(replay);
                out.line("  monitoring        " + monitoring.get("windows") + " monthly windows, "
                        + monitoring.get("drifted_windows") + " drifted " + monitoring.get("drifted"));
                out.line("  retraining        " + replay.retrains() + " retrain(s) by policy "
                        + ProductionReplay.POLICY + " in this run, " + replay.retrainsBefore() + " by earlier runs; "
                        + replay.replayedDecisions() + " of " + replay.months().size()
                        + " decisions read back from the store");
                for (ProductionReplay.Month m : replay.months()) {
                    if (m.decision().triggered()) {
                        out.line("    " + m.window() + " " + m.decision().status().id()
                                + (m.decidedNow() ? "" : " (stored)") + ": "
                                + String.join("; ", m.decision().reasons())
                                + m.request().map(r -> " [request " + r.status().id() + "]").orElse("")
                                + (m.challenger() != null ? " -> version " + m.challenger()
                                        + (m.retrainedNow() ? "" : " (earlier run)") : ""));
                    }
                }
                for (ProductionReplay.Promotion p : replay.promotions()) {
                    out.line("  promotion         version " + p.candidate() + " vs " + p.champion() + " on "
                            + p.holdout() + ": " + p.outcome() + (p.replayed() ? " (earlier run)" : "")
                            + (ProductionReplay.Promotion.STEP_2.equals(p.source()) ? " (this run's model)" : ""));
                    if (p.verdict() != null && !p.verdict().passed()) {
                        ProductionReplay.reasons(p.verdict()).forEach(r -> out.line("    failed: " + r));
                    }
                }
                if (!replay.awaitingHoldout().isEmpty()) {
                    out.line("  awaiting holdout  versions " + replay.awaitingHoldout());
                }
                out.line("  drift report      " + reportFile);
                out.line("  audit             " + (audit.ok() ? "ok" : "TAMPERED") + ", " + audit.events() + " events");
                out.line("Next: mlops models versions " + MODEL + "   |   mlops lineage model:" + MODEL
                        + "@production --upstream");
            }
            return audit.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }

    /**
     * The retraining policies' evaluator, with its state and decisions in the store ({@link Mlops#policies}), evaluated
     * at the replay's clock (each month's end): a second run on the same store gets the stored decisions of the months
     * already decided back, and the policy's cooldowns and budget carry over. ({@link Mlops#retraining()} evaluates at
     * the instance's clock, so the replay evaluates here and hands each decision to {@code Retraining.act}.)
     */
    private static RetrainingPolicies policies(Mlops mlops, Clock clock) {
        return mlops.policies(DetectorFactory.standard(), clock);
    }

    private static Map<String, Object> monitoringView(ProductionReplay.Result replay) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", replay.months().size());
        List<String> drifted = replay.months().stream().filter(x -> x.report().drift())
                .map(ProductionReplay.Month::window).toList();
        m.put("drifted_windows", drifted.size());
        m.put("drifted", drifted);
        m.put("reference", "the serving model's training days in the same calendar month");
        m.put("alpha", ProductionReplay.ALPHA);
        m.put("min_values", ProductionReplay.MIN_VALUES);
        return m;
    }

    private static Map<String, Object> retrainingView(ProductionReplay.Result replay) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("policy", ProductionReplay.POLICY);
        r.put("retrains", replay.retrains());
        r.put("retrains_before", replay.retrainsBefore());
        r.put("decided_now", replay.months().size() - replay.replayedDecisions());
        r.put("replayed", replay.replayedDecisions());
        r.put("resumed", replay.resumed().stream().map(QuickstartCommand::requestView).toList());
        List<Map<String, Object>> decisions = new ArrayList<>();
        for (ProductionReplay.Month m : replay.months()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("window", m.window());
            d.put("retrain", m.decision().retrain());
            d.put("status", m.decision().status().id());
            d.put("reasons", m.decision().reasons());
            d.put("serving_version", m.servingVersion());
            d.put("accuracy", m.metrics().get("accuracy"));
            d.put("log_loss", m.metrics().get("log_loss"));
            d.put("drifted_columns", m.report().columns().stream().filter(WindowColumn::drift)
                    .map(WindowColumn::name).toList());
            d.put("decided_now", m.decidedNow());
            d.put("replayed", !m.decidedNow());
            d.put("request", m.request().map(QuickstartCommand::requestView).orElse(null));
            d.put("retrained_now", m.retrainedNow());
            d.put("challenger", m.challenger());
            decisions.add(d);
        }
        r.put("decisions", decisions);
        r.put("awaiting_holdout", replay.awaitingHoldout());
        return r;
    }

    private static Map<String, Object> requestView(RetrainingRequest q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", q.idempotencyKey());
        m.put("window", q.windowId());
        m.put("status", q.status().id());
        m.put("attempt", q.attempt());
        m.put("run_id", q.runId().orElse(null));
        m.put("error", q.error().orElse(null));
        return m;
    }

    private static Map<String, Object> replayedPromotionView(ProductionReplay.Promotion p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidate", p.candidate());
        m.put("champion", p.champion());
        m.put("promoted", p.promoted());
        m.put("outcome", p.outcome());
        m.put("holdout", p.holdout());
        m.put("replayed", true);
        m.put("source", p.source());
        return m;
    }

    private static Map<String, Object> promotionView(ProductionReplay.Promotion p) {
        GateVerdict v = p.verdict();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidate", v.candidate());
        m.put("champion", v.champion());
        m.put("promoted", v.promoted());
        m.put("outcome", v.outcome().name());
        m.put("holdout", p.holdout());
        m.put("replayed", false);
        m.put("source", p.source());
        m.put("approved", p.approved());
        m.put("reasons", ProductionReplay.reasons(v));
        List<Map<String, Object>> checks = new ArrayList<>();
        for (GateCheck c : v.checks()) {
            Map<String, Object> cv = new LinkedHashMap<>();
            cv.put("name", c.name());
            cv.put("passed", c.passed());
            cv.put("measured", c.measured() == null || !Double.isFinite(c.measured()) ? null : c.measured());
            cv.put("threshold", c.threshold());
            checks.add(cv);
        }
        m.put("checks", checks);
        return m;
    }

    /**
     * Compares the production years with the training years (whole years, so the seasons cancel) and writes the
     * HTML page; returns the summary's view of it.
     */
    private static Map<String, Object> writeDriftReport(List<WeatherDay> days, Path file) {
        List<WeatherDay> reference = days.stream().filter(d -> d.date().isBefore(FIRST_BATCH.atDay(1))).toList();
        List<WeatherDay> current = days.stream().filter(d -> !YearMonth.from(d.date()).isBefore(FIRST_BATCH)
                && !YearMonth.from(d.date()).isAfter(LAST_BATCH)).toList();
        Map<String, ColumnValues> ref = columns(reference);
        Map<String, ColumnValues> cur = columns(current);
        DriftReport report = DriftAnalyzer.builder().build().analyze(ref, cur);
        write(file, DriftReportHtml.toHtml(report, ref, cur, "Seattle weather: " + FIRST_BATCH.getYear() + "-"
                + LAST_BATCH.getYear() + " (production) against 2012-2013 (training)"));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", file.toString());
        view.put("reference", "training: " + reference.get(0).date() + " to " + reference.get(reference.size() - 1)
                .date() + " (" + reference.size() + " days)");
        view.put("current", "production: " + current.get(0).date() + " to " + current.get(current.size() - 1).date()
                + " (" + current.size() + " days)");
        view.put("dataset_drift", report.datasetDrift());
        view.put("drifted_columns", report.columns().stream().filter(c -> c.drift()).map(c -> c.name()).toList());
        return view;
    }

    private static Map<String, ColumnValues> columns(List<WeatherDay> rows) {
        Map<String, ColumnValues> m = new LinkedHashMap<>();
        m.put("precipitation", ColumnValues.numeric(rows.stream().mapToDouble(WeatherDay::precipitation).toArray(), 0));
        m.put("temp_max", ColumnValues.numeric(rows.stream().mapToDouble(WeatherDay::tempMax).toArray(), 0));
        m.put("temp_min", ColumnValues.numeric(rows.stream().mapToDouble(WeatherDay::tempMin).toArray(), 0));
        m.put("wind", ColumnValues.numeric(rows.stream().mapToDouble(WeatherDay::wind).toArray(), 0));
        m.put("weather", ColumnValues.categorical(rows.stream().map(WeatherDay::weather).toArray(String[]::new), 0));
        return m;
    }

    private static List<Integer> allVersions(Mlops mlops) {
        return Pages.all(page -> mlops.registry().searchVersions(VersionQuery.of(MODEL), page)).stream()
                .map(ModelVersion::version).toList();
    }

    private static void write(Path file, String text) {
        try {
            // A temp name of its own, so that quickstarts running at once never move each other's files.
            Path tmp = file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidArgumentException("--data-dir", "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
