package dev.mlops.store.memory;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.StoreResolver;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.util.Set;

/** Opens {@code memory:} stores: each call opens a new, empty {@link InMemoryStore}. Thread-safe. */
public final class MemoryStoreProvider implements StoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    /**
     * Opens a new, empty store; {@code uri} must be {@code memory:} (anything after the colon is ignored, so that
     * {@code memory:test-1} can label a store in messages).
     *
     * @throws InvalidArgumentException when {@code uri} is not a {@code memory:} URI
     */
    @Override
    public MetadataStore open(String uri) {
        if (uri == null || !uri.regionMatches(true, 0, "memory:", 0, 7)) {
            throw new InvalidArgumentException("store", "a memory store URI must start with 'memory:', was '"
                    + (uri == null ? null : StoreResolver.redact(uri)) + "'");
        }
        return new InMemoryStore();
    }
}
