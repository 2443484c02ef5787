package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DriftMonitor worker: window work off the request thread, in order, one listener call at a time,"
        + " drained by close()")
class DriftMonitorWorkerTest {

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("a listener that blocks for 200 ms does not slow down the record() call that closes a window")
    void slowListenerDoesNotBlockTheClosingRecord() {
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        DriftMonitor m = DriftMonitor.builder(DriftMonitorTest.reference(1)).windowRows(1_000).bufferRows(1)
                .listener(r -> sleep(200)).listener(seen::add).build();
        double[] num = new double[1];
        String[] cat = {"a"};
        long fastest = Long.MAX_VALUE;
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 999; i++) {
                num[0] = i;
                m.record(num, cat);
            }
            num[0] = 999;
            long t0 = System.nanoTime();
            m.record(num, cat); // the 1,000th row: seals the window (bufferRows 1 flushes every row)
            fastest = Math.min(fastest, System.nanoTime() - t0);
        }
        assertThat(m.windowsClosed()).isEqualTo(3);
        // before: the closing call merged, compared and ran the listeners inline, at least 200 ms each time
        assertThat(TimeUnit.NANOSECONDS.toMillis(fastest)).as("fastest closing record(), ms").isLessThan(100);
        m.close();
        assertThat(seen).extracting(WindowReport::sequence).containsExactly(0L, 1L, 2L);
        assertThat(m.droppedWindows()).isZero();
        assertThat(m.internalErrors()).isZero();
    }

    @Test
    @DisplayName("4 recording threads: windows reach the listeners in sequence order, on the monitor's worker,"
            + " never two listener calls at once, no row lost")
    void orderUnderFourThreads() throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<WindowReport> seen = new ArrayList<>(); // written by one thread at a time only
        DriftMonitor m = DriftMonitor.builder(DriftMonitorTest.reference(2)).numeric("x").windowRows(1_000)
                .bufferRows(16).stripes(4).listener(r -> {
                    if (active.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    threads.add(Thread.currentThread().getName());
                    seen.add(r);
                    if (r.sequence() % 20 == 0) {
                        sleep(5);
                    }
                    active.decrementAndGet();
                }).build();
        int perThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    m.record(i);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        m.close();
        assertThat(seen).hasSize(200);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i).sequence()).isEqualTo(i);
            assertThat(seen.get(i).rows()).isEqualTo(1_000);
        }
        assertThat(overlaps).hasValue(0);
        assertThat(threads).containsOnly("mlops-drift-monitor");
        assertThat(m.internalErrors()).isZero();
        assertThat(m.droppedWindows()).isZero();
    }

    @Test
    @DisplayName("close() gives every closed window, the last partial one included, to slow listeners before it"
            + " returns")
    void closeDrains() {
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        DriftMonitor m = DriftMonitor.builder(DriftMonitorTest.reference(3)).numeric("x").windowRows(100)
                .bufferRows(10).listener(r -> {
                    try {
                        gate.await(30, TimeUnit.SECONDS); // held until the test lets it go
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    sleep(20);
                }).listener(seen::add).build();
        for (int i = 0; i < 550; i++) {
            m.record(i);
        }
        assertThat(m.windowsClosed()).isEqualTo(5);
        assertThat(seen).as("the worker is held in the first listener").isEmpty();
        gate.countDown();
        m.close();
        assertThat(seen).extracting(WindowReport::rows).containsExactly(100L, 100L, 100L, 100L, 100L, 50L);
        assertThat(m.windowsClosed()).isEqualTo(6);
        assertThat(m.droppedWindows()).isZero();
        m.close(); // idempotent
        assertThat(seen).hasSize(6);
    }

    @Test
    @DisplayName("listeners slower than windows close: at most 1,024 windows wait, later ones are dropped and counted,"
            + " never blocking the caller; the delivered ones stay in order")
    void fullQueueDropsWindows() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        DriftMonitor m = DriftMonitor.builder(DriftMonitorTest.reference(4)).numeric("x").windowRows(1).bufferRows(1)
                .stripes(1).listener(r -> {
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add(r.sequence());
                }).build();
        int windows = 1_100;
        for (int i = 0; i < windows; i++) {
            m.record(i);
        }
        assertThat(m.windowsClosed()).isEqualTo(windows);
        // window 0 may or may not have reached the (blocked) listener yet: 1,024 wait behind it, or it waits too
        assertThat(m.droppedWindows()).isBetween((long) windows - 1 - 1_024, (long) windows - 1_024);
        gate.countDown();
        m.close();
        assertThat(seen).hasSize(windows - (int) m.droppedWindows());
        assertThat(seen).isSorted().doesNotHaveDuplicates().startsWith(0L);
        assertThat(m.internalErrors()).isZero();
    }
}
