package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ConflictException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.tracking.RunLink;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Writers racing to register versions of one model, the way the API layer does (read the latest number, ask for
 * the next, retry on {@code CONFLICT}), on any JDBC store: the SQLite and PostgreSQL tests run the same races.
 */
final class RegistryRace {
    private RegistryRace() {
    }

    /** Creates {@code model} unless it exists, and a run of {@code actor}; returns the run's id. */
    static String prepare(JdbcStore store, String model, String actor) {
        store.createModel(RegistryFixtures.newModel(model), audit(actor, "model.create", "model:" + model));
        return Fixtures.createRun(store, actor, T0);
    }

    /**
     * {@code rounds} rounds in which {@code writers} threads, spread over the stores {@code open} makes, all read the
     * latest number and then all ask for the next one at once: in each round exactly one gets it and every other
     * gets a {@code CONFLICT} that names the next number. The model ends with versions 1..rounds.
     */
    static void lockstep(Supplier<JdbcStore> open, int stores, int writers, int rounds) throws Exception {
        List<JdbcStore> opened = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int s = 0; s < stores; s++) {
                opened.add(open.get());
            }
            int eventsBefore = Fixtures.chain(opened.get(0)).size();
            String run = prepare(opened.get(0), "lockstep", "setup");
            CyclicBarrier read = new CyclicBarrier(writers);
            CyclicBarrier tried = new CyclicBarrier(writers);
            List<Future<List<Boolean>>> outcomes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                JdbcStore store = opened.get(w % stores);
                String actor = "writer-" + w;
                outcomes.add(pool.submit(() -> {
                    List<Boolean> won = new ArrayList<>();
                    for (int round = 0; round < rounds; round++) {
                        int next = store.getModel("lockstep").orElseThrow().latestVersion() + 1;
                        assertThat(next).as("the number every writer reads in round %d", round).isEqualTo(round + 1);
                        read.await(60, TimeUnit.SECONDS);
                        try {
                            store.createModelVersion(RegistryFixtures.newVersion("lockstep", next, run, actor),
                                    RegistryFixtures.registerEvent(actor, "lockstep", next));
                            won.add(true);
                        } catch (ConflictException lost) {
                            assertThat(lost).hasMessageContaining("the next version is " + (next + 1));
                            won.add(false);
                        }
                        tried.await(60, TimeUnit.SECONDS);
                    }
                    return won;
                }));
            }
            int[] winners = new int[rounds];
            for (Future<List<Boolean>> outcome : outcomes) {
                List<Boolean> won = outcome.get(120, TimeUnit.SECONDS);
                for (int round = 0; round < rounds; round++) {
                    winners[round] += won.get(round) ? 1 : 0;
                }
            }
            assertThat(winners).as("winners per round").containsOnly(1);
            JdbcStore store = opened.get(stores - 1);
            assertThat(numbers(store, "lockstep")).isEqualTo(IntStream.rangeClosed(1, rounds).boxed().toList());
            List<AuditEvent> chain = Fixtures.chain(store);
            Fixtures.assertChainIntact(chain);
            assertThat(chain.subList(eventsBefore, chain.size()).stream()
                    .filter(e -> e.action().equals(RegistryFixtures.REGISTER))).hasSize(rounds);
        } finally {
            pool.shutdownNow();
            opened.forEach(JdbcStore::close);
        }
    }

    /**
     * {@code processes} other JVMs and {@code threads} threads of this one with a store each, all opening
     * the store at {@code uri} at the same moment (a fresh or older database is migrated on the way), each creating
     * the model unless it exists and registering {@code each} versions from a run of its own. The versions are
     * exactly 1..N, each got by one writer, linked from that writer's run; the model was created once; the chain
     * verifies.
     */
    static void freeForAll(String uri, Supplier<JdbcStore> open, Path dir, int processes, int threads, int each)
            throws Exception {
        String model = "free-for-all";
        Path go = dir.resolve("go-" + System.nanoTime());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int p = 0; p < processes; p++) {
                Process child = new ProcessBuilder(java, "-cp", testClassPath(),
                        RegistryWriterProcess.class.getName(), uri, go.toString(), model, Integer.toString(each),
                        "process-" + p).redirectErrorStream(true).start();
                children.add(child);
                byte[] ready = child.getInputStream().readNBytes(6);
                assertThat(new String(ready, StandardCharsets.UTF_8)).isEqualTo("ready\n");
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Map.Entry<String, List<Integer>>>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String actor = "thread-" + t;
                writers.add(pool.submit(() -> {
                    start.await();
                    try (JdbcStore store = open.get()) {
                        String run = prepare(store, model, actor);
                        List<Integer> got = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            got.add(RegistryFixtures.register(store, model, run, actor));
                        }
                        return Map.entry(run, got);
                    }
                }));
            }
            Files.createFile(go);
            start.countDown();
            Map<String, List<Integer>> byRun = new HashMap<>();
            Map<Integer, String> writerOf = new TreeMap<>();
            for (int t = 0; t < threads; t++) {
                Map.Entry<String, List<Integer>> result = writers.get(t).get(180, TimeUnit.SECONDS);
                byRun.put(result.getKey(), result.getValue());
                for (int n : result.getValue()) {
                    assertThat(writerOf.put(n, "thread-" + t)).as("the writer of version %d", n).isNull();
                }
            }
            for (int p = 0; p < processes; p++) {
                Process child = children.get(p);
                assertThat(child.waitFor(180, TimeUnit.SECONDS)).as("process %d ended", p).isTrue();
                String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.exitValue()).as(output).isZero();
                String run = line(output, "run ");
                List<Integer> got = List.of(line(output, "got ").split(" ")).stream().map(Integer::parseInt).toList();
                assertThat(got).hasSize(each);
                byRun.put(run, got);
                for (int n : got) {
                    assertThat(writerOf.put(n, "process-" + p)).as("the writer of version %d", n).isNull();
                }
            }

            int total = (processes + threads) * each;
            try (JdbcStore store = open.get()) {
                assertThat(store.getModel(model).orElseThrow().latestVersion()).isEqualTo(total);
                assertThat(numbers(store, model)).isEqualTo(IntStream.rangeClosed(1, total).boxed().toList());
                assertThat(writerOf.keySet()).isEqualTo(new java.util.TreeSet<>(numbers(store, model)));
                for (ModelVersion v : readAll(store, model)) {
                    assertThat(v.createdBy()).as("registrant of version %d", v.version())
                            .isEqualTo(writerOf.get(v.version()));
                }
                for (Map.Entry<String, List<Integer>> e : byRun.entrySet()) {
                    List<RunLink> expected = e.getValue().stream()
                            .map(n -> RunLink.output(NodeRef.model(model, n))).toList();
                    assertThat(store.getRun(e.getKey()).orElseThrow().outputs()).isEqualTo(expected);
                    assertThat(store.lineageEdges(List.of(NodeRef.run(e.getKey())), Direction.DOWNSTREAM))
                            .extracting(LineageEdge::kind).hasSize(each).containsOnly(EdgeKind.OUTPUT);
                }
                List<AuditEvent> chain = Fixtures.chain(store);
                RegistryMigrationTest.assertVerifies(store, chain.size());
                Map<String, Long> actions = chain.stream()
                        .collect(Collectors.groupingBy(AuditEvent::action, Collectors.counting()));
                assertThat(actions.get(RegistryFixtures.REGISTER)).isEqualTo((long) total);
                assertThat(actions.get("model.create")).isEqualTo(1L);
            }
        } finally {
            pool.shutdownNow();
            children.forEach(Process::destroyForcibly);
        }
    }

    /** The numbers of the model's versions, in listing order, read in small pages. */
    static List<Integer> numbers(JdbcStore store, String model) {
        return readAll(store, model).stream().map(ModelVersion::version).toList();
    }

    private static List<ModelVersion> readAll(JdbcStore store, String model) {
        return JdbcStoreBehaviourTest.readAll(p -> store.searchModelVersions(VersionQuery.of(model), p), 7);
    }

    /** The rest of the first line of {@code output} that starts with {@code prefix}. */
    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "...' in: " + output))
                .substring(prefix.length()).strip();
    }

    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, path.split(File.pathSeparator));
    }
}
