package dev.mlops.internal.artifact;

import dev.mlops.spi.ArtifactStore;

/** PLACEHOLDER: replaced by the artifact store implementation. */
public final class ArtifactStores {
    private ArtifactStores() {
    }

    public static ArtifactStore open(String uri) {
        throw new UnsupportedOperationException("placeholder");
    }

    public static String defaultUriFor(String storeUri) {
        throw new UnsupportedOperationException("placeholder");
    }
}
