package dev.mlops.store.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link PostgresStoreTest} in other JVMs: prints {@code ready}, waits until the file {@code args[1]}
 * exists (so that several processes start at the same moment), opens the store at the URI in {@code args[0]} (which
 * may migrate it) and writes {@code args[2]} runs with {@link Fixtures#writeOneRun} as job {@code args[3]}.
 */
public final class PostgresWriterProcess {
    private PostgresWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path go = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        System.out.println("ready");
        System.out.flush();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no start signal within 60 s");
            }
            Thread.sleep(1);
        }
        try (JdbcStore store = (JdbcStore) new JdbcStoreProvider().open(args[0])) {
            for (int i = 0; i < runs; i++) {
                Fixtures.writeOneRun(store, args[3], i);
            }
        }
        System.out.println("wrote " + runs);
    }
}
