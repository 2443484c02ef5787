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
import dev.mlops.data.DatasetVersion;
import dev.mlops.tracking.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlops quickstart}: the main job on the bundled Seattle weather data. Writes the 2012-2013 training split,
 * registers it as a dataset version, trains a rain classifier inside a tracked run (params, metrics, input dataset,
 * model artifact as output), verifies the audit log and prints a summary. Every number comes from what it ran.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Run the main job on the bundled Seattle weather data (2012-2015).")
public final class QuickstartCommand extends BaseCommand {
    static final String DATASET = "seattle-weather-train";
    static final String JOB = "train-rain-classifier";
    static final String MODEL = "seattle-rain-classifier";
    static final double LEARNING_RATE = 0.5;
    static final int EPOCHS = 200;
    static final double L2 = 0.001;

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
        out.progress("[1/4] Writing the 2012-2013 training split (" + train.size() + " days) to " + dir.resolve("train.csv"));
        Path trainCsv = dir.resolve("train.csv");
        StringBuilder csv = new StringBuilder(SeattleWeather.HEADER).append('\n');
        train.forEach(d -> csv.append(d.line()).append('\n'));
        write(trainCsv, csv.toString());

        try (Mlops mlops = open()) {
            Created<DatasetVersion> dataset = mlops.datasets().register(DATASET, trainCsv);
            DatasetVersion trainVersion = dataset.value();
            out.progress("      " + (dataset.created() ? "registered " : "already registered ") + DATASET + "@"
                    + trainVersion.version());

            out.progress("[2/4] Training a rain classifier (logistic regression, " + EPOCHS + " epochs) in a tracked run");
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
                ArtifactRef artifact = run.logArtifact(MODEL, modelFile);
                Run stored = run.snapshot();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("run_id", run.id());
                r.put("artifact", artifact);
                r.put("metrics", stored.latestMetrics());
                return r;
            });
            String runId = (String) result.get("run_id");
            ArtifactRef artifact = (ArtifactRef) result.get("artifact");
            Run run = mlops.tracking().get(runId).orElseThrow();
            out.progress("      run " + runId + " " + run.status() + ", model artifact " + artifact.digest());

            out.progress("[3/4] Lineage: " + mlops.lineage().upstream(dev.mlops.lineage.NodeRef.run(runId), 1)
                    .edges().size() + " input edge(s) into the run, " + run.outputs().size() + " output(s)");

            out.progress("[4/4] Verifying the audit log");
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
                out.line("  model artifact    " + artifact.digest());
                out.line("  audit             " + (audit.ok() ? "ok" : "TAMPERED") + ", " + audit.events() + " events");
                out.line("Next: mlops runs show " + runId + "   |   mlops lineage run:" + runId + " --upstream");
            }
            return audit.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }

    private static void write(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidArgumentException("--data-dir", "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
