package dev.mlops.client;

import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Opens {@code http://} and {@code https://} store URIs as {@link RemoteMetadataStore}s with the default settings
 * and the library's shared HTTP client, and the bearer token of the environment variable {@value #TOKEN_VARIABLE}
 * when it is set, so that {@code Mlops.open("http://host:port")} works when mlops-client is on
 * the class path (registered in {@code META-INF/services/dev.mlops.spi.StoreProvider}). Thread-safe.
 */
public final class RemoteStoreProvider implements StoreProvider {
    /** The environment variable that holds the bearer token, when the server needs one. */
    public static final String TOKEN_VARIABLE = "MLOPS_TOKEN";

    private final UnaryOperator<String> environment;

    public RemoteStoreProvider() {
        this(System::getenv);
    }

    RemoteStoreProvider(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    /**
     * @throws dev.mlops.InvalidArgumentException (field {@code store}) when the URI is not an http(s) URL
     */
    @Override
    public MetadataStore open(String uri) {
        RemoteMetadataStore.Builder builder = RemoteMetadataStore.builder(uri);
        String token = environment.apply(TOKEN_VARIABLE);
        if (token != null && !token.isBlank()) {
            builder.token(token.strip());
        }
        return builder.build();
    }
}
