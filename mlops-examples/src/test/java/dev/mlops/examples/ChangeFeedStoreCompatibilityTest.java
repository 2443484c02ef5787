package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tck.MetadataStoreCompatibilityKit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.DisplayName;

/**
 * The decorated store passes the whole kit, with a listener that always throws attached: the feed never changes
 * what a store does. After each test that left the store open, the feed must have heard exactly the audit events
 * the store appended (as a multiset: concurrent writers may deliver in another order).
 */
@DisplayName("ChangeFeedStore over InMemoryStore passes the metadata store compatibility kit")
class ChangeFeedStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
    private final ConcurrentLinkedQueue<ChangeFeedStore.Change> heard = new ConcurrentLinkedQueue<>();

    @Override
    protected MetadataStore createStore() {
        return new ChangeFeedStore(new InMemoryStore())
                .addListener(change -> {
                    throw new IllegalStateException("a webhook that is down");
                })
                .addListener(heard::add);
    }

    @Override
    protected void destroyStore(MetadataStore store) {
        List<ChangeFeedStore.Change> appended = new ArrayList<>();
        try {
            for (List<AuditEvent> batch = store.auditEvents(0, 1000); !batch.isEmpty();
                    batch = store.auditEvents(batch.get(batch.size() - 1).seq(), 1000)) {
                batch.forEach(e -> appended.add(
                        new ChangeFeedStore.Change(e.action(), e.subject(), e.actor(), e.time())));
            }
        } catch (StorageException closedByTheTest) {
            store.close();
            return;
        }
        store.close();
        assertThat(heard).as("what the feed published").containsExactlyInAnyOrderElementsOf(appended);
    }
}
