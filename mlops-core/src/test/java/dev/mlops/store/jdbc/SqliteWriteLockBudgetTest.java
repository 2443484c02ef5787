package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.StorageException;
import dev.mlops.tracking.NewRun;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time budget of a SQLite writer waiting for the write lock ({@link SqliteDialect#BUSY_TIMEOUT}, 60 s by
 * default, which {@code SqliteStoreOpenTest} checks on the connections; short budgets here): within it the writer
 * waits and then writes, past it the write fails with a clear {@link StorageException} and changes nothing.
 */
class SqliteWriteLockBudgetTest {
    @TempDir
    Path dir;

    private JdbcStore store(Path file, Duration budget) {
        String description = "sqlite:" + file;
        SqliteDialect dialect = new SqliteDialect(description, budget);
        return new JdbcStore(description, dialect, new ConnectionPool(dialect.opener(file), 2));
    }

    @Test
    void aWriterWaitsForTheLockAnotherConnectionHoldsAndWritesOnceItIsReleased() throws Exception {
        Path file = dir.resolve("wait.db");
        try (JdbcStore store = store(file, Duration.ofSeconds(20));
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            NewRun run = Fixtures.newRun("train", T0);
            long start = System.nanoTime();
            CompletableFuture<Boolean> write = CompletableFuture.supplyAsync(
                    () -> store.createRun(run, audit("run.create", "run:" + run.id())).created());
            Thread.sleep(1_500);
            assertThat(write).as("the writer waits while the lock is held").isNotDone();
            s.execute("ROLLBACK");
            assertThat(write.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
            assertThat(store.getRun(run.id())).isPresent();
            assertThat(Fixtures.chain(store)).hasSize(1);
        }
    }

    @Test
    void aLockHeldPastTheBudgetFailsTheWriteAfterTheBudgetWithAStorageErrorAndChangesNothing() throws Exception {
        Path file = dir.resolve("budget.db");
        Duration budget = Duration.ofMillis(800);
        try (JdbcStore store = store(file, budget);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            NewRun run = Fixtures.newRun("train", T0);
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.createRun(run, audit("run.create", "run:" + run.id())))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("sqlite:" + file)
                    .hasMessageContaining("create run " + run.id())
                    .hasMessageContaining("locked by another writer for longer than the busy timeout");
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isGreaterThanOrEqualTo(budget.minusMillis(50)).isLessThan(budget.plusSeconds(5));
            s.execute("ROLLBACK");
            assertThat(store.getRun(run.id())).isEmpty();
            assertThat(store.auditHead()).isEmpty();
        }
    }
}
