package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import dev.mlops.tck.PromotionVerdictConcurrencyKit;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RemoteMetadataStore, through a real MlopsServer on a SQLite file, passes the compatibility kit")
class RemoteSqliteStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    private final ServedStores served = new ServedStores();

    @TempDir
    Path dir;

    private int stores;

    @Override
    protected MetadataStore createStore() {
        return served.serve(new JdbcStoreProvider().open("sqlite:" + dir.resolve("store-" + (++stores) + ".db")));
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
            return RemoteSqliteStoreCompatibilityTest.this.createStore();
        }

        @Override
        protected void destroyStore(MetadataStore store) {
            RemoteSqliteStoreCompatibilityTest.this.destroyStore(store);
        }
    }
}
