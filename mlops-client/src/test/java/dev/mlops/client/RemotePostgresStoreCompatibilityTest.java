package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.jdbc.PostgresTestDatabase;
import dev.mlops.store.jdbc.RequiresPostgres;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import dev.mlops.tck.PromotionVerdictConcurrencyKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The kit through a real server on PostgreSQL: runs when {@value PostgresTestDatabase#VARIABLE} is set (as
 * {@code .ci/run} does), and is reported as skipped, with the reason, when it is not. Each test's server serves a
 * store in a schema of its own.
 */
@RequiresPostgres
@DisplayName("RemoteMetadataStore, through a real MlopsServer on PostgreSQL, passes the compatibility kit")
class RemotePostgresStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    private static PostgresTestDatabase database;
    private final ServedStores served = new ServedStores();

    @BeforeAll
    static void connect() {
        database = PostgresTestDatabase.open();
    }

    @AfterAll
    static void dropSchemas() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected MetadataStore createStore() {
        return served.serve(new JdbcStoreProvider().open(database.newSchema()));
    }

    @Override
    protected void destroyStore(MetadataStore store) {
        served.release(store);
    }

    /** The server records a verdict in one transaction of its store, so the remote store keeps the guarantee. */
    @Nested
    @DisplayName("promotion verdicts under concurrent writers, through the server")
    class VerdictRaces extends PromotionVerdictConcurrencyKit {
        @Override
        protected MetadataStore createStore() {
            return RemotePostgresStoreCompatibilityTest.this.createStore();
        }

        @Override
        protected void destroyStore(MetadataStore store) {
            RemotePostgresStoreCompatibilityTest.this.destroyStore(store);
        }
    }
}
