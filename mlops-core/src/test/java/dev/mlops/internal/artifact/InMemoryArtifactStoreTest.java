package dev.mlops.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class InMemoryArtifactStoreTest extends ArtifactStoreContract {
    @Override
    protected ArtifactStore newStore() {
        return new InMemoryArtifactStore();
    }

    @Test
    void describesItselfAsMemory() {
        assertThat(store.describe()).isEqualTo("memory:");
        byte[] b = {9, 9};
        assertThat(store.put(new ByteArrayInputStream(b), null).uri()).isEqualTo("memory:" + sha256(b));
    }

    @Test
    void closeDropsTheBytes() {
        byte[] b = {1};
        store.put(new ByteArrayInputStream(b), null);
        store.close();
        assertThat(store.stat(sha256(b))).isEmpty();
    }
}
