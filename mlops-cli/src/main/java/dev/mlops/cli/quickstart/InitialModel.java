package dev.mlops.cli.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.tracking.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Step 2 of {@code mlops quickstart}: the initial model, trained on the training split inside a tracked run,
 * registered as a version of the model (its lineage reaches the run and the data), approved, with {@code production}
 * pointing at it. Idempotent against the store: a store where an earlier run registered the initial model gets that
 * version back (not trained again, no new version), with what a crash left undone completed (the approval, the
 * alias while it is not set); a {@code production} alias that is set is never moved here, only through the gate.
 * Not thread-safe.
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
     * The initial version.
     *
     * @param version the version, as it is after this step
     * @param runId   the run that trained it
     * @param created whether this call trained and registered it (false: an earlier run did)
     */
    public record Result(ModelVersion version, String runId, boolean created) {
    }

    /**
     * Returns the initial version of {@code model}, training and registering it when the store has none.
     *
     * @param mlops      the store
     * @param model      the registered model (created when missing)
     * @param job        the training run's job name
     * @param data       the registered training split
     * @param train      the days of the training split, in date order
     * @param holdout    the days the run evaluates the model on (logged as {@code holdout_2014_*})
     * @param modelFile  where the model file is written
     * @param governance the model's governance record, recorded once
     * @param progress   receives a line per step
     */
    public static Result ensure(Mlops mlops, String model, String job, DatasetVersion data, List<WeatherDay> train,
            List<WeatherDay> holdout, Path modelFile, Governance governance, Consumer<String> progress) {
        LocalDate first = train.get(0).date();
        LocalDate last = train.get(train.size() - 1).date();
        Optional<ModelVersion> existing = find(mlops, model, first, last);
        if (existing.isPresent()) {
            ModelVersion v = existing.get();
            progress.accept("[2/5] The rain classifier trained on " + first + " to " + last + " is already"
                    + " registered: " + v.ref() + " (run " + v.runId() + "); not trained again, and '"
                    + ProductionReplay.PRODUCTION + "' is not moved");
            return new Result(complete(mlops, model, v), v.runId(), false);
        }
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
        progress.accept("      registering the model, approving it and pointing '" + ProductionReplay.PRODUCTION
                + "' at it");
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
        return new Result(complete(mlops, model, v), runId, true);
    }

    /**
     * The initial version's remaining setup: approves it while its approval is pending, and points
     * {@code production} at it while {@code production} is not set. Never moves a set alias.
     */
    private static ModelVersion complete(Mlops mlops, String model, ModelVersion v) {
        ModelRegistry registry = mlops.registry();
        if (v.approval().status() == ApprovalStatus.PENDING) {
            try {
                registry.approve(model, v.version(), String.format(Locale.ROOT,
                        "quickstart: accuracy %.4f on the 2014 holdout", v.metrics().get("holdout_2014_accuracy")));
            } catch (ConflictException e) {
                // a quickstart at the same time on this store approved it first
            }
        }
        if (!registry.model(model).aliases().containsKey(ProductionReplay.PRODUCTION)) {
            // on a store that is fresh when several quickstarts start, the alias ends at one of their versions 1
            registry.setAlias(model, ProductionReplay.PRODUCTION, v.version());
        }
        return registry.getVersion(model, v.version()).orElseThrow();
    }

    /**
     * The initial version an earlier run registered: the first version trained on exactly the training split (its
     * {@code trained_from} and {@code trained_through} tags) that no retrain decision produced.
     */
    private static Optional<ModelVersion> find(Mlops mlops, String model, LocalDate first, LocalDate last) {
        if (mlops.registry().getModel(model).isEmpty()) {
            return Optional.empty();
        }
        VersionQuery query = VersionQuery.builder().modelName(model)
                .tag(ProductionReplay.TRAINED_FROM, first.toString())
                .tag(ProductionReplay.TRAINED_THROUGH, last.toString()).build();
        List<ModelVersion> found = new ArrayList<>();
        dev.mlops.PageRequest page = dev.mlops.PageRequest.first(dev.mlops.PageRequest.MAX_PAGE_SIZE);
        while (true) {
            dev.mlops.Page<ModelVersion> p = mlops.registry().searchVersions(query, page);
            found.addAll(p.items());
            if (p.next().isEmpty() || p.items().isEmpty()) {
                break;
            }
            page = new dev.mlops.PageRequest(page.pageSize(), p.next().get());
        }
        return found.stream().filter(v -> !v.tags().containsKey(ProductionReplay.RETRAINING_DECISION))
                .min(Comparator.comparingInt(ModelVersion::version));
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
