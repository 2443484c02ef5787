package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.artifact.InMemoryArtifactStore;
import dev.mlops.policy.GateCheck.Kind;
import dev.mlops.policy.GateVerdict.Outcome;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.registry.VersionStatus;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.security.Principal;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.registry.AliasChange;
import dev.mlops.testing.MutableClock;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.Run;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promotion gate against a real store, with real runs, metrics, versions, approvals and aliases. Subclasses give
 * the store (in memory, a SQLite file).
 */
abstract class PromotionGateContract {
    static final ObjectMapper JSON = new ObjectMapper();

    final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T00:00:00Z"));
    final InMemoryArtifactStore artifacts = new InMemoryArtifactStore();
    final List<Mlops> opened = new ArrayList<>();
    MetadataStore raw;
    RacingStore store;
    Mlops mlops;
    int files;

    @TempDir
    Path dir;

    /** The store under test, created in {@code dir}. */
    abstract MetadataStore newStore(Path dir);

    @BeforeEach
    void open() {
        raw = newStore(dir);
        store = new RacingStore(raw);
        mlops = open(b -> b.actor("alice"));
    }

    @AfterEach
    void close() throws Exception {
        opened.forEach(Mlops::close);
        raw.close();
    }

    Mlops open(UnaryOperator<Mlops.Builder> settings) {
        Mlops m = settings.apply(Mlops.builder().store(store).artifactStore(artifacts).clock(clock)).build();
        opened.add(m);
        return m;
    }

    /** Another writer on the same store, past the racing hooks. */
    Mlops competitor() {
        Mlops m = Mlops.builder().store(raw).artifactStore(artifacts).clock(clock).actor("bob").build();
        opened.add(m);
        return m;
    }

    /** A trained, registered version: a run logging {@code runMetrics} at step 1, the version from that run. */
    ModelVersion train(String model, Map<String, Double> runMetrics, Map<String, Double> registered)
            throws IOException {
        String runId;
        try (ActiveRun run = mlops.tracking().start("train-" + model)) {
            runMetrics.forEach((k, v) -> run.logMetric(k, v, 1));
            runId = run.id();
        }
        Path file = dir.resolve("model-" + (++files) + ".bin");
        Files.writeString(file, "weights " + files);
        return mlops.registry().newVersion(model).run(runId).metrics(registered).upload(file);
    }

    ModelVersion approved(String model, Map<String, Double> runMetrics) throws IOException {
        ModelVersion v = train(model, runMetrics, Map.of());
        return mlops.registry().approve(model, v.version(), "evaluated offline");
    }

    void govern(String model) {
        mlops.registry().setGovernance(model, Governance.builder().businessOwner("weather-team")
                .approverRole("model-approver").build());
    }

    /** Model {@code rain}: version 1 (accuracy 0.80, log_loss 0.40) approved and in production. */
    ModelVersion champion() throws IOException {
        ModelVersion v1 = approved("rain", Map.of("accuracy", 0.80, "log_loss", 0.40));
        govern("rain");
        mlops.registry().setAlias("rain", "production", v1.version());
        return v1;
    }

    List<AuditEvent> audit() {
        return mlops.audit().events(0, PageRequest.first(10_000)).items();
    }

    List<AuditEvent> decisions() {
        return audit().stream().filter(e -> e.action().equals("promotion.decided")).toList();
    }

    int production() {
        return mlops.registry().model("rain").aliases().get("production");
    }

    static GateCheck check(GateVerdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    PromotionGate.Builder gate() {
        return PromotionGate.builder(mlops);
    }

    static double[] noisy(SplittableRandom r, int n, double mean, double sd) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean + sd * gaussian(r);
        }
        return x;
    }

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Nested
    @DisplayName("a candidate that passes every check")
    class Passing {
        @Test
        @DisplayName("takes the alias, with every check and its numbers in the verdict and one audit event")
        void promotes() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.85, "log_loss", 0.35));
            PromotionGate g = gate()
                    .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.8).minAbsoluteChange(0.01)
                            .minRelativeChange(0.02))
                    .threshold(GateThreshold.lowerIsBetter("log_loss").atMost(0.5).minAbsoluteChange(0.0))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", v2.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(v.passed()).isTrue();
            assertThat(v.promoted()).isTrue();
            assertThat(v.candidate()).isEqualTo(2);
            assertThat(v.champion()).isEqualTo(1);
            assertThat(v.time()).isEqualTo(clock.instant());
            assertThat(production()).isEqualTo(2);
            assertThat(v.checks()).extracting(GateCheck::name).containsExactly("registry.ready",
                    "registry.approved", "registry.governance", "accuracy.value", "accuracy.absolute_change",
                    "accuracy.relative_change", "log_loss.value", "log_loss.absolute_change");
            assertThat(v.checks()).allMatch(GateCheck::passed);
            GateCheck abs = check(v, "accuracy.absolute_change");
            assertThat(abs.kind()).isEqualTo(Kind.ABSOLUTE_CHANGE);
            assertThat(abs.measured()).isCloseTo(0.05, within(1e-12));
            assertThat(abs.threshold()).isEqualTo(0.01);
            assertThat(abs.numbers()).containsEntry("candidate", 0.85).containsEntry("champion", 0.80);
            assertThat(check(v, "accuracy.relative_change").measured()).isCloseTo(0.0625, within(1e-12));
            GateCheck loss = check(v, "log_loss.absolute_change");
            assertThat(loss.measured()).isCloseTo(0.05, within(1e-12)); // 0.40 - 0.35: lower is better
            assertThat(loss.numbers().get("difference").doubleValue()).isCloseTo(-0.05, within(1e-12));
            assertThat(check(v, "accuracy.value").detail()).contains("0.85").contains(">= 0.8").contains("run ");
            assertThat(v.reasons()).hasSize(v.checks().size());

            List<AuditEvent> events = audit();
            AuditEvent decided = events.get(events.size() - 2);
            AuditEvent move = events.get(events.size() - 1);
            assertThat(decided.action()).isEqualTo("promotion.decided");
            assertThat(move.action()).isEqualTo("model_alias.move");
            assertThat(move.subject()).isEqualTo("model:rain@production");
            assertThat(store.aliasCalls).as("the verdict and the move, stored by one call of the store")
                    .containsExactly(List.of("promotion.decided", "model_alias.move"));
            assertThat(decided.subject()).isEqualTo("model:rain/2");
            assertThat(decided.actor()).isEqualTo("alice");
            JsonNode data = JSON.readTree(decided.data());
            assertThat(data.get("candidate").asInt()).isEqualTo(2);
            assertThat(data.get("champion").asInt()).isEqualTo(1);
            assertThat(data.get("passed").asBoolean()).isTrue();
            assertThat(data.get("promoted").asBoolean()).isTrue();
            assertThat(data.get("outcome").asText()).isEqualTo("PROMOTED");
            JsonNode absJson = null;
            for (JsonNode c : data.get("checks")) {
                if (c.get("name").asText().equals("accuracy.absolute_change")) {
                    absJson = c;
                }
            }
            assertThat(absJson).isNotNull();
            assertThat(absJson.get("measured").asDouble()).isCloseTo(0.05, within(1e-12));
            assertThat(absJson.get("threshold").asDouble()).isEqualTo(0.01);
            assertThat(absJson.get("numbers").get("champion").asDouble()).isEqualTo(0.80);
            assertThat(mlops.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("evaluate gives the same checks with no side effects: no audit event, the alias stays")
        void evaluateHasNoSideEffects() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.85));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();
            int events = audit().size();

            GateVerdict v = g.evaluate(ModelRef.of("rain", v2.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
            assertThat(v.passed()).isTrue();
            assertThat(v.promoted()).isFalse();
            assertThat(audit()).hasSize(events);
            assertThat(production()).isEqualTo(1);
            GateVerdict p = g.promote(ModelRef.of("rain", v2.version()), "production");
            assertThat(p.checks()).isEqualTo(v.checks());
        }

        @Test
        @DisplayName("a candidate named by another alias is resolved, and an unguarded alias asks no approval")
        void candidateByAliasUnguarded() throws Exception {
            champion();
            ModelVersion v2 = train("rain", Map.of("accuracy", 0.9), Map.of()); // not approved
            mlops.registry().setAlias("rain", "challenger", v2.version());
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", "challenger"), "staging");

            assertThat(v.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(v.champion()).isNull();
            assertThat(v.checks()).extracting(GateCheck::name).containsExactly("registry.ready", "accuracy.value");
            assertThat(mlops.registry().model("rain").aliases()).containsEntry("staging", 2)
                    .containsEntry("production", 1);
        }
    }

    @Nested
    @DisplayName("a candidate that fails a check")
    class Failing {
        @Test
        @DisplayName("below a value threshold: FAILED, alias left, the audit event says why with the numbers")
        void valueThreshold() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.75));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.78)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", v2.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(v.passed()).isFalse();
            assertThat(v.promoted()).isFalse();
            assertThat(production()).isEqualTo(1);
            GateCheck c = check(v, "accuracy.value");
            assertThat(c.passed()).isFalse();
            assertThat(c.measured()).isEqualTo(0.75);
            assertThat(c.threshold()).isEqualTo(0.78);
            assertThat(c.detail()).contains("0.75 (run ").contains("< 0.78").endsWith("failed");
            assertThat(v.reasons()).containsExactly(c.detail());
            assertThat(v.failedChecks()).containsExactly(c);
            AuditEvent last = audit().get(audit().size() - 1);
            assertThat(last.action()).isEqualTo("promotion.decided");
            JsonNode data = JSON.readTree(last.data());
            assertThat(data.get("passed").asBoolean()).isFalse();
            assertThat(data.get("promoted").asBoolean()).isFalse();
            assertThat(data.get("outcome").asText()).isEqualTo("FAILED");
            assertThat(data.get("checks").get(3).get("measured").asDouble()).isEqualTo(0.75);
            assertThat(audit()).filteredOn(e -> e.action().startsWith("model_alias")).hasSize(1); // the champion's
        }

        @Test
        @DisplayName("worse than the champion on a lower-is-better metric: the absolute change fails; a relative"
                + " tolerance of 20 % passes")
        void lowerIsBetterChange() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("log_loss", 0.46)); // champion 0.40: 15 % worse
            PromotionGate strict = gate().threshold(GateThreshold.lowerIsBetter("log_loss").minAbsoluteChange(0.0))
                    .build();
            PromotionGate tolerant = gate().threshold(GateThreshold.lowerIsBetter("log_loss")
                    .minRelativeChange(-0.2)).build();

            GateVerdict s = strict.promote(ModelRef.of("rain", 2), "production");
            assertThat(s.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(check(s, "log_loss.absolute_change").measured()).isCloseTo(-0.06, within(1e-12));
            assertThat(production()).isEqualTo(1);

            GateVerdict t = tolerant.promote(ModelRef.of("rain", v2.version()), "production");
            assertThat(t.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(check(t, "log_loss.relative_change").measured()).isCloseTo(-0.15, within(1e-12));
            assertThat(production()).isEqualTo(2);
            assertThat(decisions()).extracting(e -> JSON.readTree(e.data()).get("outcome").asText())
                    .containsExactly("FAILED", "PROMOTED");
        }

        @Test
        @DisplayName("a relative change below its minimum fails even when the absolute change passes")
        void relativeChange() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.81));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0)
                    .minRelativeChange(0.05)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(check(v, "accuracy.absolute_change").passed()).isTrue();
            GateCheck rel = check(v, "accuracy.relative_change");
            assertThat(rel.passed()).isFalse();
            assertThat(rel.measured()).isCloseTo(0.0125, within(1e-12));
            assertThat(v.reasons()).containsExactly(rel.detail());
            assertThat(production()).isEqualTo(1);
        }

        @Test
        @DisplayName("a version not approved fails registry.approved for a guarded alias; the registry is not asked")
        void notApproved() throws Exception {
            champion();
            train("rain", Map.of("accuracy", 0.9), Map.of());
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(check(v, "registry.approved").passed()).isFalse();
            assertThat(check(v, "registry.approved").detail()).contains("APPROVED").contains("PENDING");
            assertThat(check(v, "accuracy.value").passed()).isTrue();
            assertThat(production()).isEqualTo(1);
            assertThat(audit()).noneMatch(e -> e.action().equals("registry.refused"));
        }

        @Test
        @DisplayName("a model without a governance record fails registry.governance for a guarded alias")
        void noGovernance() throws Exception {
            ModelVersion v1 = approved("rain", Map.of("accuracy", 0.9));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", v1.version()), "production");

            assertThat(check(v, "registry.approved").passed()).isTrue();
            assertThat(check(v, "registry.governance").passed()).isFalse();
            assertThat(check(v, "registry.governance").detail()).contains("business owner");
            assertThat(mlops.registry().model("rain").aliases()).doesNotContainKey("production");
        }

        @Test
        @DisplayName("a version that is not READY fails registry.ready")
        void notReady() throws Exception {
            champion();
            String wrong = "sha256:" + "0".repeat(64);
            assertThatThrownBy(() -> mlops.registry().newVersion("rain").expectedDigest(wrong)
                    .upload(new ByteArrayInputStream("bytes".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(IntegrityException.class);
            assertThat(mlops.registry().getVersion("rain", 2).orElseThrow().status())
                    .isEqualTo(VersionStatus.FAILED);
            PromotionGate g = gate().build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(check(v, "registry.ready").passed()).isFalse();
            assertThat(check(v, "registry.ready").detail()).contains("FAILED").contains("READY");
            assertThat(production()).isEqualTo(1);
        }

        @Test
        @DisplayName("a principal who may not move the alias fails registry.permission; one with the role passes")
        void permission() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.9));
            AccessPolicy policy = AccessPolicy.builder().grant("viewer", Permission.READ)
                    .grant("release-manager", Permission.READ, Permission.MOVE_ALIAS).build();
            RegistryPolicy guarded = RegistryPolicy.builder()
                    .guardAlias("production", AliasGuard.approvedOnly().withRoles("release-manager")).build();
            Mlops vera = open(b -> b.principal(Principal.of("vera", "viewer")).accessPolicy(policy)
                    .registryPolicy(guarded));
            Mlops rita = open(b -> b.principal(Principal.of("rita", "release-manager")).accessPolicy(policy)
                    .registryPolicy(guarded));
            GateThreshold acc = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0);

            GateVerdict denied = PromotionGate.builder(vera).threshold(acc).build()
                    .promote(ModelRef.of("rain", 2), "production");
            assertThat(denied.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(check(denied, "registry.permission").passed()).isFalse();
            assertThat(check(denied, "registry.permission").detail()).contains("vera").contains("MOVE_ALIAS");
            assertThat(production()).isEqualTo(1);

            GateVerdict allowed = PromotionGate.builder(rita).threshold(acc).build()
                    .promote(ModelRef.of("rain", 2), "production");
            assertThat(allowed.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(check(allowed, "registry.permission").passed()).isTrue();
            assertThat(production()).isEqualTo(2);
            assertThat(decisions()).extracting(AuditEvent::actor).containsExactly("vera", "rita");
        }
    }

    @Nested
    @DisplayName("where metric values come from")
    class Sources {
        @Test
        @DisplayName("the holdout evaluation wins over the version's registered metrics, which win over its run's"
                + " latest value")
        void precedence() throws Exception {
            champion();
            String runId;
            try (ActiveRun run = mlops.tracking().start("train")) {
                run.logMetric("accuracy", 0.70, 1).logMetric("accuracy", 0.86, 2).logMetric("f1", 0.5, 1);
                runId = run.id();
            }
            Path file = dir.resolve("m2.bin");
            Files.writeString(file, "two");
            mlops.registry().newVersion("rain").run(runId).metric("f1", 0.61).upload(file);
            mlops.registry().approve("rain", 2, "ok");
            PromotionGate g = gate()
                    .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.85))
                    .threshold(GateThreshold.higherIsBetter("f1").atLeast(0.6))
                    .threshold(GateThreshold.higherIsBetter("auc").atLeast(0.9))
                    .build();

            GateVerdict fromStore = g.evaluate(ModelRef.of("rain", 2), "production");
            assertThat(check(fromStore, "accuracy.value").measured()).isEqualTo(0.86);
            assertThat(check(fromStore, "accuracy.value").detail()).contains("run " + runId + ", step 2");
            assertThat(check(fromStore, "f1.value").measured()).isEqualTo(0.61);
            assertThat(check(fromStore, "f1.value").detail()).contains("registered with version 2");
            GateCheck auc = check(fromStore, "auc.value");
            assertThat(auc.passed()).isFalse();
            assertThat(auc.measured()).isNull();
            assertThat(auc.detail()).contains("metric 'auc'").contains("missing").contains(runId);

            GateVerdict supplied = g.evaluate(ModelRef.of("rain", 2), "production", HoldoutEvaluation.builder()
                    .candidateMetric("accuracy", 0.84).candidateMetric("f1", 0.65).candidateMetric("auc", 0.93)
                    .build());
            assertThat(check(supplied, "accuracy.value").measured()).isEqualTo(0.84);
            assertThat(check(supplied, "accuracy.value").passed()).isFalse();
            assertThat(check(supplied, "f1.value").detail()).contains("holdout evaluation");
            assertThat(check(supplied, "auc.value").passed()).isTrue();
        }

        @Test
        @DisplayName("a NaN metric fails its checks with a note naming it")
        void nan() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.9));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5)
                    .minAbsoluteChange(0.0)).build();

            GateVerdict v = g.evaluate(ModelRef.of("rain", 2), "production", HoldoutEvaluation.builder()
                    .candidateMetric("accuracy", Double.NaN).championMetric("accuracy", 0.8).build());

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            for (String name : List.of("accuracy.value", "accuracy.absolute_change")) {
                GateCheck c = check(v, name);
                assertThat(c.passed()).isFalse();
                assertThat(c.measured()).isNull();
                assertThat(c.detail()).contains("metric 'accuracy'").contains("NaN");
            }
        }

        @Test
        @DisplayName("a metric only the champion lacks fails the change check naming the champion")
        void missingForChampion() throws Exception {
            champion();
            approved("rain", Map.of("recall", 0.9));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("recall").minAbsoluteChange(0.0))
                    .build();

            GateCheck c = check(g.evaluate(ModelRef.of("rain", 2), "production"), "recall.absolute_change");

            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("metric 'recall' of the champion (version 1) is missing");
            PromotionGate neither = gate().threshold(GateThreshold.higherIsBetter("auc").minAbsoluteChange(0.0))
                    .build();
            GateCheck both = check(neither.evaluate(ModelRef.of("rain", 2), "production"), "auc.absolute_change");
            assertThat(both.passed()).isFalse();
            assertThat(both.detail()).contains("'auc' of the candidate (version 2) is missing")
                    .contains("'auc' of the champion (version 1) is missing");
        }

        @Test
        @DisplayName("a metric supplied for one version only is not compared with the other's training metric")
        void likeWithLike() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.9));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();

            GateVerdict one = g.evaluate(ModelRef.of("rain", 2), "production", HoldoutEvaluation.builder()
                    .candidateMetric("accuracy", 0.95).build());
            assertThat(check(one, "accuracy.absolute_change").passed()).isFalse();
            assertThat(check(one, "accuracy.absolute_change").detail()).contains("like with like");

            GateVerdict both = g.evaluate(ModelRef.of("rain", 2), "production", HoldoutEvaluation.builder()
                    .candidateMetric("accuracy", 0.95).championMetric("accuracy", 0.97).build());
            GateCheck c = check(both, "accuracy.absolute_change");
            assertThat(c.passed()).isFalse();
            assertThat(c.measured()).isCloseTo(-0.02, within(1e-12));
        }
    }

    @Test
    @DisplayName("validateMetrics against the metrics a training run logs catches a misspelt threshold")
    void validateAgainstRun() throws Exception {
        ModelVersion v1 = approved("rain", Map.of("accuracy", 0.8, "log_loss", 0.4));
        Run run = mlops.tracking().get(v1.runId()).orElseThrow();
        PromotionGate good = gate().threshold(GateThreshold.lowerIsBetter("log_loss").atMost(0.5)).build();
        PromotionGate typo = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5))
                .threshold(GateThreshold.higherIsBetter("acuracy").atLeast(0.5)).build();

        good.validateMetrics(run.latestMetrics().keySet());
        assertThatThrownBy(() -> typo.validateMetrics(run.latestMetrics().keySet()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'acuracy'")
                .hasMessageContaining("[accuracy, log_loss]")
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("thresholds[1].metric"));
    }

    @Nested
    @DisplayName("without a champion")
    class NoChampion {
        @Test
        @DisplayName("change and significance checks pass by default, value checks still apply, the alias is created")
        void passes() throws Exception {
            ModelVersion v1 = approved("rain", Map.of("accuracy", 0.8));
            govern("rain");
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.7)
                    .minAbsoluteChange(0.01)).significance(PairedBootstrap.higherIsBetter("holdout_accuracy"))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", v1.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(v.champion()).isNull();
            GateCheck abs = check(v, "accuracy.absolute_change");
            assertThat(abs.passed()).isTrue();
            assertThat(abs.measured()).isNull();
            assertThat(abs.detail()).contains("no champion");
            assertThat(check(v, "significance.holdout_accuracy").detail()).contains("no champion");
            assertThat(production()).isEqualTo(1);
            assertThat(audit().get(audit().size() - 2).action()).isEqualTo("promotion.decided");
            assertThat(audit().get(audit().size() - 1).action()).isEqualTo("model_alias.set");
            assertThat(JSON.readTree(decisions().get(0).data()).get("champion").isNull()).isTrue();
        }

        @Test
        @DisplayName("with passWithoutChampion(false) they fail and nothing moves")
        void fails() throws Exception {
            ModelVersion v1 = approved("rain", Map.of("accuracy", 0.8));
            govern("rain");
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minRelativeChange(0.0))
                    .passWithoutChampion(false).build();

            GateVerdict v = g.promote(ModelRef.of("rain", v1.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(check(v, "accuracy.relative_change").detail()).contains("no champion").contains("fails");
            assertThat(mlops.registry().model("rain").aliases()).isEmpty();
        }
    }

    @Nested
    @DisplayName("the significance check")
    class Significance {
        @Test
        @DisplayName("a clear improvement on the holdout is significant and the candidate is promoted")
        void clearDifference() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            SplittableRandom r = new SplittableRandom(7);
            double[] champ = noisy(r, 400, 0.50, 0.2);
            double[] cand = new double[champ.length];
            for (int i = 0; i < cand.length; i++) {
                cand[i] = champ[i] - 0.05 + 0.05 * gaussian(r); // lower loss
            }
            PromotionGate g = gate().significance(PairedBootstrap.lowerIsBetter("holdout_log_loss").resamples(2000))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.builder().pairedScores(cand, champ).build());

            GateCheck s = check(v, "significance.holdout_log_loss");
            assertThat(s.passed()).isTrue();
            assertThat(s.kind()).isEqualTo(Kind.SIGNIFICANCE);
            assertThat(s.measured()).isGreaterThan(0.0).isEqualTo(s.numbers().get("ci_lower").doubleValue());
            assertThat(s.numbers().get("mean_improvement").doubleValue()).isCloseTo(0.05, within(0.01));
            assertThat(s.numbers()).containsEntry("pairs", 400).containsEntry("resamples", 2000)
                    .containsEntry("seed", 42L).containsEntry("confidence", 0.95);
            assertThat(s.detail()).contains("2000 resamples, seed 42").contains("significant, passed");
            assertThat(v.outcome()).isEqualTo(Outcome.PROMOTED);
            JsonNode data = JSON.readTree(decisions().get(0).data());
            assertThat(data.get("checks").get(3).get("numbers").get("ci_upper").asDouble())
                    .isEqualTo(s.numbers().get("ci_upper").doubleValue());
        }

        @Test
        @DisplayName("is deterministic for a seed: the same verdict checks every time, other numbers for another seed")
        void deterministic() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            SplittableRandom r = new SplittableRandom(11);
            double[] champ = noisy(r, 150, 0.70, 0.2);
            double[] cand = noisy(r, 150, 0.72, 0.2);
            HoldoutEvaluation holdout = HoldoutEvaluation.builder().pairedScores(cand, champ).build();
            PairedBootstrap settings = PairedBootstrap.higherIsBetter("holdout_accuracy").resamples(1000).seed(7);
            PromotionGate g = gate().significance(settings).build();

            GateVerdict first = g.evaluate(ModelRef.of("rain", 2), "production", holdout);
            GateVerdict again = gate().significance(settings).build()
                    .evaluate(ModelRef.of("rain", 2), "production", holdout);
            GateVerdict otherSeed = gate().significance(settings.seed(8)).build()
                    .evaluate(ModelRef.of("rain", 2), "production", holdout);

            assertThat(again.checks()).isEqualTo(first.checks());
            GateCheck s1 = check(first, "significance.holdout_accuracy");
            GateCheck s2 = check(otherSeed, "significance.holdout_accuracy");
            assertThat(s2.numbers().get("mean_improvement")).isEqualTo(s1.numbers().get("mean_improvement"));
            assertThat(s2.numbers().get("ci_lower")).isNotEqualTo(s1.numbers().get("ci_lower"));
        }

        @Test
        @DisplayName("identical scores are not significant: the interval is [0, 0] and the candidate stays out")
        void identical() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            double[] same = noisy(new SplittableRandom(3), 200, 0.7, 0.1);
            PromotionGate g = gate().significance(PairedBootstrap.higherIsBetter("holdout_accuracy")).build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.builder().pairedScores(same, same.clone()).build());

            GateCheck s = check(v, "significance.holdout_accuracy");
            assertThat(s.passed()).isFalse();
            assertThat(s.numbers()).containsEntry("ci_lower", 0.0).containsEntry("ci_upper", 0.0);
            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(production()).isEqualTo(1);
        }

        @Test
        @DisplayName("no paired scores with a champion fails the check; scores for a gate without one are refused")
        void missingOrUnexpectedScores() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            PromotionGate with = gate().significance(PairedBootstrap.higherIsBetter("holdout_accuracy")).build();
            PromotionGate without = gate().threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5)).build();

            GateCheck s = check(with.evaluate(ModelRef.of("rain", 2), "production"), "significance.holdout_accuracy");
            assertThat(s.passed()).isFalse();
            assertThat(s.detail()).contains("no paired holdout scores");

            HoldoutEvaluation scores = HoldoutEvaluation.builder()
                    .pairedScores(new double[] {1, 0, 1}, new double[] {0, 0, 1}).build();
            int events = audit().size();
            assertThatThrownBy(() -> without.promote(ModelRef.of("rain", 2), "production", scores))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("no significance check")
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("pairedScores"));
            assertThat(audit()).hasSize(events);
        }
    }

    @Nested
    @DisplayName("a concurrent alias move")
    class Concurrency {
        @Test
        @DisplayName("just before the compare-and-set: CONFLICT, the other writer's move stands, the verdict is"
                + " audited")
        void atTheMove() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            ModelVersion v3 = approved("rain", Map.of("accuracy", 0.83));
            Mlops bob = competitor();
            store.beforeSetAlias.set(() -> bob.registry().setAlias("rain", "production", v3.version()));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.CONFLICT);
            assertThat(v.passed()).isTrue();
            assertThat(v.promoted()).isFalse();
            assertThat(v.champion()).isEqualTo(1);
            assertThat(v.note()).contains("was not moved").contains("production");
            assertThat(v.reasons().get(0)).isEqualTo(v.note());
            assertThat(production()).isEqualTo(3);
            AuditEvent last = audit().get(audit().size() - 1);
            assertThat(last.action()).isEqualTo("promotion.decided");
            JsonNode data = JSON.readTree(last.data());
            assertThat(data.get("outcome").asText()).isEqualTo("CONFLICT");
            assertThat(data.get("promoted").asBoolean()).isFalse();
            assertThat(data.get("note").asText()).isEqualTo(v.note());
            assertThat(decisions()).as("no verdict says PROMOTED").hasSize(1);
            AuditEvent bobsMove = audit().get(audit().size() - 2);
            assertThat(bobsMove.action()).isEqualTo("model_alias.move");
            assertThat(bobsMove.actor()).isEqualTo("bob");
            assertThat(mlops.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("while the gate evaluates: CONFLICT naming the version the alias points at now")
        void duringEvaluation() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            ModelVersion v3 = approved("rain", Map.of("accuracy", 0.83));
            Mlops bob = competitor();
            store.beforeGetRun.set(() -> bob.registry().setAlias("rain", "production", v3.version()));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.CONFLICT);
            assertThat(v.note()).contains("version 3");
            assertThat(production()).isEqualTo(3);
        }

        @Test
        @DisplayName("the registry still enforces its rules on the move: governance cleared meanwhile is a CONFLICT")
        void registryRefusesAtTheMove() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            Mlops bob = competitor();
            store.beforeGetRun.set(() -> bob.registry().setGovernance("rain", Governance.EMPTY));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(check(v, "registry.governance").passed()).isTrue(); // as the gate saw it
            assertThat(v.outcome()).isEqualTo(Outcome.CONFLICT);
            assertThat(v.note()).contains("governance");
            assertThat(production()).isEqualTo(1);
            List<AuditEvent> events = audit();
            assertThat(events.get(events.size() - 2).action()).isEqualTo("registry.refused");
            assertThat(events.get(events.size() - 1).action()).isEqualTo("promotion.decided");
        }
    }

    @Nested
    @DisplayName("promoteOnce: one recorded verdict per candidate and alias")
    class Once {
        final GateThreshold lenient = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(-0.10);
        final GateThreshold strict = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.10);

        PromotionGate gate(Mlops m, GateThreshold t) {
            return PromotionGate.builder(m).threshold(t).build();
        }

        @Test
        @DisplayName("the first call records its verdict (created); a later one, even of a gate that would decide"
                + " otherwise and through another Mlops, records nothing and returns the recorded verdict")
        void secondCallReplays() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));

            Created<GateVerdict> first = gate(mlops, strict).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);
            assertThat(first.created()).isTrue();
            assertThat(first.value().outcome()).isEqualTo(Outcome.FAILED);
            int events = audit().size();

            Created<GateVerdict> second = gate(competitor(), lenient).promoteOnce(ModelRef.of("rain", 2),
                    "production", HoldoutEvaluation.NONE);

            assertThat(second.created()).isFalse();
            assertThat(second.value().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(second.value().checks()).extracting(GateCheck::name, GateCheck::passed, GateCheck::detail)
                    .containsExactlyElementsOf(first.value().checks().stream()
                            .map(c -> org.assertj.core.groups.Tuple.tuple(c.name(), c.passed(), c.detail())).toList());
            assertThat(second.value().toJson().replaceAll("\"time\":\"[^\"]*\"", ""))
                    .isEqualTo(first.value().toJson().replaceAll("\"time\":\"[^\"]*\"", ""));
            assertThat(audit()).hasSize(events);
            assertThat(production()).as("the lenient gate would have promoted it").isEqualTo(1);
            // promote keeps recording every call
            assertThat(gate(mlops, lenient).promote(ModelRef.of("rain", 2), "production").outcome())
                    .isEqualTo(Outcome.PROMOTED);
            assertThat(decisions()).hasSize(2);
        }

        @Test
        @DisplayName("a promotion records the verdict with the move; the champion's later promoteOnce returns that"
                + " verdict instead of failing with CONFLICT")
        void promotedThenAsked() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));

            Created<GateVerdict> first = gate(mlops, lenient).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);
            assertThat(first.created()).isTrue();
            assertThat(first.value().outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(production()).isEqualTo(2);
            assertThat(audit().subList(audit().size() - 2, audit().size())).extracting(AuditEvent::action)
                    .containsExactly("promotion.decided", "model_alias.move");
            int events = audit().size();

            Created<GateVerdict> again = gate(mlops, strict).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);

            assertThat(again.created()).isFalse();
            assertThat(again.value().outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(again.value().champion()).isEqualTo(1);
            assertThat(again.value().time()).isEqualTo(first.value().time());
            assertThat(audit()).hasSize(events);
            // without a recorded verdict, a champion is still CONFLICT
            mlops.registry().setAlias("rain", "staging", 1);
            assertThatThrownBy(() -> gate(mlops, lenient).promoteOnce(ModelRef.of("rain", 1), "staging",
                    HoldoutEvaluation.NONE)).isInstanceOf(ConflictException.class);
        }

        @Test
        @DisplayName("another gate records first while this one is about to record (it evaluated long before): this"
                + " one records nothing, not even a passing move whose compare-and-set would succeed, and returns"
                + " the other's verdict")
        void stalledGateLosesToALaterOne() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            Mlops bob = competitor();
            AtomicReference<Created<GateVerdict>> bobs = new AtomicReference<>();
            store.beforeRecordVerdict.set(() -> bobs.set(gate(bob, strict).promoteOnce(ModelRef.of("rain", 2),
                    "production", HoldoutEvaluation.NONE)));

            Created<GateVerdict> mine = gate(mlops, lenient).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);

            assertThat(bobs.get().created()).isTrue();
            assertThat(bobs.get().value().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(mine.created()).isFalse();
            assertThat(mine.value().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(production()).isEqualTo(1);
            assertThat(decisions()).hasSize(1);
            assertThat(decisions().get(0).actor()).isEqualTo("bob");
            assertThat(mlops.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("another gate promotes first while this one (failing) is about to record: this one returns the"
                + " PROMOTED verdict; a passing one whose champion moved meanwhile returns it too, not a CONFLICT")
        void stalledGateLosesToAPromotion() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            approved("rain", Map.of("accuracy", 0.86));
            Mlops bob = competitor();
            store.beforeRecordVerdict.set(() -> gate(bob, lenient).promoteOnce(ModelRef.of("rain", 2),
                    "production", HoldoutEvaluation.NONE));
            Created<GateVerdict> failing = gate(mlops, strict).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);
            assertThat(failing.created()).isFalse();
            assertThat(failing.value().outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(production()).isEqualTo(2);

            store.beforeGetRun.set(() -> gate(bob, lenient).promoteOnce(ModelRef.of("rain", 3), "production",
                    HoldoutEvaluation.NONE));
            Created<GateVerdict> passing = gate(mlops, lenient).promoteOnce(ModelRef.of("rain", 3), "production",
                    HoldoutEvaluation.NONE);
            assertThat(passing.created()).isFalse();
            assertThat(passing.value().outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(passing.value().champion()).isEqualTo(2);
            assertThat(production()).isEqualTo(3);
            assertThat(decisions()).extracting(e -> JSON.readTree(e.data()).get("outcome").asText())
                    .containsExactly("PROMOTED", "PROMOTED");
        }

        @Test
        @DisplayName("a verdict on another alias does not count; one whose audit data was erased does not either")
        void otherAliasAndErased() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            assertThat(gate(mlops, strict).promoteOnce(ModelRef.of("rain", 2), "staging", HoldoutEvaluation.NONE)
                    .created()).isTrue();
            Created<GateVerdict> production = gate(mlops, strict).promoteOnce(ModelRef.of("rain", 2),
                    "production", HoldoutEvaluation.NONE);
            assertThat(production.created()).isTrue();

            AuditEvent recorded = decisions().get(1);
            mlops.audit().erase(recorded.seq(), "test: erased");
            Created<GateVerdict> after = gate(mlops, lenient).promoteOnce(ModelRef.of("rain", 2), "production",
                    HoldoutEvaluation.NONE);
            assertThat(after.created()).isTrue();
            assertThat(after.value().outcome()).isEqualTo(Outcome.PROMOTED);
        }
    }

    /**
     * Makes the store fail alias moves that carry several audit events, inside the store, until the returned handle
     * is closed. Here the decorator throws {@code STORAGE} instead of calling the store; a subclass whose store can
     * fail inside its own transaction does that instead, at the insert of the event whose action matches
     * {@code failingAction} (an SQL {@code LIKE} pattern).
     */
    AutoCloseable failAliasMovesInsideTheStore(String failingAction) throws Exception {
        store.failAliasMove.set(new StorageException("injected failure of the store while moving an alias", null));
        return () -> store.failAliasMove.set(null);
    }

    @Nested
    @DisplayName("atomicity of the verdict and the alias move")
    class Atomicity {
        @ParameterizedTest(name = "failing at {0}")
        @ValueSource(strings = {"promotion.decided", "model_alias.%"})
        @DisplayName("when the store fails the move, promote fails with STORAGE: the alias stays, no"
                + " promotion.decided is recorded, the chain verifies; once the store works, the same promotion"
                + " succeeds")
        void storeFailsTheMove(String failingAction) throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.85));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();
            List<AuditEvent> before = audit();

            try (AutoCloseable failure = failAliasMovesInsideTheStore(failingAction)) {
                assertThatThrownBy(() -> g.promote(ModelRef.of("rain", v2.version()), "production"))
                        .isInstanceOf(StorageException.class).hasMessageContaining("injected");
            }

            assertThat(production()).isEqualTo(1);
            assertThat(audit()).as("nothing appended").isEqualTo(before);
            assertThat(decisions()).as("no promotion.decided at all").isEmpty();
            assertThat(mlops.audit().verify().ok()).isTrue();

            GateVerdict v = g.promote(ModelRef.of("rain", v2.version()), "production");
            assertThat(v.outcome()).isEqualTo(Outcome.PROMOTED);
            assertThat(production()).isEqualTo(2);
            assertThat(audit().subList(before.size(), audit().size())).extracting(AuditEvent::action)
                    .containsExactly("promotion.decided", "model_alias.move");
            assertThat(mlops.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("a failing verdict is recorded alone, by appendAuditEvent, and the store is never asked to"
                + " move the alias")
        void failingVerdictAlone() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.70));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();
            int before = audit().size();

            GateVerdict v = g.promote(ModelRef.of("rain", v2.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(store.aliasCalls).isEmpty();
            assertThat(audit().subList(before, audit().size())).extracting(AuditEvent::action)
                    .containsExactly("promotion.decided");
            assertThat(production()).isEqualTo(1);
        }

        @Test
        @DisplayName("a lost compare-and-set stores neither the PROMOTED verdict nor a move: the one verdict"
                + " recorded is CONFLICT, and nothing of the gate's lies between the other writer's move and it")
        void lostRaceHalfWritesNothing() throws Exception {
            champion();
            approved("rain", Map.of("accuracy", 0.85));
            ModelVersion v3 = approved("rain", Map.of("accuracy", 0.83));
            Mlops bob = competitor();
            store.beforeSetAlias.set(() -> bob.registry().setAlias("rain", "production", v3.version()));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();
            int before = audit().size();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.CONFLICT);
            List<AuditEvent> appended = audit().subList(before, audit().size());
            assertThat(appended).extracting(AuditEvent::action).containsExactly("model_alias.move",
                    "promotion.decided");
            assertThat(appended.get(0).actor()).isEqualTo("bob");
            assertThat(JSON.readTree(appended.get(1).data()).get("outcome").asText()).isEqualTo("CONFLICT");
            assertThat(store.aliasCalls).as("the gate's one attempt to move").hasSize(1);
            assertThat(production()).isEqualTo(3);
        }

        @Test
        @DisplayName("a candidate deleted between the evaluation and the move: CONFLICT naming it, recorded alone,"
                + " the alias stays")
        void candidateGoneAtTheMove() throws Exception {
            champion();
            ModelVersion v2 = approved("rain", Map.of("accuracy", 0.85));
            Mlops bob = competitor();
            store.beforeSetAlias.set(() -> bob.registry().deleteVersion("rain", v2.version()));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0))
                    .build();
            int before = audit().size();

            GateVerdict v = g.promote(ModelRef.of("rain", v2.version()), "production");

            assertThat(v.outcome()).isEqualTo(Outcome.CONFLICT);
            assertThat(v.note()).contains("was not moved").contains("version").contains("rain").contains("2");
            assertThat(production()).isEqualTo(1);
            List<AuditEvent> appended = audit().subList(before, audit().size());
            assertThat(appended).extracting(AuditEvent::action).containsExactly("model_version.delete",
                    "promotion.decided");
            assertThat(JSON.readTree(appended.get(1).data()).get("outcome").asText()).isEqualTo("CONFLICT");
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {
        @Test
        @DisplayName("a candidate that does not exist is NOT_FOUND, nothing audited")
        void notFound() throws Exception {
            champion();
            PromotionGate g = gate().build();
            int events = audit().size();

            assertThatThrownBy(() -> g.promote(ModelRef.of("rain", 9), "production"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("version 9");
            assertThatThrownBy(() -> g.evaluate(ModelRef.of("snow", 1), "production"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("snow");
            assertThatThrownBy(() -> g.evaluate(ModelRef.of("rain", "canary"), "production"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("canary");
            assertThat(audit()).hasSize(events);
        }

        @Test
        @DisplayName("a candidate that already is the champion is a CONFLICT")
        void candidateIsChampion() throws Exception {
            champion();
            PromotionGate g = gate().build();

            assertThatThrownBy(() -> g.promote(ModelRef.of("rain", 1), "production"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("already the champion");
            assertThatThrownBy(() -> g.evaluate(ModelRef.of("rain", "production"), "production"))
                    .isInstanceOf(ConflictException.class);
        }

        @Test
        @DisplayName("a bad alias name or a missing candidate is INVALID_ARGUMENT naming the field")
        void badArguments() throws Exception {
            champion();
            PromotionGate g = gate().build();

            assertThatThrownBy(() -> g.evaluate(ModelRef.of("rain", 1), "9"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("alias"));
            assertThatThrownBy(() -> g.evaluate(null, "production"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("candidate"));
            assertThatThrownBy(() -> g.evaluate(ModelRef.of("rain", 1), "production", null))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("evaluation"));
        }
    }

    @Nested
    @DisplayName("the verdict as JSON")
    class Json {
        @Test
        @DisplayName("has the fields the quickstart prints, and an infinite relative change is null with a note")
        void fields() throws Exception {
            ModelVersion v1 = approved("rain", Map.of("bias", 0.0));
            govern("rain");
            mlops.registry().setAlias("rain", "production", v1.version());
            approved("rain", Map.of("bias", 0.2));
            PromotionGate g = gate().threshold(GateThreshold.higherIsBetter("bias").minRelativeChange(0.1)).build();

            GateVerdict v = g.promote(ModelRef.of("rain", 2), "production");
            JsonNode json = JSON.readTree(v.toJson());

            assertThat(json.get("candidate").asInt()).isEqualTo(2);
            assertThat(json.get("champion").asInt()).isEqualTo(1);
            assertThat(json.get("promoted").asBoolean()).isTrue();
            assertThat(json.get("passed").asBoolean()).isTrue();
            assertThat(json.get("model").asText()).isEqualTo("rain");
            assertThat(json.get("alias").asText()).isEqualTo("production");
            assertThat(json.get("time").asText()).isEqualTo(clock.instant().toString());
            assertThat(json.get("reasons")).hasSize(v.checks().size());
            JsonNode rel = json.get("checks").get(3);
            assertThat(rel.get("name").asText()).isEqualTo("bias.relative_change");
            assertThat(rel.get("measured").isNull()).isTrue();
            assertThat(rel.get("measured_note").asText()).isEqualTo("+Infinity");
            assertThat(rel.get("detail").asText()).contains("+Infinity").contains("champion's value is 0");
            assertThat(v.checks().get(3).measured()).isEqualTo(Double.POSITIVE_INFINITY);
            AuditEvent decided = decisions().get(0);
            assertThat(JSON.readTree(decided.data()).get("checks").get(3).get("measured_note").asText())
                    .isEqualTo("+Infinity");
        }
    }

    /**
     * A store that runs a competing writer's action just before the gate's alias move or a run read, records the
     * alias moves that carry a list of events, and can fail them.
     */
    static final class RacingStore extends ForwardingMetadataStore {
        private final MetadataStore delegate;
        final AtomicReference<Runnable> beforeSetAlias = new AtomicReference<>();
        final AtomicReference<Runnable> beforeGetRun = new AtomicReference<>();
        /** Run once just before the next verdict is recorded through recordPromotionVerdict. */
        final AtomicReference<Runnable> beforeRecordVerdict = new AtomicReference<>();
        /** Thrown by the next alias moves with a list of events, instead of calling the store, while set. */
        final AtomicReference<RuntimeException> failAliasMove = new AtomicReference<>();
        /** The actions of the events of every alias move with a list of events, in call order. */
        final List<List<String>> aliasCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

        RacingStore(MetadataStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected MetadataStore delegate() {
            return delegate;
        }

        @Override
        public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
                PendingAuditEvent audit) {
            Runnable r = beforeSetAlias.getAndSet(null);
            if (r != null) {
                r.run();
            }
            return super.setAlias(name, alias, version, expectedCurrent, time, audit);
        }

        @Override
        public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
                List<PendingAuditEvent> audit) {
            aliasCalls.add(audit.stream().map(PendingAuditEvent::action).toList());
            Runnable r = beforeSetAlias.getAndSet(null);
            if (r != null) {
                r.run();
            }
            RuntimeException failure = failAliasMove.get();
            if (failure != null) {
                throw failure;
            }
            return super.setAlias(name, alias, version, expectedCurrent, time, audit);
        }

        @Override
        public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
                Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
            Runnable r = beforeRecordVerdict.getAndSet(null);
            if (r != null) {
                r.run();
            }
            return super.recordPromotionVerdict(name, alias, candidate, move, expectedCurrent, time, audit);
        }

        @Override
        public Optional<Run> getRun(String runId) {
            Runnable r = beforeGetRun.getAndSet(null);
            if (r != null) {
                r.run();
            }
            return super.getRun(runId);
        }
    }
}
