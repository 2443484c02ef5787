package dev.mlops.store.jdbc;

import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.util.Set;

/** PLACEHOLDER: replaced by the JDBC store implementation. */
public final class JdbcStoreProvider implements StoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("sqlite");
    }

    @Override
    public MetadataStore open(String uri) {
        throw new UnsupportedOperationException("placeholder");
    }
}
