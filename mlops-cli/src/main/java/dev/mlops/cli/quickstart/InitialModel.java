package dev.mlops.cli.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelVersion;
import dev.mlops.tracking.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Step 2 of {@code mlops quickstart}: a model trained on the training split inside a new tracked run, registered as a
 * new version of the model (its lineage reaches the run and the data) and approved. It takes {@code production}
 * directly only while the model has no {@code production} alias (compare-and-set against "absent"); otherwise (a
 * store an earlier run left behind, or another quickstart on the same store won that race) it is a challenger, which
 * the quickstart gates against the champion ({@link ProductionReplay#challenge}). Every run trains and registers
 * again: the contract's "running it again adds a new training run and model version". Not thread-safe.
 */
public final class InitialModel {
    /** Indented like the CLI's output, so the model file keeps the bytes (and digest) it always had. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The quickstart model's governance record. */
    public static final Governance GOVERNANCE = Governance.builder()
            .businessOwner("quickstart (city operations)")
            .technicalOwner("quickstart (ml platform)")
            .intendedUse("demonstration: daily rain / no-rain forecast for Seattle; not for real decisions")
            .serviceLevel("batch, daily")
            .retrainingPolicy("policy " + ProductionReplay.POLICY + ": retrain on the last 12 months when the month"
                    + " drifts, accuracy decays or the model is a year old; promote through the gate")
            .approverRole("model-approver")
            .confidentiality(Confidentiality.PUBLIC)
            .codeShareable(true)
            .build();

    private InitialModel() {
    }

    /**
     * The version step 2 registered.
     *
     * @param version        the version, approved, as it is after this step
     * @param runId          the run that trained it (new in this call)
     * @param tookProduction whether {@code production} was absent and now points at it; false: it is a challenger
     *                       that only the promotion gate may move {@code production} to
     */
    public record Result(ModelVersion version, String runId, boolean tookProduction) {
    }

    /**
     * Trains a model on {@code train} in a new run of {@code job}, registers it as a new version of {@code model}
     * (the model is created, with {@code governance}, when missing), approves it on its {@code holdout} accuracy, and
     * points {@code production} at it when, and only when, the alias does not exist yet.
     *
     * @param mlops      the store
     * @param model      the registered model (created when missing)
     * @param job        the training run's job name
     * @param data       the registered training split (the run's input)
     * @param train      the days of the training split, in date order
     * @param holdout    the days the run evaluates the model on (logged as {@code holdout_2014_*})
     * @param modelFile  where the model file is written
     * @param governance the model's governance record, recorded when the model has none
     * @param progress   receives a line per step
     */
    public static Result train(Mlops mlops, String model, String job, DatasetVersion data, List<WeatherDay> train,
            List<WeatherDay> holdout, Path modelFile, Governance governance, Consumer<String> progress) {
        LocalDate first = train.get(0).date();
        LocalDate last = train.get(train.size() - 1).date();
        progress.accept("[2/5] Training a rain classifier (logistic regression, " + RainClassifier.EPOCHS
                + " epochs) in a tracked run");
        List<Map<String, Double>> holdoutMetrics = new ArrayList<>();
        String runId = mlops.tracking().run(job, run -> {
            run.logInput(data);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("model", "logistic_regression");
            params.put("features", String.join(",", RainClassifier.FEATURES));
            params.put("label", "weather == rain");
            params.put("learning_rate", Double.toString(RainClassifier.LEARNING_RATE));
            params.put("epochs", Integer.toString(RainClassifier.EPOCHS));
            params.put("l2", Double.toString(RainClassifier.L2));
            params.put("train_rows", Integer.toString(train.size()));
            run.logParams(params);
            RainClassifier trained = RainClassifier.train(train, RainClassifier.LEARNING_RATE,
                    RainClassifier.EPOCHS, RainClassifier.L2, (epoch, metrics) -> {
                        run.logMetric("train_log_loss", metrics.get("log_loss"), epoch);
                        run.logMetric("train_accuracy", metrics.get("accuracy"), epoch);
                    });
            Map<String, Double> eval = trained.evaluate(holdout);
            run.logMetric("holdout_2014_log_loss", eval.get("log_loss"), RainClassifier.EPOCHS);
            run.logMetric("holdout_2014_accuracy", eval.get("accuracy"), RainClassifier.EPOCHS);
            write(modelFile, JSON.writeValueAsString(trained.toJson()) + "\n");
            holdoutMetrics.add(eval);
            return run.id();
        });
        Run run = mlops.tracking().get(runId).orElseThrow();
        progress.accept("      run " + runId + " " + run.status());
        ModelRegistry registry = mlops.registry();
        registry.createModel(model, "Predicts whether it rains in Seattle on a day, from its temperatures and wind",
                Map.of("domain", "weather"));
        if (registry.model(model).governance().businessOwner() == null) {
            registry.setGovernance(model, governance);
        }
        Map<String, Double> eval = holdoutMetrics.get(0);
        List<Column> inputs = RainClassifier.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList();
        ModelVersion v = registry.newVersion(model).run(runId)
                .signature(inputs, List.of(new Column("rain_probability", ColumnType.NUMERIC)))
                .metric("holdout_2014_accuracy", eval.get("accuracy"))
                .metric("holdout_2014_log_loss", eval.get("log_loss"))
                .metric(ProductionReplay.TRAIN_ACCURACY, run.latestMetrics().get("train_accuracy").value())
                .metric("train_log_loss", run.latestMetrics().get("train_log_loss").value())
                .tag(ProductionReplay.TRAINED_FROM, first.toString())
                .tag(ProductionReplay.TRAINED_THROUGH, last.toString())
                .description("logistic regression trained on " + data.name())
                .upload(modelFile);
        registry.approve(model, v.version(), String.format(Locale.ROOT,
                "quickstart: accuracy %.4f on the 2014 holdout", eval.get("accuracy")));
        boolean took = false;
        if (!registry.model(model).aliases().containsKey(ProductionReplay.PRODUCTION)) {
            try {
                registry.setAlias(model, ProductionReplay.PRODUCTION, v.version(), 0);
                took = true;
            } catch (ConflictException e) {
                // another quickstart on this store set it first: this version is a challenger like any other
            }
        }
        progress.accept("      registered " + v.ref() + ", approved; " + (took ? "'" + ProductionReplay.PRODUCTION
                + "' did not exist and now points at it" : "'" + ProductionReplay.PRODUCTION + "' points at version "
                + registry.model(model).aliases().get(ProductionReplay.PRODUCTION) + ": this version is a"
                + " challenger, gated against it after the replay"));
        return new Result(registry.getVersion(model, v.version()).orElseThrow(), runId, took);
    }

    /**
     * The version the replayed timeline starts with: the first version {@code production} ever pointed at (by the
     * audit log's {@code model_alias.set} and {@code model_alias.move} events) that was trained on exactly
     * {@code first} to {@code last} and not for a retrain decision, that is the model 1 of the quickstart that began
     * the stored timeline; {@code fallback} when there is none.
     */
    public static int timelineStart(Mlops mlops, String model, LocalDate first, LocalDate last, int fallback) {
        String subject = "model:" + model + "@" + ProductionReplay.PRODUCTION;
        long after = 0;
        while (true) {
            dev.mlops.Page<AuditEvent> page = mlops.audit().events(after, dev.mlops.PageRequest.first(1000));
            for (AuditEvent e : page.items()) {
                after = Math.max(after, e.seq());
                if ((e.action().equals("model_alias.set") || e.action().equals("model_alias.move"))
                        && subject.equals(e.subject()) && e.dataIfPresent().isPresent()) {
                    Integer to = target(e);
                    if (to != null && isInitial(mlops, model, to, first, last)) {
                        return to;
                    }
                }
            }
            if (page.items().isEmpty() || page.next().isEmpty()) {
                return fallback;
            }
        }
    }

    private static Integer target(AuditEvent e) {
        try {
            Map<String, Object> data = JSON.readValue(e.dataIfPresent().get(),
                    new TypeReference<Map<String, Object>>() { });
            return data.get("to") instanceof Integer to ? to : null;
        } catch (IOException x) {
            throw new StorageException("audit event " + e.seq() + " (" + e.action() + ") has unreadable data: "
                    + x.getMessage(), x);
        }
    }

    private static boolean isInitial(Mlops mlops, String model, int version, LocalDate first, LocalDate last) {
        Optional<ModelVersion> v = mlops.registry().getVersion(model, version);
        return v.isPresent() && first.toString().equals(v.get().tags().get(ProductionReplay.TRAINED_FROM))
                && last.toString().equals(v.get().tags().get(ProductionReplay.TRAINED_THROUGH))
                && !v.get().tags().containsKey(ProductionReplay.RETRAINING_DECISION);
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
}
