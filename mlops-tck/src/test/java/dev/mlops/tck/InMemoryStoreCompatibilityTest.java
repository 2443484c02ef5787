package dev.mlops.tck;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import org.junit.jupiter.api.DisplayName;

@DisplayName("InMemoryStore passes the metadata store compatibility kit")
class InMemoryStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    @Override
    protected MetadataStore createStore() {
        return new InMemoryStore();
    }
}
