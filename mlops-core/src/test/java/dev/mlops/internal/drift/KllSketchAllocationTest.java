package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mlops.drift.ColumnProfiler;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Profiling numeric values allocates nothing per value in steady state (what DriftMonitor's hot path relies on): the
 * bytes this thread allocates, as the JVM counts them (com.sun.management.ThreadMXBean), over 2,000,000 values
 * after a warm-up of as many, stay below one byte per value. The sketch still allocates when it gains a level (about
 * once per doubling of the values seen), which is what the margin leaves room for.
 */
@DisplayName("KLL sketch and numeric profiles: no allocation per value")
class KllSketchAllocationTest {
    private static final int VALUES = 2_000_000;
    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void measurable() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)) {
            fail("this JVM's ThreadMXBean is not a com.sun.management.ThreadMXBean: allocation cannot be measured");
            return;
        }
        if (!t.isThreadAllocatedMemorySupported()) {
            fail("this JVM does not support measuring a thread's allocated bytes");
        }
        if (!t.isThreadAllocatedMemoryEnabled()) {
            t.setThreadAllocatedMemoryEnabled(true);
        }
        threads = t;
    }

    /** Bytes allocated by this thread per call of {@code body}, over {@code calls} calls after as many to warm up. */
    private static double bytesPerCall(int calls, IntConsumer body) {
        for (int i = 0; i < calls; i++) {
            body.accept(i);
        }
        long probe = threads.getCurrentThreadAllocatedBytes();
        long overhead = threads.getCurrentThreadAllocatedBytes() - probe; // what one reading itself allocates
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            body.accept(i);
        }
        long after = threads.getCurrentThreadAllocatedBytes();
        return (double) (after - before - overhead) / calls;
    }

    @Test
    void sketchUpdate() {
        KllSketch s = new KllSketch(200);
        SplittableRandom r = new SplittableRandom(1);
        double perValue = bytesPerCall(VALUES, i -> s.update(r.nextGaussian()));
        assertThat(s.n()).isEqualTo(2L * VALUES);
        assertThat(perValue).as("bytes allocated per KllSketch.update").isLessThan(1.0);
    }

    @Test
    void sketchUpdateAllInBlocks() {
        KllSketch s = new KllSketch(200);
        double[] block = new double[1000];
        SplittableRandom r = new SplittableRandom(2);
        double perBlock = bytesPerCall(VALUES / block.length, i -> {
            for (int j = 0; j < block.length; j++) {
                block[j] = r.nextDouble() * 100;
            }
            s.updateAll(block, 0, block.length, 0, 100);
        });
        assertThat(s.n()).isEqualTo(2L * VALUES);
        assertThat(perBlock / block.length).as("bytes allocated per value of KllSketch.updateAll").isLessThan(1.0);
    }

    @Test
    void numericProfilerAddAndAddAll() {
        ColumnProfiler one = ColumnProfiler.numeric("x");
        SplittableRandom r = new SplittableRandom(3);
        double perValue = bytesPerCall(VALUES, i -> one.add(r.nextDouble()));
        assertThat(perValue).as("bytes allocated per ColumnProfiler.add").isLessThan(1.0);

        ColumnProfiler bulk = ColumnProfiler.numeric("y");
        double[] values = new double[256];
        double perBatch = bytesPerCall(VALUES / values.length, i -> {
            for (int j = 0; j < values.length; j++) {
                values[j] = r.nextGaussian();
            }
            bulk.addAll(values, 0, values.length);
        });
        assertThat(perBatch / values.length).as("bytes allocated per value of ColumnProfiler.addAll")
                .isLessThan(1.0);
    }
}
