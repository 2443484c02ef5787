package dev.mlops.policy;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The promotion gate on a SQLite file")
class PromotionGateSqliteTest extends PromotionGateContract {
    @Override
    MetadataStore newStore(Path dir) {
        return JdbcStore.sqlite(dir.resolve("mlops.db"));
    }

    /** Fails the audit inserts in the store's own file ({@link #failAuditInserts}). */
    @Override
    AutoCloseable failAliasMovesInsideTheStore(String failingAction) throws Exception {
        return failAuditInserts(dir.resolve("mlops.db"), failingAction);
    }

    /**
     * A trigger, created through a connection of its own on the SQLite {@code file}, makes the insert of the audit
     * event whose action matches {@code failingAction} fail inside the transaction of the store on that file: after
     * the alias row was written (and, for the alias's own event, after the verdict's event), so only a rollback of
     * the whole transaction leaves nothing. Closing the handle drops the trigger.
     */
    static AutoCloseable failAuditInserts(Path file, String failingAction) throws Exception {
        Connection admin = DriverManager.getConnection("jdbc:sqlite:" + file);
        execute(admin, "CREATE TRIGGER inject_alias_failure BEFORE INSERT ON audit_events WHEN NEW.action LIKE '"
                + failingAction + "' BEGIN SELECT RAISE(ABORT, 'injected failure of an audit event'); END");
        return () -> {
            try (admin) {
                execute(admin, "DROP TRIGGER inject_alias_failure");
            }
        };
    }

    private static void execute(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute(sql);
        }
    }
}
