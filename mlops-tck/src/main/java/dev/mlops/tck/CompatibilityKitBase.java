package dev.mlops.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.spi.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store under test, shared by the kits: each test gets a fresh, empty store from {@link #createStore()} and
 * hands it to {@link #destroyStore} at the end. Extend {@link MetadataStoreCompatibilityKit}, which includes every
 * group of the kit, rather than this class.
 */
public abstract class CompatibilityKitBase {

    /** The store under test; a new one for each test. */
    protected MetadataStore store;

    /** Returns a new, empty store. Called once before each test. */
    protected abstract MetadataStore createStore();

    /** Releases a store made by {@link #createStore()}; called after each test. Closes it by default. */
    protected void destroyStore(MetadataStore store) {
        store.close();
    }

    @BeforeEach
    void openStoreUnderTest() {
        store = createStore();
        assertThat(store).as("createStore()").isNotNull();
    }

    @AfterEach
    void closeStoreUnderTest() {
        if (store != null) {
            destroyStore(store);
        }
    }
}
