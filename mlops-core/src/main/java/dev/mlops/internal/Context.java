package dev.mlops.internal;

import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Principal;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the API implementations share: the stores, the clock, the acting principal and the settings of one
 * {@code Mlops} instance. Immutable.
 *
 * @param store             the metadata store
 * @param artifacts         the artifact store
 * @param clock             the clock for every timestamp
 * @param actor             who is acting (recorded in audit events)
 * @param heartbeatInterval how often an active run sends a heartbeat
 * @param heartbeatTimeout  after how long without a heartbeat a run counts as dead
 * @param metricBatchSize   how many buffered metric points trigger a send
 * @param workingDirectory  where to look for the git checkout (code version)
 * @param scheduler         the shared daemon scheduler for heartbeats
 * @param principal         who is acting, with roles; its name is {@code actor}
 * @param accessPolicy      who may do what (enforced by the API layer)
 * @param registryPolicy    the four-eyes rule and guarded aliases
 */
public record Context(MetadataStore store, ArtifactStore artifacts, Clock clock, String actor,
        Duration heartbeatInterval, Duration heartbeatTimeout, int metricBatchSize, Path workingDirectory,
        ScheduledExecutorService scheduler, Principal principal, AccessPolicy accessPolicy,
        RegistryPolicy registryPolicy) {
    public Context {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(artifacts, "artifacts");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(accessPolicy, "accessPolicy");
        Objects.requireNonNull(registryPolicy, "registryPolicy");
        if (!principal.name().equals(actor)) {
            throw new IllegalArgumentException("actor " + actor + " is not the principal's name " + principal.name());
        }
    }

    /** A context acting as {@code actor} with no roles, no access control and the default registry policy. */
    public Context(MetadataStore store, ArtifactStore artifacts, Clock clock, String actor,
            Duration heartbeatInterval, Duration heartbeatTimeout, int metricBatchSize, Path workingDirectory,
            ScheduledExecutorService scheduler) {
        this(store, artifacts, clock, actor, heartbeatInterval, heartbeatTimeout, metricBatchSize, workingDirectory,
                scheduler, new Principal(actor, java.util.Set.of()), AccessPolicy.allowAll(),
                RegistryPolicy.defaults());
    }

    public Instant now() {
        return clock.instant();
    }

    /** An audit event for a change made now by the actor; {@code data} is written as canonical JSON. */
    public PendingAuditEvent audit(String action, String subject, Map<String, ?> data) {
        return new PendingAuditEvent(now(), actor, action, subject, CanonicalJson.write(data));
    }
}
