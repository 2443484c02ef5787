package dev.mlops.policy;

import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import java.nio.file.Path;
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
     * As on SQLite ({@link PromotionGateSqliteTest#failAuditInserts}): a trigger on the server's database file makes
     * the insert of the matching audit event fail inside the server store's transaction, so only a rollback there
     * leaves nothing.
     */
    @Override
    AutoCloseable failAliasMovesInsideTheStore(String failingAction) throws Exception {
        return PromotionGateSqliteTest.failAuditInserts(dir.resolve("mlops.db"), failingAction);
    }
}
