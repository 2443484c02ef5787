package dev.mlops.store.jdbc;

import java.nio.file.Path;

/**
 * Run by {@link SqliteConcurrencyTest} in a second JVM: opens the store in {@code args[0]} and writes
 * {@code args[1]} runs, each with params and metrics, tagged with job name {@code args[2]}.
 */
public final class WriterProcess {
    private WriterProcess() {
    }

    public static void main(String[] args) {
        int runs = Integer.parseInt(args[1]);
        try (JdbcStore store = JdbcStore.sqlite(Path.of(args[0]))) {
            for (int i = 0; i < runs; i++) {
                Fixtures.writeOneRun(store, args[2], i);
            }
        }
        System.out.println("wrote " + runs);
    }
}
