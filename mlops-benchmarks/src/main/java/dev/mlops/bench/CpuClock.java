package dev.mlops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time the benchmark thread spends per operation over one iteration, printed at its end: unlike JMH's
 * wall-clock score it hardly changes when other processes share the machine. Not the time of the JVM's other threads
 * (garbage collection, compilation). Used from one benchmark thread.
 */
final class CpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long startNanos;
    private long startWall;
    private long operations;

    void start() {
        operations = 0;
        startNanos = THREADS.getCurrentThreadCpuTime();
        startWall = System.nanoTime();
    }

    void tick() {
        operations++;
    }

    /** Prints CPU and wall nanoseconds per item, an operation handling {@code itemsPerOperation} items. */
    void print(String what, long itemsPerOperation) {
        long cpu = THREADS.getCurrentThreadCpuTime() - startNanos;
        long wall = System.nanoTime() - startWall;
        if (operations > 0) {
            double items = (double) operations * itemsPerOperation;
            System.out.printf("%n[mlops-bench] %s: cpu %.2f ns, wall %.2f ns per item over %d operations%n", what,
                    cpu / items, wall / items, operations);
        }
    }
}
