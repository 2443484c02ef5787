package dev.mlops.internal.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Metrics sent in the background")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BackgroundMetricsTest {
    enum Kind {
        MEMORY, SQLITE;

        MetadataStore open(Path dir) {
            return this == MEMORY ? new InMemoryStore() : JdbcStore.sqlite(dir.resolve("mlops.db"));
        }
    }

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private GatedStore store;

    @AfterEach
    void cleanUp() throws Exception {
        if (store != null) {
            store.failWith.set(null);
            store.release();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Mlops open(Kind kind, int batch, int capacity) {
        MetadataStore backend = kind.open(dir);
        toClose.add(backend);
        store = new GatedStore(backend);
        Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("tester").metricBatchSize(batch)
                .metricQueueCapacity(capacity).heartbeatInterval(Duration.ofMinutes(1))
                .heartbeatTimeout(Duration.ofMinutes(2)).build();
        toClose.add(mlops);
        return mlops;
    }

    private static ActiveRun start(Mlops mlops) {
        return mlops.tracking().starter("train").codeVersion(null).start();
    }

    private static List<MetricPoint> history(MetadataStore store, String runId, String key) {
        return store.metricHistory(runId, key, PageRequest.first(PageRequest.MAX_PAGE_SIZE)).items();
    }

    private static List<Long> steps(List<MetricPoint> points) {
        return points.stream().map(MetricPoint::step).toList();
    }

    private static List<Long> range(long n) {
        return LongStream.range(0, n).boxed().toList();
    }

    private static List<AuditEvent> metricEvents(Mlops mlops, String runId) {
        return mlops.audit().events(0, PageRequest.first(PageRequest.MAX_PAGE_SIZE)).items().stream()
                .filter(e -> e.action().equals("run.log_metrics") && e.subject().equals("run:" + runId)).toList();
    }

    /** Waits (bounded) until {@code t} is parked waiting (for room in the queue, for the sender). */
    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(t.isAlive()).as("the logging thread is still running").isTrue();
            assertThat(System.nanoTime()).as("the logging thread waits for room").isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @DisplayName("logMetric returns while the store is still busy with the batch it filled; a sender thread stores it")
    void logMetricDoesNotWaitForTheStore(Kind kind) throws Exception {
        Mlops mlops = open(kind, 5, 4);
        ActiveRun run = start(mlops);
        store.block();
        for (int step = 0; step < 10; step++) {
            run.logMetric("loss", 1.0 / (step + 1), step); // two full batches, returns with the store blocked
        }
        assertThat(store.awaitEntered(1)).as("the first batch reached the store").isTrue();
        assertThat(store.accepted(run.id())).isEmpty();
        assertThat(store.senderThreads).allSatisfy(name -> assertThat(name).startsWith("mlops-metrics-"));
        store.release();
        run.flush();
        assertThat(store.accepted(run.id())).extracting(b -> steps(b))
                .containsExactly(List.of(0L, 1L, 2L, 3L, 4L), List.of(5L, 6L, 7L, 8L, 9L));
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(range(10));
        run.close();
        assertThat(store.violations()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    @DisplayName("with capacity N and a blocked store, the (N+1)th full batch waits for room and is stored later")
    void queueIsBounded(int capacity) throws Exception {
        int batch = 4;
        Mlops mlops = open(Kind.MEMORY, batch, capacity);
        MetricSender sender = ((DefaultTracking) mlops.tracking()).sender();
        ActiveRun run = start(mlops);
        store.block();
        for (int step = 0; step < capacity * batch; step++) {
            run.logMetric("loss", step, step);
        }
        assertThat(store.awaitEntered(1)).isTrue();
        assertThat(sender.waitingFull()).isEqualTo(capacity);

        CountDownLatch logged = new CountDownLatch(1);
        Thread next = new Thread(() -> {
            for (int step = capacity * batch; step < (capacity + 1) * batch; step++) {
                run.logMetric("loss", step, step);
            }
            logged.countDown();
        }, "logging-thread");
        next.start();
        awaitWaiting(next);
        assertThat(logged.getCount()).as("the (N+1)th batch is still waiting").isEqualTo(1);
        assertThat(sender.waitingFull()).isEqualTo(capacity);
        assertThat(store.accepted(run.id())).isEmpty();

        store.release();
        assertThat(logged.await(30, TimeUnit.SECONDS)).isTrue();
        next.join(TimeUnit.SECONDS.toMillis(30));
        run.close();
        assertThat(store.accepted(run.id())).hasSize(capacity + 1).allSatisfy(b -> assertThat(b).hasSize(batch));
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(range((capacity + 1) * batch));
        assertThat(sender.waitingFull()).isZero();
        assertThat(store.violations()).isEmpty();
    }

    @Test
    @DisplayName("one run's blocked batch does not hold up another run's")
    void runsAreSentInParallel() throws Exception {
        Mlops mlops = open(Kind.MEMORY, 3, 8);
        ActiveRun slow = start(mlops);
        ActiveRun fast = start(mlops);
        store.block(Set.of(slow.id()));
        for (int step = 0; step < 3; step++) {
            slow.logMetric("loss", step, step);
        }
        assertThat(store.awaitEntered(1)).isTrue();
        for (int step = 0; step < 7; step++) {
            fast.logMetric("loss", step, step);
        }
        fast.flush(); // its two batches and the rest, while the slow run's batch is still in the store
        assertThat(steps(history(store, fast.id(), "loss"))).isEqualTo(range(7));
        assertThat(store.accepted(slow.id())).isEmpty();
        store.release();
        slow.close();
        fast.close();
        assertThat(steps(history(store, slow.id(), "loss"))).isEqualTo(range(3));
        assertThat(store.violations()).isEmpty();
    }

    static Stream<Arguments> seeds() {
        return LongStream.range(0, 6).boxed()
                .flatMap(seed -> Stream.of(Arguments.of(seed, Kind.MEMORY), Arguments.of(seed, Kind.SQLITE)));
    }

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("seeds")
    @DisplayName("many threads logging to many runs: each run's batches arrive one at a time in the order they"
            + " filled up, and every point is stored before its run is finished")
    void perRunOrder(long seed, Kind kind) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int batch = random.nextInt(2, 17);
        int capacity = random.nextInt(1, 5);
        int runs = random.nextInt(2, 6);
        Mlops mlops = open(kind, batch, capacity);
        List<ActiveRun> active = new ArrayList<>();
        Map<String, Map<String, Integer>> expected = new HashMap<>(); // run -> key -> points
        List<Runnable> writers = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            ActiveRun run = start(mlops);
            active.add(run);
            int threads = random.nextInt(1, 4);
            for (int t = 0; t < threads; t++) {
                String key = "m" + t;
                int points = random.nextInt(10, 121);
                expected.computeIfAbsent(run.id(), k -> new HashMap<>()).put(key, points);
                writers.add(() -> {
                    for (int step = 0; step < points; step++) {
                        run.logMetric(key, step * 0.5, step);
                    }
                });
            }
        }
        // Some runs are closed by their owner; the others are left open for Mlops.close() to end.
        boolean[] closeByOwner = new boolean[runs];
        for (int r = 0; r < runs; r++) {
            closeByOwner[r] = random.nextBoolean();
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (Runnable w : writers) {
                done.add(pool.submit(() -> {
                    go.await();
                    w.run();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int r = 0; r < runs; r++) {
            if (closeByOwner[r]) {
                active.get(r).close();
            }
        }
        mlops.close();

        assertThat(store.violations()).isEmpty();
        for (int r = 0; r < runs; r++) {
            ActiveRun run = active.get(r);
            assertThat(((DefaultActiveRun) run).droppedPoints()).isZero();
            List<List<MetricPoint>> batches = store.accepted(run.id());
            int total = expected.get(run.id()).values().stream().mapToInt(Integer::intValue).sum();
            // Full batches, then at most one shorter batch from the final flush.
            for (int b = 0; b < batches.size(); b++) {
                if (b < batches.size() - 1 || total % batch == 0) {
                    assertThat(batches.get(b)).hasSize(batch);
                } else {
                    assertThat(batches.get(b)).hasSize(total % batch);
                }
            }
            assertThat(metricEvents(mlops, run.id())).hasSize(batches.size());
            for (Map.Entry<String, Integer> e : expected.get(run.id()).entrySet()) {
                // Each key is logged by one thread in step order, so the order the store got is the fill order.
                List<Long> arrived = batches.stream().flatMap(List::stream).filter(p -> p.key().equals(e.getKey()))
                        .map(MetricPoint::step).toList();
                assertThat(arrived).as("run %s key %s", run.id(), e.getKey()).isEqualTo(range(e.getValue()));
                assertThat(steps(history(store, run.id(), e.getKey()))).isEqualTo(range(e.getValue()));
            }
            Run stored = store.getRun(run.id()).orElseThrow();
            assertThat(stored.status()).isEqualTo(closeByOwner[r] ? RunStatus.COMPLETED : RunStatus.ABORTED);
        }
    }

    @Test
    @DisplayName("close() waits for the queued batches: the run has all its metrics, in step order, before it is"
            + " marked finished, and one audit event per batch with the same data as before")
    void closeDeliversEverything() throws Exception {
        Mlops mlops = open(Kind.SQLITE, 10, 8);
        ActiveRun run = start(mlops);
        store.block();
        for (int step = 0; step < 45; step++) {
            run.logMetric(step % 2 == 0 ? "loss" : "accuracy", step / 100.0, step);
        }
        assertThat(store.awaitEntered(1)).isTrue();
        Thread closer = new Thread(run::close, "closer");
        closer.start();
        awaitWaiting(closer);
        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        store.release();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).isFalse();

        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(LongStream.range(0, 45).filter(s -> s % 2 == 0)
                .boxed().toList());
        assertThat(steps(history(store, run.id(), "accuracy"))).isEqualTo(LongStream.range(0, 45)
                .filter(s -> s % 2 == 1).boxed().toList());
        List<AuditEvent> events = metricEvents(mlops, run.id());
        assertThat(events).extracting(AuditEvent::data).containsExactly(
                "{\"keys\":[\"accuracy\",\"loss\"],\"max_step\":9,\"min_step\":0,\"points\":10}",
                "{\"keys\":[\"accuracy\",\"loss\"],\"max_step\":19,\"min_step\":10,\"points\":10}",
                "{\"keys\":[\"accuracy\",\"loss\"],\"max_step\":29,\"min_step\":20,\"points\":10}",
                "{\"keys\":[\"accuracy\",\"loss\"],\"max_step\":39,\"min_step\":30,\"points\":10}",
                "{\"keys\":[\"accuracy\",\"loss\"],\"max_step\":44,\"min_step\":40,\"points\":5}");
        long finishSeq = mlops.audit().events(0, PageRequest.first(1000)).items().stream()
                .filter(e -> e.action().equals("run.finish")).findFirst().orElseThrow().seq();
        assertThat(events).allSatisfy(e -> assertThat(e.seq()).isLessThan(finishSeq));
        assertThat(store.violations()).isEmpty();
    }

    @Test
    @DisplayName("flush() and snapshot() wait for the batches handed over before")
    void flushWaits() throws Exception {
        Mlops mlops = open(Kind.MEMORY, 5, 8);
        ActiveRun run = start(mlops);
        store.block();
        for (int step = 0; step < 12; step++) {
            run.logMetric("loss", step, step);
        }
        assertThat(store.awaitEntered(1)).isTrue();
        CountDownLatch flushed = new CountDownLatch(1);
        Thread flusher = new Thread(() -> {
            run.flush();
            flushed.countDown();
        }, "flusher");
        flusher.start();
        awaitWaiting(flusher);
        assertThat(flushed.getCount()).isEqualTo(1);
        store.release();
        assertThat(flushed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(store.accepted(run.id())).extracting(b -> b.size()).containsExactly(5, 5, 2);
        run.logMetric("loss", 12, 12);
        assertThat(run.snapshot().latestMetrics().get("loss").step()).isEqualTo(12);
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(range(13));
        run.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("flush() from other threads while one logs: nothing is lost, stored twice or out of order")
    void flushWhileLogging(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int batch = random.nextInt(2, 9);
        int points = random.nextInt(300, 801);
        Mlops mlops = open(Kind.MEMORY, batch, random.nextInt(1, 4));
        ActiveRun run = start(mlops);
        CountDownLatch logging = new CountDownLatch(1);
        Thread logger = new Thread(() -> {
            for (int step = 0; step < points; step++) {
                run.logMetric("loss", step, step);
                if (step == 0) {
                    logging.countDown();
                }
            }
        }, "logger");
        logger.start();
        assertThat(logging.await(30, TimeUnit.SECONDS)).isTrue();
        while (logger.isAlive()) {
            run.flush();
        }
        logger.join();
        run.close();
        List<MetricPoint> arrived = store.accepted(run.id()).stream().flatMap(List::stream).toList();
        assertThat(steps(arrived)).isEqualTo(range(points));
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(range(points));
        assertThat(store.violations()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @DisplayName("a store that fails: full batches are dropped and counted without an exception in logMetric,"
            + " flush() throws for the rest, and logging goes on once the store is back")
    void failingStore(Kind kind) throws Exception {
        Mlops mlops = open(kind, 5, 2);
        ActiveRun run = start(mlops);
        store.failWith.set(new StorageException("store unreachable", null));
        for (int step = 0; step < 17; step++) {
            run.logMetric("loss", step, step); // three full batches fail in the background
        }
        assertThatThrownBy(run::flush).isInstanceOf(StorageException.class).hasMessage("store unreachable");
        assertThat(((DefaultActiveRun) run).droppedPoints()).isEqualTo(15);
        assertThat(history(store, run.id(), "loss")).isEmpty();

        store.failWith.set(null);
        for (int step = 17; step < 27; step++) {
            run.logMetric("loss", step, step);
        }
        run.flush();
        assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(LongStream.range(17, 27).boxed().toList());
        assertThat(((DefaultActiveRun) run).droppedPoints()).isEqualTo(15);
        run.close();
        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    @DisplayName("a run ended elsewhere: the store's CONFLICT for background batches is dropped, flush() throws it")
    void runEndedElsewhere() {
        Mlops mlops = open(Kind.SQLITE, 4, 2);
        ActiveRun run = start(mlops);
        mlops.tracking().abort(run.id(), "operator stopped it");
        for (int step = 0; step < 10; step++) {
            run.logMetric("loss", step, step);
        }
        assertThatThrownBy(run::flush).isInstanceOf(ConflictException.class);
        assertThat(((DefaultActiveRun) run).droppedPoints()).isEqualTo(8);
        run.close();
        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
    }

    @Test
    @DisplayName("Mlops.close() waits for the queued batches of open runs before it ends them")
    void mlopsCloseDrains() throws Exception {
        Mlops mlops = open(Kind.MEMORY, 5, 16);
        ActiveRun open = start(mlops);
        ActiveRun other = start(mlops);
        store.block();
        for (int step = 0; step < 30; step++) {
            open.logMetric("loss", step, step);
            other.logMetric("loss", step, step);
        }
        assertThat(store.awaitEntered(1)).isTrue();
        Thread closer = new Thread(mlops::close, "closer");
        closer.start();
        awaitWaiting(closer);
        assertThat(store.getRun(open.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        store.release();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).isFalse();
        for (ActiveRun run : List.of(open, other)) {
            assertThat(steps(history(store, run.id(), "loss"))).isEqualTo(range(30));
            assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
            assertThat(((DefaultActiveRun) run).droppedPoints()).isZero();
        }
        assertThatThrownBy(() -> open.logMetric("loss", 1, 31)).isInstanceOf(ConflictException.class);
        assertThat(store.violations()).isEmpty();
    }

    @Test
    @DisplayName("closing waits only so long for a store that does not answer, then drops and counts what is left")
    void closeIsBounded() throws Exception {
        Mlops mlops = open(Kind.MEMORY, 5, 8);
        ActiveRun run = start(mlops);
        store.block();
        for (int step = 0; step < 20; step++) {
            run.logMetric("loss", step, step); // one batch in the store, three queued
        }
        assertThat(store.awaitEntered(1)).isTrue();
        long start = System.nanoTime();
        ((DefaultTracking) mlops.tracking()).closeAll(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(((DefaultActiveRun) run).droppedPoints()).isEqualTo(15);
        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
        store.release(); // the batch in the store now meets an ended run: refused, dropped as well
        assertThat(store.awaitLeft(1)).isTrue();
        assertThat(store.calls.get()).isEqualTo(1);
        mlops.close();
        assertThat(((DefaultActiveRun) run).droppedPoints()).isEqualTo(20);
        assertThat(history(store, run.id(), "loss")).isEmpty();
    }

    @Test
    @DisplayName("params, tags and links stay synchronous: CONFLICT reaches the caller while metrics are queued")
    void paramsStaySynchronous() throws Exception {
        Mlops mlops = open(Kind.MEMORY, 2, 4);
        ActiveRun run = start(mlops);
        store.block();
        run.logMetric("loss", 1, 0).logMetric("loss", 1, 1);
        assertThat(store.awaitEntered(1)).isTrue();
        run.logParam("lr", "0.1").setTag("team", "a");
        assertThat(store.getRun(run.id()).orElseThrow().params()).containsEntry("lr", "0.1");
        assertThatThrownBy(() -> run.logParam("lr", "0.2")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("lr");
        store.release();
        run.close();
    }

    @Test
    @DisplayName("metricQueueCapacity is validated and named")
    void capacityValidated() {
        for (int bad : new int[] {0, -1, 10_001}) {
            assertThatThrownBy(() -> Mlops.builder().metricQueueCapacity(bad))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("metricQueueCapacity").hasMessageContaining(Integer.toString(bad))
                    .satisfies(e -> assertThat(((MlopsException) e).field()).contains("metricQueueCapacity"));
        }
        Mlops.builder().metricQueueCapacity(1).metricQueueCapacity(10_000);
    }
}
