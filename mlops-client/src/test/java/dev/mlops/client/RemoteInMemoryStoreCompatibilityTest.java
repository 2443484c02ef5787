package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import dev.mlops.tck.PromotionVerdictConcurrencyKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

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

    /** The server records a verdict in one transaction of its store, so the remote store keeps the guarantee. */
    @Nested
    @DisplayName("promotion verdicts under concurrent writers, through the server")
    class VerdictRaces extends PromotionVerdictConcurrencyKit {
        @Override
        protected MetadataStore createStore() {
            return RemoteInMemoryStoreCompatibilityTest.this.createStore();
        }

        @Override
        protected void destroyStore(MetadataStore store) {
            RemoteInMemoryStoreCompatibilityTest.this.destroyStore(store);
        }
    }
}
