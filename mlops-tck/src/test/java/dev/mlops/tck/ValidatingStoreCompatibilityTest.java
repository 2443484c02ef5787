package dev.mlops.tck;

import dev.mlops.internal.store.ValidatingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import org.junit.jupiter.api.DisplayName;

/**
 * The whole kit through {@link ValidatingMetadataStore} (what the server wraps its store in) over an
 * {@link InMemoryStore}: the validator lets every valid call through unchanged, answers included.
 */
@DisplayName("ValidatingMetadataStore over InMemoryStore passes the metadata store compatibility kit")
class ValidatingStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    @Override
    protected MetadataStore createStore() {
        return new ValidatingMetadataStore(new InMemoryStore());
    }
}
