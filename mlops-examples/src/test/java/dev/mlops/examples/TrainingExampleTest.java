package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeKind;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingExampleTest {

    @Test
    void trainingIsTrackedWithDataParamsMetricsAndModelInASqliteStore(@TempDir Path dir) {
        try (Mlops mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("m.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).build()) {
            TrainingExample.Result result = TrainingExample.train(mlops, dir, 15, 0.05, 7);

            assertThat(result.weights()[0]).isCloseTo(3.0, within(0.1));
            assertThat(result.weights()[1]).isCloseTo(-2.0, within(0.1));
            assertThat(result.weights()[2]).isCloseTo(1.0, within(0.1));

            Run run = mlops.tracking().get(result.runId()).orElseThrow();
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(run.params()).containsEntry("epochs", "15").containsEntry("seed", "7");
            assertThat(run.latestMetrics().get("mse").step()).isEqualTo(15);
            assertThat(run.latestMetrics().get("mse").value()).isEqualTo(result.finalLoss());
            List<MetricPoint> history = mlops.tracking().metricHistory(run.id(), "mse", PageRequest.first(100)).items();
            assertThat(history).extracting(MetricPoint::step).containsExactly(
                    1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
            assertThat(run.inputs()).extracting(l -> l.node()).containsExactly(result.dataset().node());
            assertThat(run.outputs()).singleElement().satisfies(l -> assertThat(l.node().kind()).isEqualTo(NodeKind.ARTIFACT));

            LineageGraph impact = mlops.lineage().impact(result.dataset().node());
            assertThat(impact.nodes()).contains(NodeRef.run(run.id()), run.outputs().get(0).node());
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    @Test
    void theSameSeedGivesTheSameDatasetVersionAndModel(@TempDir Path dir) {
        try (Mlops mlops = Mlops.open("memory:")) {
            TrainingExample.Result first = TrainingExample.train(mlops, dir, 3, 0.05, 11);
            TrainingExample.Result second = TrainingExample.train(mlops, dir, 3, 0.05, 11);
            assertThat(second.dataset().version()).isEqualTo(first.dataset().version());
            assertThat(second.weights()).containsExactly(first.weights());
            assertThat(second.runId()).isNotEqualTo(first.runId());
        }
    }
}
