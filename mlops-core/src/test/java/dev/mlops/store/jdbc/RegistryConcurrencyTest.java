package dev.mlops.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version numbers under concurrent writers on one SQLite file: 1..N without gap or duplicate. */
@DisplayName("Registering model versions on SQLite from many writers at once")
class RegistryConcurrencyTest {
    @TempDir
    Path dir;

    @RepeatedTest(2)
    @DisplayName("six threads over two stores that read the same latest number and register at once: one wins each"
            + " round, the others get a conflict naming the next number")
    void lockstepRounds() throws Exception {
        Path file = dir.resolve("lockstep.db");
        RegistryRace.lockstep(() -> JdbcStore.sqlite(file), 2, 6, 12);
    }

    @Test
    @DisplayName("three processes and four stores in this one open a version 1 file at once and register with the"
            + " optimistic loop: versions exactly 1..N, each linked from its writer's run")
    void processesAndThreads() throws Exception {
        Path file = dir.resolve("shared.db");
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            RegistryMigrationTest.populate(old);
        }
        RegistryRace.freeForAll("sqlite:" + file, () -> JdbcStore.sqlite(file), dir, 3, 4, 8);
    }
}
