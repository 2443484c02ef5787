package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.util.Set;

/**
 * Opens {@code http://} and {@code https://} store URIs as {@link RemoteMetadataStore}s with the default settings
 * and the library's shared HTTP client, so that {@code Mlops.open("http://host:port")} works when mlops-client is on
 * the class path (registered in {@code META-INF/services/dev.mlops.spi.StoreProvider}). Thread-safe.
 */
public final class RemoteStoreProvider implements StoreProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    /**
     * @throws dev.mlops.InvalidArgumentException (field {@code store}) when the URI is not an http(s) URL
     */
    @Override
    public MetadataStore open(String uri) {
        return RemoteMetadataStore.builder(uri).build();
    }
}
