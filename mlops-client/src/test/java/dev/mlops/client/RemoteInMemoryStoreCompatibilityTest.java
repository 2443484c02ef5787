package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("RemoteMetadataStore, through a real MlopsServer on an InMemoryStore, passes the compatibility kit")
class RemoteInMemoryStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    private final ServedStores served = new ServedStores();

    @Override
    protected MetadataStore createStore() {
        return served.serve(new InMemoryStore());
    }

    @Override
    protected void destroyStore(MetadataStore store) {
        served.release(store);
    }
}
