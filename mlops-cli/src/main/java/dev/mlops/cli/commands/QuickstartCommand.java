package dev.mlops.cli.commands;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditVerification;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.Output;
import dev.mlops.cli.quickstart.RainClassifier;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.tracking.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlops quickstart}: the main job on the bundled Seattle weather data. Writes the 2012-2013 training split,
 * registers it as a dataset version, trains a rain classifier inside a tracked run (params, metrics, input dataset),
 * registers the model as a new version of {@value #MODEL} (its lineage reaches the run and the data), records the
 * model's governance record, approves the version and points {@code production} at it, verifies the audit log and
 * prints a summary. Every number comes from what it ran. Safe to run several times at once on one store.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Run the main job on the bundled Seattle weather data (2012-2015).")
public final class QuickstartCommand extends BaseCommand {
    static final String DATASET = "seattle-weather-train";
    static final String JOB = "train-rain-classifier";
    static final String MODEL = "seattle-rain-classifier";
    static final double LEARNING_RATE = 0.5;
    static final int EPOCHS = 200;
    static final double L2 = 0.001;
    static final String PRODUCTION = "production";
    static final Governance GOVERNANCE = Governance.builder()
            .businessOwner("quickstart (city operations)")
            .technicalOwner("quickstart (ml platform)")
            .intendedUse("demonstration: daily rain / no-rain forecast for Seattle; not for real decisions")
            .serviceLevel("batch, daily")
            .retrainingPolicy("manual: each quickstart run trains and registers a new version")
            .approverRole("model-approver")
            .confidentiality(Confidentiality.PUBLIC)
            .codeShareable(true)
            .build();

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

            out.progress("[2/5] Training a rain classifier (logistic regression, " + EPOCHS + " epochs) in a tracked run");
            Path modelFile = dir.resolve("model.json");
            Map<String, Object> result = mlops.tracking().run(JOB, run -> {
                run.logInput(trainVersion);
                Map<String, String> params = new LinkedHashMap<>();
                params.put("model", "logistic_regression");
                params.put("features", String.join(",", RainClassifier.FEATURES));
                params.put("label", "weather == rain");
                params.put("learning_rate", Double.toString(LEARNING_RATE));
                params.put("epochs", Integer.toString(EPOCHS));
                params.put("l2", Double.toString(L2));
                params.put("train_rows", Integer.toString(train.size()));
                run.logParams(params);
                RainClassifier model = RainClassifier.train(train, LEARNING_RATE, EPOCHS, L2, (epoch, metrics) -> {
                    run.logMetric("train_log_loss", metrics.get("log_loss"), epoch);
                    run.logMetric("train_accuracy", metrics.get("accuracy"), epoch);
                });
                Map<String, Double> eval = model.evaluate(holdout);
                run.logMetric("holdout_2014_log_loss", eval.get("log_loss"), EPOCHS);
                run.logMetric("holdout_2014_accuracy", eval.get("accuracy"), EPOCHS);
                write(modelFile, Output.mapper().writeValueAsString(model.toJson()) + "\n");
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("run_id", run.id());
                r.put("holdout", eval);
                return r;
            });
            String runId = (String) result.get("run_id");
            @SuppressWarnings("unchecked")
            Map<String, Double> holdoutMetrics = (Map<String, Double>) result.get("holdout");
            Run run = mlops.tracking().get(runId).orElseThrow();
            out.progress("      run " + runId + " " + run.status());

            out.progress("[3/5] Registering the model, approving it and pointing 'production' at it");
            ModelVersion version = registerAndPromote(mlops, runId, modelFile, holdoutMetrics);
            ArtifactRef artifact = version.artifact();
            out.progress("      " + version.ref() + " " + version.status() + " " + version.approval().status()
                    + " " + version.digest());
            List<Integer> versions = allVersions(mlops);
            RegisteredModel registered = mlops.registry().model(MODEL);

            out.progress("[4/5] Lineage: " + mlops.lineage().upstream(dev.mlops.lineage.NodeRef.run(runId), 1)
                    .edges().size() + " input edge(s) into the run, "
                    + mlops.tracking().get(runId).orElseThrow().outputs().size() + " output(s); "
                    + mlops.lineage().upstream(version.node(), 10).nodes().size() + " nodes upstream of "
                    + version.node());

            out.progress("[5/5] Verifying the audit log");
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
            modelView.put("registered_version", version.version());
            modelView.put("digest", version.digest());
            modelView.put("status", version.status().name());
            modelView.put("approval", version.approval().status().name());
            summary.put("model", modelView);
            Map<String, Object> auditView = new LinkedHashMap<>();
            auditView.put("ok", audit.ok());
            auditView.put("events", audit.events());
            summary.put("audit", auditView);
            if (json()) {
                out.json(summary);
            } else {
                out.line("Quickstart finished.");
                out.line("  training dataset  " + DATASET + "@" + trainVersion.version() + " (" + trainVersion.rowCount()
                        + " rows)");
                out.line("  run               " + runId + " " + run.status());
                metrics.forEach((k, v) -> out.line(String.format("    %-24s %.4f", k, (Double) v)));
                out.line("  model             " + version.ref() + " " + version.status() + ", "
                        + version.approval().status() + ", production -> version "
                        + registered.aliases().get(PRODUCTION) + " (versions " + versions + ")");
                out.line("  model artifact    " + artifact.digest());
                out.line("  audit             " + (audit.ok() ? "ok" : "TAMPERED") + ", " + audit.events() + " events");
                out.line("Next: mlops models versions " + MODEL + "   |   mlops lineage model:" + MODEL
                        + "@production --upstream");
            }
            return audit.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }

    /**
     * Registers the model file as a new version produced by {@code runId}, records the governance record (once),
     * approves the version and points {@code production} at it. Several quickstarts at once each get their own
     * version number; the alias ends at one of them.
     */
    private static ModelVersion registerAndPromote(Mlops mlops, String runId, Path modelFile,
            Map<String, Double> holdout) {
        ModelRegistry registry = mlops.registry();
        registry.createModel(MODEL, "Predicts whether it rains in Seattle on a day, from its temperatures and wind",
                Map.of("domain", "weather"));
        if (registry.model(MODEL).governance().businessOwner() == null) {
            registry.setGovernance(MODEL, GOVERNANCE);
        }
        List<Column> inputs = RainClassifier.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList();
        ModelVersion v = registry.newVersion(MODEL).run(runId)
                .signature(inputs, List.of(new Column("rain_probability", ColumnType.NUMERIC)))
                .metric("holdout_2014_accuracy", holdout.get("accuracy"))
                .metric("holdout_2014_log_loss", holdout.get("log_loss"))
                .description("logistic regression trained on " + DATASET)
                .upload(modelFile);
        registry.approve(MODEL, v.version(), String.format(Locale.ROOT,
                "quickstart: accuracy %.4f on the 2014 holdout", holdout.get("accuracy")));
        registry.setAlias(MODEL, PRODUCTION, v.version());
        return registry.getVersion(MODEL, v.version()).orElseThrow();
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
