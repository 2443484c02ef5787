package dev.mlops.tck;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The SQLite store passes the metadata store compatibility kit")
class SqliteStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    @TempDir
    Path dir;

    private int stores;

    @Override
    protected MetadataStore createStore() {
        return new JdbcStoreProvider().open("sqlite:" + dir.resolve("store-" + (++stores) + ".db"));
    }

    /** The store implements recordPromotionVerdict, so it also runs the kit of its concurrency guarantee. */
    @Nested
    @DisplayName("promotion verdicts under concurrent writers")
    class VerdictRaces extends PromotionVerdictConcurrencyKit {
        @Override
        protected MetadataStore createStore() {
            return SqliteStoreCompatibilityTest.this.createStore();
        }
    }
}
