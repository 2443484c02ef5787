package dev.mlops.store.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link RegistryRace} in other JVMs: prints {@code ready}, waits until the file {@code args[1]} exists (so
 * that several processes start at the same moment), opens the store at the URI {@code args[0]} (which may migrate
 * it), creates model {@code args[2]} unless it exists and a run of its own, registers {@code args[3]} versions from
 * that run with the optimistic loop as actor {@code args[4]}, and prints {@code run ID} and
 * {@code got N N N ...}, the numbers it got.
 */
public final class RegistryWriterProcess {
    private RegistryWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path go = Path.of(args[1]);
        String model = args[2];
        int count = Integer.parseInt(args[3]);
        String actor = args[4];
        System.out.println("ready");
        System.out.flush();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no start signal within 60 s");
            }
            Thread.sleep(1);
        }
        List<Integer> got = new ArrayList<>();
        try (JdbcStore store = (JdbcStore) new JdbcStoreProvider().open(args[0])) {
            String run = RegistryRace.prepare(store, model, actor);
            System.out.println("run " + run);
            for (int i = 0; i < count; i++) {
                got.add(RegistryFixtures.register(store, model, run, actor));
            }
        }
        StringBuilder line = new StringBuilder("got");
        got.forEach(n -> line.append(' ').append(n));
        System.out.println(line);
    }
}
