package dev.mlops.tck;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

@DisplayName("InMemoryStore passes the metadata store compatibility kit")
class InMemoryStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    @Override
    protected MetadataStore createStore() {
        return new InMemoryStore();
    }

    /** The store implements recordPromotionVerdict, so it also runs the kit of its concurrency guarantee. */
    @Nested
    @DisplayName("promotion verdicts under concurrent writers")
    class VerdictRaces extends PromotionVerdictConcurrencyKit {
        @Override
        protected MetadataStore createStore() {
            return InMemoryStoreCompatibilityTest.this.createStore();
        }
    }
}
