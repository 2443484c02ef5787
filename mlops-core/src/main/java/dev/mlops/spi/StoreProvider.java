package dev.mlops.spi;

import java.util.Set;

/**
 * Opens metadata stores for URIs of given schemes. Built-in providers ({@code memory:}, {@code sqlite:},
 * {@code jdbc:...}) are registered directly; others are found with {@link java.util.ServiceLoader} (list the class
 * in {@code META-INF/services/dev.mlops.spi.StoreProvider}). A provider that fails to load is reported and skipped,
 * never fatal for the others. Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface StoreProvider {

    /**
     * The URI schemes this provider opens, lower case, for example {@code "sqlite"}. For {@code jdbc:} URIs the
     * scheme is the sub-protocol with its prefix, for example {@code "jdbc:postgresql"}.
     */
    Set<String> schemes();

    /**
     * Opens (and, where needed, creates or upgrades) the store at {@code uri}.
     *
     * @throws dev.mlops.InvalidArgumentException when the URI is malformed
     * @throws dev.mlops.StorageException         when the store cannot be opened
     */
    MetadataStore open(String uri);
}
