package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.lineage.NodeRef;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Guards;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The monitored service example on real data and a real SQLite store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoredServiceExampleTest {
    @TempDir
    Path dir;

    private Mlops.Builder builder() {
        return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts"));
    }

    @Test
    @DisplayName("the demo serves 2014-2015 month by month: every window decided, the retrainer called exactly once"
            + " per retrain decision, the next month served by the new version, accuracies as recomputed")
    void demo() throws Exception {
        MonitoredServiceExample.DemoResult r = MonitoredServiceExample.demo(builder(), Files.createDirectory(
                dir.resolve("work")));
        try (Mlops mlops = builder().build()) {
            List<String[]> rows = ModelServingExample.weatherRows();
            assertThat(r.windows()).hasSize(24);
            List<String> expectedKeys = new ArrayList<>();
            YearMonth month = YearMonth.of(2014, 1);
            int version = 1;
            for (MonitoredServiceExample.WindowResult w : r.windows()) {
                assertThat(w.windowId()).isEqualTo(month.toString());
                String prefix = month.toString();
                List<String[]> days = rows.stream().filter(x -> x[0].startsWith(prefix)).toList();
                assertThat(w.report().rows()).isEqualTo(days.size());
                assertThat(w.labels()).isEqualTo(days.size());
                assertThat(w.servingVersion()).isEqualTo(version);
                // the month's accuracy is the serving version's on the month's days
                ModelVersion v = mlops.registry().getVersion("seattle-rain-monitored", version).orElseThrow();
                LogisticModel m;
                try (InputStream in = mlops.artifacts().open(v.digest())) {
                    m = LogisticModel.fromJson(in.readAllBytes());
                }
                double[][] x = days.stream().map(d -> new double[] {Double.parseDouble(d[2]), Double.parseDouble(d[3]),
                        Double.parseDouble(d[4])}).toArray(double[][]::new);
                boolean[] wet = new boolean[days.size()];
                for (int i = 0; i < wet.length; i++) {
                    wet[i] = Double.parseDouble(days.get(i)[1]) > 0;
                }
                assertThat(w.accuracy()).isEqualTo(m.accuracy(x, wet));
                assertThat(w.decision().windowId()).isEqualTo(month.toString());
                assertThat(w.decision().observedAt()).isEqualTo(month.plusMonths(1).atDay(1)
                        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
                assertThat(w.handlerCalled()).isEqualTo(w.decision().retrain());
                assertThat(w.request().isPresent()).isEqualTo(w.decision().retrain());
                int serving = version;
                w.request().ifPresent(q -> {
                    assertThat(q.status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
                    assertThat(q.attempt()).isEqualTo(1);
                    assertThat(q.idempotencyKey()).isEqualTo(w.decision().idempotencyKey());
                    // lineage: serving version -> the request's run (tagged with its key) -> the new version
                    String run = q.runId().orElseThrow();
                    assertThat(q.servingVersion()).contains(Integer.toString(serving));
                    assertThat(mlops.tracking().get(run).orElseThrow().tags())
                            .containsEntry(RetrainingRequest.KEY_TAG, q.idempotencyKey());
                    NodeRef from = NodeRef.model("seattle-rain-monitored", serving);
                    assertThat(mlops.lineage().path(from, NodeRef.model("seattle-rain-monitored", serving + 1), 2)
                            .orElseThrow()).extracting(e -> e.from().id() + " -> " + e.to().id())
                            .containsExactly(from.id() + " -> run:" + run,
                                    "run:" + run + " -> model:seattle-rain-monitored/" + (serving + 1));
                });
                if (w.decision().retrain()) {
                    expectedKeys.add(w.decision().idempotencyKey());
                    assertThat(w.decision().reasons()).isNotEmpty();
                    version++;
                }
                month = month.plusMonths(1);
            }
            assertThat(expectedKeys).isNotEmpty();
            assertThat(r.retrainedFor()).containsExactlyElementsOf(expectedKeys);
            assertThat(r.productionAtEnd()).isEqualTo(version);
            assertThat(mlops.registry().getVersion("seattle-rain-monitored", version + 1)).isEmpty();
            assertThat(r.windows()).anyMatch(w -> w.decision().status() == Decision.Status.NO_RETRAIN);
            // the decisions and the requests are in the store, each request audited from requested to completed
            assertThat(mlops.policies().decisions("rain-service", "seattle-rain-monitored")).hasSize(24);
            assertThat(mlops.retraining().requests("rain-service", "seattle-rain-monitored"))
                    .extracting(RetrainingRequest::idempotencyKey).containsExactlyElementsOf(expectedKeys);
            List<AuditEvent> events = mlops.audit().events(0, PageRequest.first(10_000)).items();
            assertThat(events).filteredOn(e -> e.action().equals("retraining.completed")).hasSameSizeAs(expectedKeys);
            assertThat(events).filteredOn(e -> e.action().equals("policy.decided")).hasSize(24)
                    .extracting(AuditEvent::actor).containsOnly("rain-service");
            assertThat(mlops.retraining().resumePending(MonitoredServiceExample.demoPolicy(),
                    "seattle-rain-monitored", q -> {
                        throw new AssertionError("nothing is pending");
                    })).isEmpty();
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    @Test
    @DisplayName("a re-sent window returns its stored decision without calling the handler again; a handler that"
            + " throws gives a FAILED request, its decision stays recorded, and the back-off holds the next trigger")
    void idempotentAndFailures() throws Exception {
        MonitoredServiceExample.SettableClock clock = new MonitoredServiceExample.SettableClock(
                Instant.parse("2024-01-01T00:00:00Z"));
        try (Mlops mlops = builder().clock(clock).build()) {
            Path work = Files.createDirectory(dir.resolve("work"));
            Path file = work.resolve("m.json");
            LogisticModel model = new LogisticModel(ModelServingExample.FEATURES, new double[] {16, 8, 3},
                    new double[] {7, 5, 1.5}, new double[] {-1.1, 0.3, 0.6}, 0.1, List.of("dry", "wet"));
            Files.write(file, model.toJson());
            mlops.registry().createModel("m", "test", Map.of());
            mlops.registry().setGovernance("m", Governance.builder().businessOwner("o").approverRole("r").build());
            ModelVersion v = mlops.registry().newVersion("m")
                    .signature(ModelServingExample.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC))
                            .toList(), List.of(new Column("probability", ColumnType.NUMERIC)))
                    .upload(file);
            mlops.registry().approve("m", v.version(), "test");
            mlops.registry().setAlias("m", "production", v.version());
            RetrainingPolicy always = RetrainingPolicy.builder("always").anyOf(Condition.newRows(1))
                    .backoff(Duration.ofDays(1), 2, Duration.ofDays(4)).build();
            List<String> calls = new CopyOnWriteArrayList<>();
            RetrainingHandler handler = q -> {
                calls.add(q.windowId());
                if (q.windowId().equals("w2")) {
                    throw new IllegalStateException("training cluster unavailable");
                }
                return Optional.empty();
            };
            MonitoredServiceExample.References references = ver -> {
                DatasetProfiler p = DatasetProfiler.builder().numeric("temp_max", "temp_min", "wind", "probability")
                        .build();
                for (int i = 0; i < 50; i++) {
                    double[] x = {10 + i % 7, 5 + i % 5, 2 + i % 3};
                    p.column("temp_max").add(x[0]);
                    p.column("temp_min").add(x[1]);
                    p.column("wind").add(x[2]);
                    p.column("probability").add(model.probability(x));
                }
                return p.toProfile();
            };
            try (MonitoredServiceExample service = new MonitoredServiceExample(mlops, "m", always, references, 0.3,
                    Duration.ofMinutes(1), handler)) {
                double p = service.predict(1, 11.1, 4.4, 5.1);
                assertThat(p).isEqualTo(model.probability(new double[] {11.1, 4.4, 5.1}));
                assertThat(service.label(1, true)).isTrue();
                assertThat(service.label(1, true)).as("labelled twice").isFalse();
                assertThat(service.label(99, true)).as("unknown request").isFalse();
                clock.set(Instant.parse("2024-01-02T00:00:00Z"));
                MonitoredServiceExample.WindowResult w1 = service.closeWindow("w1");
                assertThat(w1.decision().retrain()).isTrue();
                assertThat(w1.handlerCalled()).isTrue();
                assertThat(w1.request().orElseThrow().status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
                assertThat(w1.accuracy()).isEqualTo(p >= 0.5 ? 1.0 : 0.0);
                service.predict(2, 11.1, 4.4, 5.1);
                clock.set(Instant.parse("2024-01-03T00:00:00Z"));
                MonitoredServiceExample.WindowResult again = service.closeWindow("w1");
                assertThat(again.decision()).isEqualTo(w1.decision());
                assertThat(again.handlerCalled()).isFalse();
                assertThat(again.request()).isEqualTo(w1.request());
                assertThat(calls).containsExactly("w1");

                service.predict(3, 12.0, 5.0, 3.0);
                clock.set(Instant.parse("2024-01-04T00:00:00Z"));
                MonitoredServiceExample.WindowResult w2 = service.closeWindow("w2");
                assertThat(w2.handlerCalled()).isTrue();
                RetrainingRequest failed = w2.request().orElseThrow();
                assertThat(failed.status()).isEqualTo(RetrainingRequest.Status.FAILED);
                assertThat(failed.error()).contains("java.lang.IllegalStateException: training cluster unavailable");
                assertThat(w2.accuracy()).as("no label arrived in w2").isNull();
                assertThat(mlops.policies().decision("always", "m", "w2")).contains(w2.decision());
                assertThat(calls).containsExactly("w1", "w2");

                // the failure drives the back-off: a trigger half a day later is held, one after the day retrains
                service.predict(4, 12.0, 5.0, 3.0);
                clock.set(Instant.parse("2024-01-04T12:00:00Z"));
                MonitoredServiceExample.WindowResult w3 = service.closeWindow("w3");
                assertThat(w3.decision().status()).isEqualTo(Decision.Status.HELD);
                assertThat(w3.decision().heldBy()).contains(Guards.Guard.BACKOFF);
                assertThat(w3.handlerCalled()).isFalse();
                assertThat(w3.request()).isEmpty();
                service.predict(5, 12.0, 5.0, 3.0);
                clock.set(Instant.parse("2024-01-05T06:00:00Z"));
                MonitoredServiceExample.WindowResult w4 = service.closeWindow("w4");
                assertThat(w4.decision().retrain()).isTrue();
                assertThat(w4.request().orElseThrow().status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
                assertThat(calls).containsExactly("w1", "w2", "w4");
                assertThat(service.resumePending()).isEmpty();
                assertThat(mlops.retraining().requests("always", "m")).extracting(RetrainingRequest::windowId,
                        RetrainingRequest::status).containsExactly(tuple("w1", RetrainingRequest.Status.COMPLETED),
                                tuple("w2", RetrainingRequest.Status.FAILED),
                                tuple("w4", RetrainingRequest.Status.COMPLETED));
                assertThat(mlops.audit().verify().ok()).isTrue();
            }
        }
    }

    @Test
    @DisplayName("main runs the demo on a SQLite file and prints a line per month")
    void main() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            MonitoredServiceExample.main(new String[] {"sqlite:" + dir.resolve("main.db")});
        } finally {
            System.setOut(old);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().filter(l -> l.matches("201[45]-[0-9]{2} version .*"))).hasSize(24);
        assertThat(out).contains("retrained for [rain-service/seattle-rain-monitored/");
    }
}
