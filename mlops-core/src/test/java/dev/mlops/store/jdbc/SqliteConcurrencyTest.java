package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.PageRequest;
import dev.mlops.Page;
import dev.mlops.audit.AuditEvent;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteConcurrencyTest {
    static final int EVENTS_PER_RUN = Fixtures.EVENTS_PER_RUN;
    static final int POINTS_PER_RUN = Fixtures.POINTS_PER_RUN;

    @TempDir
    Path dir;

    @Test
    void twoStoresOnOneFileWrittenFromManyThreadsKeepOneIntactChainAndLoseNothing() throws Exception {
        Path file = dir.resolve("shared.db");
        int threadsPerStore = 4;
        int runsPerThread = 15;
        try (JdbcStore a = JdbcStore.sqlite(file); JdbcStore b = JdbcStore.sqlite(file)) {
            ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerStore + 1);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger reads = new AtomicInteger();
            try {
                List<Future<List<String>>> writers = new ArrayList<>();
                for (int t = 0; t < 2 * threadsPerStore; t++) {
                    JdbcStore store = t % 2 == 0 ? a : b;
                    String job = "job-" + t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        List<String> ids = new ArrayList<>();
                        for (int i = 0; i < runsPerThread; i++) {
                            ids.add(Fixtures.writeOneRun(store, job, i));
                        }
                        return ids;
                    }));
                }
                Future<?> reader = pool.submit(() -> {
                    start.await();
                    while (writing.get()) {
                        Page<Run> page = b.searchRuns(RunQuery.all(), PageRequest.first(20));
                        page.items().forEach(r -> assertThat(r.jobName()).startsWith("job-"));
                        a.auditHead();
                        reads.incrementAndGet();
                    }
                    return null;
                });
                start.countDown();
                List<String> ids = new ArrayList<>();
                for (Future<List<String>> w : writers) {
                    ids.addAll(w.get(120, TimeUnit.SECONDS));
                }
                writing.set(false);
                reader.get(30, TimeUnit.SECONDS);
                assertThat(reads.get()).isPositive();

                int runs = 2 * threadsPerStore * runsPerThread;
                assertThat(ids).doesNotHaveDuplicates().hasSize(runs);
                List<AuditEvent> chain = Fixtures.chain(a);
                assertThat(chain).hasSize(runs * EVENTS_PER_RUN);
                Fixtures.assertChainIntact(chain);
                for (String id : ids) {
                    Run run = b.getRun(id).orElseThrow();
                    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
                    assertThat(run.params()).containsOnlyKeys("i");
                    assertThat(run.latestMetrics().get("loss").step()).isEqualTo(POINTS_PER_RUN - 1);
                    assertThat(a.metricHistory(id, "loss", PageRequest.first()).items()).hasSize(POINTS_PER_RUN);
                }
            } finally {
                writing.set(false);
                pool.shutdownNow();
            }
        }
    }

    @Test
    void anotherProcessWritingTheSameFileAtTheSameTimeSharesTheChain() throws Exception {
        Path file = dir.resolve("two-processes.db");
        int childRuns = 15;
        JdbcStore.sqlite(file).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", testClassPath(), WriterProcess.class.getName(),
                file.toString(), Integer.toString(childRuns), "child")
                .redirectErrorStream(true).start();
        try (JdbcStore store = JdbcStore.sqlite(file)) {
            // Write for as long as the child lives, so that the two processes' writes overlap.
            int parentRuns = 0;
            while (parentRuns == 0 || (child.isAlive() && parentRuns < 2_000)) {
                Fixtures.writeOneRun(store, "parent", parentRuns++);
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).contains("wrote " + childRuns);

            List<AuditEvent> chain = Fixtures.chain(store);
            assertThat(chain).hasSize((parentRuns + childRuns) * EVENTS_PER_RUN);
            Fixtures.assertChainIntact(chain);
            long switches = 0;
            for (int i = 1; i < chain.size(); i++) {
                switches += chain.get(i).actor().equals(chain.get(i - 1).actor()) ? 0 : 1;
            }
            assertThat(switches).as("times the writer changed along the chain").isGreaterThan(1);
            assertThat(store.searchRuns(RunQuery.builder().jobName("child").build(), PageRequest.first(100))
                    .items()).hasSize(childRuns).allMatch(r -> r.status() == RunStatus.COMPLETED);
            assertThat(store.searchRuns(RunQuery.builder().jobName("parent").build(), PageRequest.first(10_000))
                    .items()).hasSize(parentRuns).allMatch(r -> r.status() == RunStatus.COMPLETED);
        } finally {
            child.destroyForcibly();
        }
    }

    /** The class path of this test run, as the child JVM needs it. */
    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, path.split(File.pathSeparator));
    }
}
