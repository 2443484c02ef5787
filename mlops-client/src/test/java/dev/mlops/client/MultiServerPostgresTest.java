package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.registry.ModelVersion;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.jdbc.PostgresTestDatabase;
import dev.mlops.store.jdbc.RequiresPostgres;
import dev.mlops.tck.TckData;
import dev.mlops.tracking.Run;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link MlopsServer}s, each over its own PostgreSQL-backed store, on the same schema: the server keeps no state of
 * its own, so clients may use either. Runs when {@value PostgresTestDatabase#VARIABLE} is set, skipped (with the
 * reason) when not.
 */
@RequiresPostgres
@DisplayName("two servers over one PostgreSQL database serve concurrent clients as one")
class MultiServerPostgresTest {
    private static final int THREADS = 8;
    private static final int VERSIONS_PER_THREAD = 4;
    private static final int ALIAS_ROUNDS = 6;
    private static final int SHARED_RUNS = 12;
    private static final String MODEL = "churn";

    private static PostgresTestDatabase database;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        database = PostgresTestDatabase.open();
    }

    @AfterAll
    static void dropSchemas() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("version numbers without gaps or duplicates, one winner per alias compare-and-set, one run per id,"
            + " and an audit chain that verifies")
    void twoServersOneDatabase() throws Exception {
        String uri = database.newSchema();
        MetadataStore backendA = new JdbcStoreProvider().open(uri);
        MetadataStore backendB = new JdbcStoreProvider().open(uri);
        LocalArtifactStore bytesA = new LocalArtifactStore(dir.resolve("artifacts-a"));
        LocalArtifactStore bytesB = new LocalArtifactStore(dir.resolve("artifacts-b"));
        MlopsServer serverA = MlopsServer.builder().store(backendA).artifacts(bytesA).host("127.0.0.1").port(0)
                .build().start();
        MlopsServer serverB = MlopsServer.builder().store(backendB).artifacts(bytesB).host("127.0.0.1").port(0)
                .build().start();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (RemoteMetadataStore remoteA = RemoteMetadataStore.builder(serverA.uri().toString()).build();
                RemoteMetadataStore remoteB = RemoteMetadataStore.builder(serverB.uri().toString()).build();
                Mlops mlopsA = Mlops.builder().store(remoteA).artifactStore(remoteA.artifactStore()).actor("alice")
                        .build();
                Mlops mlopsB = Mlops.builder().store(remoteB).artifactStore(remoteB.artifactStore()).actor("bob")
                        .build()) {
            assertThat(serverA.port()).isNotEqualTo(serverB.port());
            Mlops[] servers = {mlopsA, mlopsB};
            RemoteMetadataStore[] remotes = {remoteA, remoteB};
            mlopsA.registry().createModel(MODEL, "churn model", Map.of());
            assertThat(mlopsB.registry().getModel(MODEL)).as("a model created through A, read through B").isPresent();

            // 1. versions registered concurrently through both servers
            Queue<Integer> confirmed = new ConcurrentLinkedQueue<>();
            List<Callable<Void>> register = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                register.add(() -> {
                    for (int i = 0; i < VERSIONS_PER_THREAD; i++) {
                        Mlops via = servers[(thread + i) % 2];
                        String content = "weights " + thread + "/" + i;
                        byte[] weights = content.getBytes(StandardCharsets.UTF_8);
                        ModelVersion v = via.registry().newVersion(MODEL).signature(TckData.SIGNATURE)
                                .expectedDigest(TckData.digest(content)).upload(new ByteArrayInputStream(weights));
                        confirmed.add(v.version());
                    }
                    return null;
                });
            }
            runAll(pool, register);
            int latest = mlopsB.registry().model(MODEL).latestVersion();
            assertThat(confirmed).as("confirmed version numbers").doesNotHaveDuplicates();
            assertThat(new TreeSet<>(confirmed)).as("confirmed numbers are 1..latest, no gaps")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, latest).boxed().toList());
            assertThat(latest).as("every registration confirmed").isEqualTo(THREADS * VERSIONS_PER_THREAD);
            for (Mlops m : servers) {
                List<Integer> stored = allVersions(m).stream().map(ModelVersion::version).toList();
                assertThat(stored).as("versions stored, read through either server")
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, latest).boxed().toList());
            }

            // 2. compare-and-set of one alias, all threads racing each round: exactly one winner
            int current = 0;
            for (int round = 0; round < ALIAS_ROUNDS; round++) {
                int expected = current;
                CyclicBarrier start = new CyclicBarrier(THREADS);
                Queue<Integer> winners = new ConcurrentLinkedQueue<>();
                Queue<Integer> losers = new ConcurrentLinkedQueue<>();
                List<Callable<Void>> race = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int target = targetOf(round, t, expected, latest);
                    Mlops via = servers[t % 2];
                    race.add(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        try {
                            via.registry().setAlias(MODEL, "prod", target, expected);
                            winners.add(target);
                        } catch (ConflictException e) {
                            losers.add(target);
                        }
                        return null;
                    });
                }
                runAll(pool, race);
                assertThat(winners).as("winners of round %d", round).hasSize(1);
                assertThat(losers).hasSize(THREADS - 1);
                current = winners.peek();
                for (Mlops m : servers) {
                    assertThat(m.registry().resolve(MODEL + "@prod").version()).isEqualTo(current);
                }
            }

            // 3. the same run id created through both servers at once: one created, the other gets the stored one
            List<Callable<Created<Run>>> creates = new ArrayList<>();
            for (int n = 1; n <= SHARED_RUNS; n++) {
                long id = n;
                for (RemoteMetadataStore remote : remotes) {
                    creates.add(() -> remote.createRun(newRun(id), audit("run.create", "run:" + runId(id))));
                }
            }
            List<Future<Created<Run>>> results = pool.invokeAll(creates, 60, TimeUnit.SECONDS);
            Map<String, List<Created<Run>>> byId = new HashMap<>();
            for (Future<Created<Run>> f : results) {
                Created<Run> c = f.get();
                byId.computeIfAbsent(c.value().id(), k -> new ArrayList<>()).add(c);
            }
            assertThat(byId).hasSize(SHARED_RUNS);
            byId.forEach((id, pair) -> {
                assertThat(pair).hasSize(2);
                assertThat(pair.stream().filter(Created::created).count()).as("created flags of %s", id)
                        .isEqualTo(1);
                assertThat(pair.get(0).value()).isEqualTo(pair.get(1).value());
                assertThat(remoteB.getRun(id)).contains(pair.get(0).value());
            });

            // 4. the one audit chain verifies, through either server, and holds each confirmed write once
            for (Mlops m : servers) {
                AuditVerification verification = m.audit().verify();
                assertThat(verification.ok()).as(verification.reason()).isTrue();
            }
            List<AuditEvent> events = allEvents(mlopsA);
            assertThat(events.stream().map(AuditEvent::seq).toList()).as("seq without gaps")
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1, events.size()).mapToObj(Long::valueOf).toList());
            Map<String, Long> registered = events.stream().filter(e -> e.action().equals("model_version.register"))
                    .collect(Collectors.groupingBy(AuditEvent::subject, Collectors.counting()));
            assertThat(registered).hasSize(latest).allSatisfy((subject, count) -> assertThat(count).isEqualTo(1));
            Map<String, Long> runs = events.stream().filter(e -> e.action().equals("run.create"))
                    .collect(Collectors.groupingBy(AuditEvent::subject, Collectors.counting()));
            assertThat(runs.keySet()).isEqualTo(byId.keySet().stream().map(id -> "run:" + id)
                    .collect(Collectors.toSet()));
            assertThat(runs.values()).allMatch(count -> count == 1);
            assertThat(database.queryLong("SELECT count(*) FROM " + schemaOf(uri) + ".runs"))
                    .isEqualTo(SHARED_RUNS);
        } finally {
            pool.shutdownNow();
            serverA.close();
            serverB.close();
            backendA.close();
            backendB.close();
            bytesA.close();
            bytesB.close();
        }
    }

    /** A version other than {@code expected}, differing between threads where the versions allow. */
    private static int targetOf(int round, int thread, int expected, int latest) {
        int target = (round * THREADS + thread) % latest + 1;
        return target == expected ? target % latest + 1 : target;
    }

    private static String schemaOf(String uri) {
        return uri.substring(uri.indexOf("currentSchema=") + "currentSchema=".length());
    }

    private static <T> void runAll(ExecutorService pool, List<Callable<T>> tasks) throws Exception {
        for (Future<T> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
            f.get();
        }
    }

    private static List<ModelVersion> allVersions(Mlops mlops) {
        List<ModelVersion> all = new ArrayList<>();
        PageRequest request = PageRequest.first(100);
        while (true) {
            Page<ModelVersion> page = mlops.registry().searchVersions(
                    dev.mlops.registry.VersionQuery.of(MODEL), request);
            all.addAll(page.items());
            if (page.next().isEmpty()) {
                return all;
            }
            request = request.next(page);
        }
    }

    private static List<AuditEvent> allEvents(Mlops mlops) {
        List<AuditEvent> all = new ArrayList<>();
        PageRequest request = PageRequest.first(100);
        while (true) {
            Page<AuditEvent> page = mlops.audit().events(0, request);
            all.addAll(page.items());
            if (page.next().isEmpty()) {
                return all;
            }
            request = request.next(page);
        }
    }
}
