package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retraining run on a SQLite store: the handler tags its run with the request's key and logs the new training
 * data as its input, so lineage and run search lead from the decision to the run and from the data to the run; a
 * handler called again for the same key finds its run instead of training twice.
 */
class RetrainingLineageTest {
    @TempDir
    Path dir;

    @Test
    void theRetrainingRunIsFoundByTheRequestsKeyAndInLineage() throws Exception {
        Path csv = dir.resolve("recent.csv");
        Files.writeString(csv, "date,precipitation,weather\n2014-03-01,1.5,rain\n2014-03-02,0.0,sun\n");
        try (Mlops mlops = Mlops.open("sqlite:" + dir.resolve("mlops.db"))) {
            DatasetVersion recent = mlops.datasets().register("recent", csv).value();
            RetrainingHandler handler = request -> {
                // deduplicate: a run already tagged with this key is the result of an earlier attempt
                List<Run> earlier = mlops.tracking().search(RunQuery.builder()
                        .tag(RetrainingRequest.KEY_TAG, request.idempotencyKey()).build(), PageRequest.first()).items();
                if (!earlier.isEmpty()) {
                    return Optional.of(earlier.get(0).id());
                }
                var starter = mlops.tracking().starter("retrain-rain");
                request.runTags().forEach(starter::tag);
                try (ActiveRun run = starter.start()) {
                    run.logInput(recent).logMetric("accuracy", 0.81, 1);
                    return Optional.of(run.id());
                }
            };
            Clock clock = Clock.fixed(Instant.parse("2014-04-01T00:00:00Z"), ZoneOffset.UTC);
            RetrainingPolicy policy = RetrainingPolicy.builder("rain-monthly")
                    .anyOf(Condition.metricBelow("accuracy", 0.8)).build();
            Retraining retraining = Retraining.inMemory(RetrainingPolicies.inMemory(clock, DetectorFactory.standard()),
                    clock);
            Retraining.Outcome o = retraining.evaluateAndAct(policy, Observation.builder("2014-03",
                    Instant.parse("2014-04-01T00:00:00Z"), "rain").metric("accuracy", 0.7).build(), handler);
            String runId = o.request().orElseThrow().runId().orElseThrow();

            Run run = mlops.tracking().get(runId).orElseThrow();
            assertThat(run.tags()).containsEntry(RetrainingRequest.KEY_TAG, "rain-monthly/rain/2014-03")
                    .containsEntry(RetrainingRequest.POLICY_TAG, "rain-monthly")
                    .containsEntry(RetrainingRequest.WINDOW_TAG, "2014-03");
            assertThat(mlops.lineage().downstream(recent.node(), 3).nodes()).contains(NodeRef.run(runId));
            assertThat(mlops.lineage().upstream(NodeRef.run(runId), 3).nodes()).contains(recent.node());

            // a second call for the same key (as after a crash) finds the run and does not train again
            assertThat(handler.retrain(o.request().get())).contains(runId);
            assertThat(mlops.tracking().search(RunQuery.builder().jobName("retrain-rain").build(),
                    PageRequest.first()).items()).hasSize(1);
        }
    }
}
