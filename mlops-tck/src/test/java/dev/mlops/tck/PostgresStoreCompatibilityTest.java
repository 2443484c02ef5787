package dev.mlops.tck;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.jdbc.PostgresTestDatabase;
import dev.mlops.store.jdbc.RequiresPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The kit against a real PostgreSQL server: runs when {@value PostgresTestDatabase#VARIABLE} is set (as
 * {@code .ci/run} does), and is reported as skipped, with the reason, when it is not. Each test gets a store in a
 * schema of its own.
 */
@RequiresPostgres
@DisplayName("The PostgreSQL store passes the metadata store compatibility kit")
class PostgresStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    private static PostgresTestDatabase database;

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
        return new JdbcStoreProvider().open(database.newSchema());
    }

    /** The store implements recordPromotionVerdict, so it also runs the kit of its concurrency guarantee. */
    @Nested
    @DisplayName("promotion verdicts under concurrent writers")
    class VerdictRaces extends PromotionVerdictConcurrencyKit {
        @Override
        protected MetadataStore createStore() {
            return PostgresStoreCompatibilityTest.this.createStore();
        }
    }
}
