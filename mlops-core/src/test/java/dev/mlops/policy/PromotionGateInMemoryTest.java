package dev.mlops.policy;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The promotion gate on the in-memory store")
class PromotionGateInMemoryTest extends PromotionGateContract {
    @Override
    MetadataStore newStore(Path dir) {
        return new InMemoryStore();
    }
}
