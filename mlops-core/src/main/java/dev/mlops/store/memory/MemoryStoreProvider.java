package dev.mlops.store.memory;

import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.util.Set;

/** Opens {@code memory:} stores: each URI opens a new, empty {@link InMemoryStore}. */
public final class MemoryStoreProvider implements StoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public MetadataStore open(String uri) {
        throw new UnsupportedOperationException("placeholder");
    }
}
