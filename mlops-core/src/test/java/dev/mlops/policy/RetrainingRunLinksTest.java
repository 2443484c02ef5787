package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.internal.policy.DecisionJson;
import dev.mlops.internal.policy.RetrainingRequestJson;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeRef;
import dev.mlops.policy.RetrainingRequest.Status;
import dev.mlops.registry.ModelVersion;
import dev.mlops.testing.MutableClock;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A retraining request in lineage: the decision names the serving version, the handler records the request on its
 * run, and lineage shows serving version -> retraining run -> new version; a run that does not record the request
 * fails it. Through {@code Mlops.retraining()} on a SQLite file.
 */
@DisplayName("Retraining: the request links the serving version to the retraining run in lineage")
class RetrainingRunLinksTest {
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("p")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).build();

    @TempDir
    Path dir;

    Mlops open(MutableClock clock) {
        return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db")).artifactUri("file:" + dir.resolve("a"))
                .actor("svc").clock(clock).build();
    }

    ModelVersion register(Mlops mlops, String name, String runId, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name + "-" + content + ".bin"), content);
        var registration = mlops.registry().newVersion(name);
        if (runId != null) {
            registration.run(runId);
        }
        return registration.upload(file);
    }

    static Observation low(String model, String window, Instant time, String version) {
        Observation.Builder b = Observation.builder(window, time, model).metric("accuracy", 0.5).rows(100);
        return (version == null ? b : b.modelVersion(version)).build();
    }

    /** The retrain decision of window w1 of model m served by {@code version}, in memory. */
    static Decision decide(String version) {
        Decision d = RetrainingPolicies.inMemory(new MutableClock(T0), DetectorFactory.standard())
                .evaluate(POLICY, low("m", "w1", T0, version));
        assertThat(d.retrain()).isTrue();
        return d;
    }

    @Test
    void servingVersionToRetrainingRunToNewVersion() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(clock)) {
            mlops.registry().createModel("churn", "", Map.of());
            ModelVersion serving = register(mlops, "churn", null, "v1");
            Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
            Retraining.Outcome outcome = retraining.evaluateAndAct(POLICY,
                    low("churn", "2024-04", T0, Integer.toString(serving.version())), request -> {
                        String runId;
                        try (ActiveRun run = request.recordOn(mlops.tracking().starter("retrain").start())) {
                            runId = run.id();
                        }
                        register(mlops, "churn", runId, "v2");
                        return Optional.of(runId);
                    });

            assertThat(outcome.decision().modelVersion()).contains("1");
            RetrainingRequest request = outcome.request().orElseThrow();
            assertThat(request.error()).isEmpty();
            assertThat(request.status()).isEqualTo(Status.COMPLETED);
            assertThat(request.servingVersion()).contains("1");
            NodeRef servingNode = NodeRef.model("churn", 1);
            assertThat(request.runLinks()).containsExactly(RunLink.input(servingNode));

            String runId = request.runId().orElseThrow();
            Run run = mlops.tracking().get(runId).orElseThrow();
            assertThat(run.tags()).containsAllEntriesOf(request.runTags());
            assertThat(run.inputs()).containsExactly(RunLink.input(servingNode));

            LineageGraph downstream = mlops.lineage().impact(servingNode);
            assertThat(downstream.nodes()).contains(NodeRef.run(runId), NodeRef.model("churn", 2));
            assertThat(mlops.lineage().path(servingNode, NodeRef.model("churn", 2), 5).orElseThrow())
                    .extracting(LineageEdge::from, LineageEdge::to)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(servingNode, NodeRef.run(runId)),
                            org.assertj.core.groups.Tuple.tuple(NodeRef.run(runId), NodeRef.model("churn", 2)));

            // stored and read back with the serving version, also by a new instance over the same file
            assertThat(retraining.request(request.idempotencyKey()).orElseThrow().servingVersion()).contains("1");
        }
        try (Mlops again = open(clock)) {
            assertThat(again.policies().decision("p", "churn", "2024-04").orElseThrow().modelVersion())
                    .contains("1");
            assertThat(again.retraining().requests("p", "churn")).singleElement()
                    .satisfies(r -> assertThat(r.runLinks()).hasSize(1));
        }
    }

    @Test
    void aRunWithoutTheKeyTagFailsTheRequestSayingWhatToRecord() {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(clock)) {
            Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
            RetrainingRequest r = retraining.evaluateAndAct(POLICY, low("m", "w1", T0, "3"), request -> {
                try (ActiveRun run = mlops.tracking().starter("retrain").start()) {
                    return Optional.of(run.id());
                }
            }).request().orElseThrow();

            assertThat(r.status()).isEqualTo(Status.FAILED);
            assertThat(r.error().orElseThrow())
                    .contains("which is not tagged " + RetrainingRequest.KEY_TAG + "=p/m/w1")
                    .contains("request.recordOn(run)");
        }
    }

    @Test
    void aRunWithTheTagsButWithoutTheServingVersionFailsTheRequest() {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(clock)) {
            Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
            RetrainingRequest r = retraining.evaluateAndAct(POLICY, low("m", "w1", T0, "3"), request -> {
                var starter = mlops.tracking().starter("retrain");
                request.runTags().forEach(starter::tag);
                try (ActiveRun run = starter.start()) {
                    return Optional.of(run.id());
                }
            }).request().orElseThrow();

            assertThat(r.status()).isEqualTo(Status.FAILED);
            assertThat(r.error().orElseThrow()).contains("does not record the input model:m/3")
                    .contains("request.runLinks()");
            // the failure drives the back-off as any failed retrain
            assertThat(mlops.audit().events(0, dev.mlops.PageRequest.first(1000)).items())
                    .anySatisfy(e -> assertThat(e.action()).isEqualTo("retraining.failed"));
        }
    }

    @Test
    void withoutAServingVersionTheTagIsEnough() {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(clock)) {
            Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
            RetrainingRequest r = retraining.evaluateAndAct(POLICY, low("m", "w1", T0, null), request -> {
                try (ActiveRun run = request.recordOn(mlops.tracking().starter("retrain").start())) {
                    return Optional.of(run.id());
                }
            }).request().orElseThrow();

            assertThat(r.runLinks()).isEmpty();
            assertThat(r.status()).isEqualTo(Status.COMPLETED);
            assertThat(mlops.tracking().get(r.runId().orElseThrow()).orElseThrow().links()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2", "0", "01", "2024-04-01", "12345678901"})
    void aServingVersionThatIsNotARegistryNumberGivesNoLink(String version) {
        Decision d = decide(version);
        RetrainingRequest r = RetrainingRequest.requested(d, T0);
        assertThat(r.servingVersion()).contains(version);
        assertThat(r.runLinks()).isEmpty();
    }

    @Test
    void anApprovedDecisionKeepsTheServingVersion() {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(clock)) {
            RetrainingPolicy reviewed = RetrainingPolicy.builder("reviewed")
                    .anyOf(Condition.metricBelow("accuracy", 0.8)).approval(true).build();
            Decision pending = mlops.policies().evaluate(reviewed, low("m", "w1", T0, "7"));
            assertThat(pending.status()).isEqualTo(Decision.Status.AWAITING_APPROVAL);
            assertThat(pending.modelVersion()).contains("7");
            clock.advance(Duration.ofMinutes(1));
            Decision approved = mlops.policies().approve(reviewed, "m", "w1", "alice");
            assertThat(approved.retrain()).isTrue();
            assertThat(approved.modelVersion()).contains("7");
            assertThat(RetrainingRequest.requested(approved, clock.instant()).runLinks())
                    .containsExactly(RunLink.input(NodeRef.model("m", 7)));
        }
    }

    @Test
    void decisionsAndRequestsStoredBeforeTheServingVersionStillRead() {
        Decision d = decide("2");
        String json = DecisionJson.write(d);
        assertThat(json).contains("\"model_version\":\"2\"");
        assertThat(DecisionJson.read(json)).isEqualTo(d);

        String old = json.replace(",\"model_version\":\"2\"", "");
        assertThat(old).doesNotContain("model_version");
        Decision read = DecisionJson.read(old);
        assertThat(read.modelVersion()).isEmpty();
        assertThat(read).isEqualTo(new Decision(d.policy(), d.policyVersion(), d.model(), d.windowId(),
                d.observedAt(), d.decidedAt(), d.status(), d.triggered(), d.conditions(), d.guards(), d.heldBy(),
                d.actor(), d.reason()));

        RetrainingRequest request = RetrainingRequest.requested(read, T0);
        String oldRequest = RetrainingRequestJson.write(request);
        assertThat(RetrainingRequestJson.read(oldRequest)).isEqualTo(request);
        assertThat(RetrainingRequestJson.read(oldRequest).runLinks()).isEmpty();
        RetrainingRequest withVersion = RetrainingRequest.requested(d, T0);
        assertThat(RetrainingRequestJson.read(RetrainingRequestJson.write(withVersion)).runLinks())
                .isEqualTo(List.of(RunLink.input(NodeRef.model("m", 2))));
    }
}
