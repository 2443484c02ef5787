package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;

import dev.mlops.ConflictException;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import java.util.Map;

/** Registry test data shared by the JDBC store tests. */
final class RegistryFixtures {
    /** The audit action of a version registration in these tests. */
    static final String REGISTER = "model.version.create";

    private RegistryFixtures() {
    }

    /** {@code sha256:} and 64 hex digits made from {@code i}. */
    static String digest(long i) {
        return "sha256:" + String.format("%064x", i);
    }

    static NewModel newModel(String name) {
        return new NewModel(name, "", Map.of(), Governance.EMPTY, T0, "alice");
    }

    /** Version {@code number} of {@code model}, registered by {@code actor} from {@code runId} (may be null). */
    static NewModelVersion newVersion(String model, int number, String runId, String actor) {
        return new NewModelVersion(model, number, digest(number), runId, ModelSignature.EMPTY, Map.of(),
                Map.of("by", actor), "", null, T0.plusMillis(number), actor);
    }

    static PendingAuditEvent registerEvent(String actor, String model, int number) {
        return Fixtures.audit(actor, REGISTER, "model:" + model + "/" + number);
    }

    /**
     * Registers a version the way the API layer does: reads the latest number, asks for the next, and on
     * {@code CONFLICT} (another writer took it) reads again and retries.
     *
     * @return the number this call got
     */
    static int register(MetadataStore store, String model, String runId, String actor) {
        while (true) {
            int next = store.getModel(model).orElseThrow().latestVersion() + 1;
            try {
                return store.createModelVersion(newVersion(model, next, runId, actor),
                        registerEvent(actor, model, next)).value().version();
            } catch (ConflictException lost) {
                // Another writer registered this number first: read again.
            }
        }
    }
}
