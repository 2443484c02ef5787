package dev.mlops.policy;

import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;

/**
 * The promotion gate's contract through a {@link RemoteMetadataStore} talking to a real {@link MlopsServer} in front
 * of a SQLite file: the verdict and the alias move travel as one {@code PUT .../aliases/{alias}} with a list of audit
 * events and are stored in one transaction of the server's store.
 */
@DisplayName("The promotion gate through a remote store (server on a SQLite file)")
class PromotionGateRemoteTest extends PromotionGateContract {
    @Override
    MetadataStore newStore(Path dir) {
        JdbcStore backend = JdbcStore.sqlite(dir.resolve("mlops.db"));
        MlopsServer server = MlopsServer.builder().store(backend).port(0).build().start();
        RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).build();
        return new ForwardingMetadataStore() {
            @Override
            protected MetadataStore delegate() {
                return remote;
            }

            @Override
            public void close() {
                try {
                    remote.close();
                } finally {
                    server.close();
                    backend.close();
                }
            }
        };
    }

    /**
     * As on SQLite: a trigger on the server's database file makes the insert of the matching audit event fail inside
     * the server store's transaction, so only a rollback there leaves nothing.
     */
    @Override
    AutoCloseable failAliasMovesInsideTheStore(String failingAction) throws Exception {
        Connection admin = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("mlops.db"));
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
