package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelVersion;
import dev.mlops.tracking.ActiveRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/policies.md, "Promotion gate", run as written. */
@DisplayName("The promotion gate example in docs/policies.md")
class PromotionGateDocExampleTest {
    @TempDir
    Path dir;

    ModelVersion register(Mlops mlops, double accuracy, double logLoss, String bytes) throws Exception {
        String runId;
        try (ActiveRun run = mlops.tracking().start("train-rain")) {
            run.logMetric("accuracy", accuracy, 1).logMetric("log_loss", logLoss, 1);
            runId = run.id();
        }
        Path file = dir.resolve(bytes + ".bin");
        Files.writeString(file, bytes);
        ModelVersion v = mlops.registry().newVersion("rain").run(runId).upload(file);
        return mlops.registry().approve("rain", v.version(), "reviewed");
    }

    @Test
    @DisplayName("promotes version 2 over version 1 and prints the verdict as documented")
    void example() throws Exception {
        try (Mlops mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).actor("alice").build()) {
            register(mlops, 0.84, 0.35, "v1");
            mlops.registry().setGovernance("rain", Governance.builder().businessOwner("weather-team")
                    .approverRole("model-approver").build());
            mlops.registry().setAlias("rain", "production", 1);
            register(mlops, 0.86, 0.33, "v2");
            // per-example log losses of both versions on the same 8 holdout days
            double[] candidateLosses = {0.21, 0.35, 0.12, 0.48, 0.30, 0.25, 0.40, 0.18};
            double[] championLosses = {0.25, 0.38, 0.15, 0.52, 0.31, 0.29, 0.41, 0.22};

            // --- example start
            PromotionGate gate = PromotionGate.builder(mlops)
                    .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.80).minAbsoluteChange(0.0))
                    .threshold(GateThreshold.lowerIsBetter("log_loss").minRelativeChange(-0.05))
                    .significance(PairedBootstrap.lowerIsBetter("holdout_log_loss"))
                    .build();
            HoldoutEvaluation holdout = HoldoutEvaluation.builder()
                    .pairedScores(candidateLosses, championLosses)
                    .build();
            GateVerdict verdict = gate.promote(ModelRef.of("rain", 2), "production", holdout);
            if (!verdict.promoted()) {
                verdict.reasons().forEach(System.err::println);
            }
            // --- example end

            assertThat(verdict.outcome()).isEqualTo(GateVerdict.Outcome.PROMOTED);
            assertThat(mlops.registry().resolve("rain@production").version()).isEqualTo(2);
            JsonNode json = new ObjectMapper().readTree(verdict.toJson());
            assertThat(json.get("candidate").asInt()).isEqualTo(2);
            assertThat(json.get("champion").asInt()).isEqualTo(1);
            assertThat(json.get("promoted").asBoolean()).isTrue();
            assertThat(json.get("checks")).hasSize(7);
            JsonNode significance = json.get("checks").get(6);
            assertThat(significance.get("name").asText()).isEqualTo("significance.holdout_log_loss");
            assertThat(significance.get("numbers").get("mean_improvement").asDouble()).isCloseTo(0.03,
                    org.assertj.core.api.Assertions.within(1e-12));
            assertThat(significance.get("passed").asBoolean()).isTrue();
        }
    }
}
