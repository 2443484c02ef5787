package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
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
}
