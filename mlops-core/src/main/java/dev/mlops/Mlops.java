package dev.mlops;

import dev.mlops.audit.AuditLog;
import dev.mlops.data.Datasets;
import dev.mlops.drift.ProfileStore;
import dev.mlops.internal.Context;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.Validate;
import dev.mlops.internal.artifact.ArtifactStores;
import dev.mlops.internal.audit.DefaultAuditLog;
import dev.mlops.internal.data.DefaultDatasets;
import dev.mlops.internal.drift.DefaultProfileStore;
import dev.mlops.internal.lineage.DefaultLineage;
import dev.mlops.internal.policy.PolicyEvaluator;
import dev.mlops.internal.policy.RetrainingService;
import dev.mlops.internal.policy.StorePolicyStateStore;
import dev.mlops.internal.policy.StoreRetrainingRequestStore;
import dev.mlops.internal.tracking.DefaultTracking;
import dev.mlops.internal.registry.DefaultModelRegistry;
import dev.mlops.lineage.Lineage;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Principal;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.Tracking;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point: one metadata store and one artifact store, and the APIs over them.
 *
 * <pre>{@code
 * try (Mlops mlops = Mlops.open("sqlite:./mlops-data/mlops.db")) {
 *     DatasetVersion train = mlops.datasets().register("train", Path.of("train.csv")).value();
 *     try (ActiveRun run = mlops.tracking().start("train-classifier")) {
 *         run.logInput(train).logParam("learning_rate", "0.1");
 *         run.logMetric("loss", 0.42, 1);
 *     }
 * }
 * }</pre>
 *
 * <p>Store URIs: {@code memory:}, {@code sqlite:PATH}, and whatever the providers on the class path add (see
 * {@link #availableSchemes()}). Immutable and thread-safe: open one instance and share it. {@link #close()}
 * releases the stores it opened; stores handed to the {@link Builder} stay open (they are the caller's).
 */
public final class Mlops implements AutoCloseable {
    static {
        dev.mlops.internal.MlopsInternals.install(m -> m.context);
    }

    private final Context context;
    private final Tracking tracking;
    private final Datasets datasets;
    private final Lineage lineage;
    private final AuditLog audit;
    private final ModelRegistry registry;
    private final ProfileStore profiles;
    private final List<AutoCloseable> owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Mlops(Context context, List<AutoCloseable> owned, String openLineageNamespace, int metricQueueCapacity) {
        this.context = context;
        this.owned = List.copyOf(owned);
        this.tracking = new DefaultTracking(context, metricQueueCapacity);
        this.datasets = new DefaultDatasets(context);
        this.lineage = new DefaultLineage(context, openLineageNamespace);
        this.audit = new DefaultAuditLog(context);
        this.registry = new DefaultModelRegistry(context);
        this.profiles = new DefaultProfileStore(context);
    }

    /**
     * Opens the store at {@code storeUri} with default settings. Artifacts go to {@code artifacts/} beside a SQLite
     * file, to memory for {@code memory:}, and to {@code ./mlops-data/artifacts} otherwise.
     *
     * @throws InvalidArgumentException when no provider knows the URI's scheme (the message lists the known ones)
     * @throws StorageException         when the store cannot be opened
     */
    public static Mlops open(String storeUri) {
        return builder().storeUri(storeUri).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The store URI schemes that can be opened here: built-ins first, then those found with ServiceLoader. */
    public static Set<String> availableSchemes() {
        return StoreResolver.availableSchemes(true);
    }

    public Tracking tracking() {
        return tracking;
    }

    public Datasets datasets() {
        return datasets;
    }

    public Lineage lineage() {
        return lineage;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The model registry: models, versions, aliases, approvals, governance, and resolvers for services. */
    public ModelRegistry registry() {
        return registry;
    }

    /**
     * Stored dataset profiles and drift reports: reference profiles computed once and reused, monitor windows kept
     * for retraining policies and backtests (see docs/drift.md, "Storing profiles and reports").
     */
    public ProfileStore profiles() {
        return profiles;
    }

    /**
     * Retraining policies whose state and decisions live in this instance's metadata store (schema version 4): a
     * new instance over the same store, in this process or another, continues where this one stopped, so a restart
     * neither forgets a cooldown nor decides a window twice. Evaluated at this instance's clock; every stored
     * decision appends a {@code policy.decided} audit event (by the actor, or by the person who approved or
     * rejected). Decay conditions use {@link DetectorFactory#standard()}. See docs/policies.md, "Where the state
     * lives".
     *
     * @throws StorageException (from the calls) when the store predates policy state
     */
    public RetrainingPolicies policies() {
        return policies(DetectorFactory.standard());
    }

    /** As {@link #policies()}, with decay detectors from {@code detectors}. */
    public RetrainingPolicies policies(DetectorFactory detectors) {
        return policies(detectors, context.clock());
    }

    /**
     * As {@link #policies(DetectorFactory)}, evaluated at {@code evaluationClock} instead of this instance's clock: the
     * time conditions and guards (schedule, model age, cooldown, budget, back-off, allowed times) measure up to
     * {@code evaluationClock.instant()}, and decisions carry it as their decision time. For replaying history into the
     * store, with a clock set to each window's end (audit events keep this instance's clock).
     */
    public RetrainingPolicies policies(DetectorFactory detectors, Clock evaluationClock) {
        return new PolicyEvaluator(new StorePolicyStateStore(context), Objects.requireNonNull(evaluationClock,
                "evaluationClock"), Objects.requireNonNull(detectors, "detectors"));
    }

    /**
     * Acting on retraining decisions ({@link #policies()}) with the application's {@link RetrainingHandler}, with
     * the requests kept in this instance's metadata store (schema version 4): the handler is called once per retrain
     * decision, also when several instances over one store evaluate the same window, and a new instance's
     * {@link Retraining#resumePending} hands out what a crashed one left unfinished, with the same idempotency key.
     * Every change of a request appends a {@code retraining.<status>} audit event in the same transaction. Handler
     * calls are time-boxed to {@link Retraining#DEFAULT_TIMEOUT}, at most {@link Retraining#DEFAULT_MAX_CONCURRENT}
     * at once. Each call returns a new service with its own handler threads (daemons that end when idle): keep one
     * per service. A run id the handler returns must be a run in this instance's tracking store that records the
     * request ({@link RetrainingRequest#recordOn}: its key tag and its lineage links, so that lineage shows serving
     * version -> retraining run -> new version), or the request fails.
     * See docs/policies.md, "Acting on decisions".
     *
     * @throws StorageException (from the calls) when the store predates policy state
     */
    public Retraining retraining() {
        return retraining(Retraining.DEFAULT_TIMEOUT, Retraining.DEFAULT_MAX_CONCURRENT);
    }

    /**
     * As {@link #retraining()}, with each handler call time-boxed to {@code timeout} and at most
     * {@code maxConcurrent} calls at once.
     *
     * @throws InvalidArgumentException when the timeout is not positive or maxConcurrent &lt; 1
     */
    public Retraining retraining(Duration timeout, int maxConcurrent) {
        return retraining(policies(), timeout, maxConcurrent);
    }

    /**
     * As {@link #retraining(Duration, int)}, acting on decisions of {@code policies}, for example
     * {@link #policies(DetectorFactory, Clock)} with an evaluation clock: decisions are evaluated there and each
     * retrain's result is reported there ({@link RetrainingPolicies#recordResult}), so the back-off measures the
     * failure in the same time base as the decisions. Requests, their times and audit events use this instance's
     * store and clock. A run id the handler returns must be a run in this instance's tracking store that records the
     * request ({@link RetrainingRequest#recordOn}), or the request fails. See docs/policies.md, "Clocks".
     *
     * @throws InvalidArgumentException when the timeout is not positive or maxConcurrent &lt; 1
     */
    public Retraining retraining(RetrainingPolicies policies, Duration timeout, int maxConcurrent) {
        return new RetrainingService(Objects.requireNonNull(policies, "policies"),
                new StoreRetrainingRequestStore(context), context.clock(), timeout, maxConcurrent,
                run -> context.store().getRun(run));
    }

    /** Who this instance acts as, with roles (access control checks these). */
    public Principal principal() {
        return context.principal();
    }

    /** The artifact store (content-addressed bytes). */
    public ArtifactStore artifacts() {
        return context.artifacts();
    }

    /** The metadata store's description for messages, without secrets (for example {@code sqlite:/x/m.db}). */
    public String storeDescription() {
        return context.store().describe();
    }

    /** Who this instance acts as (recorded in every audit event). */
    public String actor() {
        return context.actor();
    }

    /** The clock every timestamp comes from. */
    public Clock clock() {
        return context.clock();
    }

    /**
     * Waits until the metric batches still queued for the store are stored (at most 30 seconds in all), finishes runs
     * still open as {@code ABORTED}, stops background threads and closes the stores this instance opened. Batches
     * still queued when the time is up are dropped and logged. Idempotent.
     *
     * @throws StorageException when an owned store fails to close
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ((DefaultTracking) tracking).closeAll();
        ((DefaultModelRegistry) registry).close();
        context.scheduler().shutdownNow();
        RuntimeException failure = null;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new StorageException("closing " + c + " failed: " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Mlops[" + context.store().describe() + ", artifacts " + context.artifacts().describe() + "]";
    }

    /**
     * Configures an {@link Mlops}. Not thread-safe; {@link #build()} may be called more than once. Setting the same
     * thing twice in conflicting ways (a store and a store URI) fails fast and names both.
     */
    public static final class Builder {
        private MetadataStore store;
        private String storeUri;
        private ArtifactStore artifactStore;
        private String artifactUri;
        private String actor;
        private Clock clock = Clock.systemUTC();
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration heartbeatTimeout = Duration.ofMinutes(5);
        private int metricBatchSize = 1000;
        private int metricQueueCapacity = DefaultTracking.DEFAULT_METRIC_QUEUE_CAPACITY;
        private Path workingDirectory = Path.of("").toAbsolutePath();
        private boolean serviceLoading = true;
        private String openLineageNamespace = DefaultLineage.DEFAULT_NAMESPACE;
        private Principal principal;
        private AccessPolicy accessPolicy = AccessPolicy.allowAll();
        private RegistryPolicy registryPolicy = RegistryPolicy.defaults();

        private Builder() {
        }

        /** Uses this store (the caller keeps ownership and closes it). */
        public Builder store(MetadataStore store) {
            if (storeUri != null) {
                throw new InvalidArgumentException("store", "store(...) conflicts with storeUri(\""
                        + StoreResolver.redact(storeUri) + "\") set before: give one of them");
            }
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Opens the store at this URI when built. */
        public Builder storeUri(String storeUri) {
            if (store != null) {
                throw new InvalidArgumentException("storeUri", "storeUri(\"" + StoreResolver.redact(storeUri)
                        + "\") conflicts with store(" + store.describe() + ") set before: give one of them");
            }
            this.storeUri = Validate.text("storeUri", storeUri, 4096);
            return this;
        }

        /** Uses this artifact store (the caller keeps ownership). */
        public Builder artifactStore(ArtifactStore artifactStore) {
            if (artifactUri != null) {
                throw new InvalidArgumentException("artifactStore", "artifactStore(...) conflicts with artifactUri(\""
                        + StoreResolver.redact(artifactUri) + "\") set before: give one of them");
            }
            this.artifactStore = Objects.requireNonNull(artifactStore, "artifactStore");
            return this;
        }

        /** Opens the artifact store at this URI ({@code file:PATH} or {@code memory:}) when built. */
        public Builder artifactUri(String artifactUri) {
            if (artifactStore != null) {
                throw new InvalidArgumentException("artifactUri", "artifactUri(\"" + StoreResolver.redact(artifactUri)
                        + "\") conflicts with artifactStore(" + artifactStore.describe() + ") set before");
            }
            this.artifactUri = Validate.text("artifactUri", artifactUri, 4096);
            return this;
        }

        /**
         * Who acts (recorded in audit events), with no roles; default: the {@code user.name} system property. Give
         * a {@link #principal(Principal)} instead when an access policy is configured.
         */
        public Builder actor(String actor) {
            String name = Validate.text("actor", actor, Validate.MAX_NAME);
            if (principal != null && !principal.name().equals(name)) {
                throw new InvalidArgumentException("actor", "actor(\"" + name + "\") conflicts with principal("
                        + principal.name() + ") set before: give one of them");
            }
            this.actor = name;
            return this;
        }

        /** Who acts, with roles: its name is the actor of every audit event. */
        public Builder principal(Principal principal) {
            Objects.requireNonNull(principal, "principal");
            Validate.text("principal", principal.name(), Validate.MAX_NAME);
            if (this.principal != null && !this.principal.name().equals(principal.name())) {
                throw new InvalidArgumentException("principal", "principal(" + principal.name()
                        + ") conflicts with principal(" + this.principal.name() + ") set before: give one");
            }
            if (this.principal == null && actor != null && !actor.equals(principal.name())) {
                throw new InvalidArgumentException("principal", "principal(" + principal.name()
                        + ") conflicts with actor(\"" + actor + "\") set before: give one of them");
            }
            this.principal = principal;
            this.actor = principal.name();
            return this;
        }

        /**
         * Who may do what; default {@link AccessPolicy#allowAll()} (no access control, for embedded single-user
         * use). With any other policy, a denied action fails with {@code PERMISSION_DENIED} and is audited.
         */
        public Builder accessPolicy(AccessPolicy policy) {
            this.accessPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The four-eyes rule and guarded aliases; default {@link RegistryPolicy#defaults()}. */
        public Builder registryPolicy(RegistryPolicy policy) {
            this.registryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The clock for every timestamp; default UTC system clock. Inject a fixed clock in tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often active runs send heartbeats; default 30 seconds. */
        public Builder heartbeatInterval(Duration interval) {
            requirePositive("heartbeatInterval", interval);
            this.heartbeatInterval = interval;
            return this;
        }

        /** After how long without a heartbeat a run counts as dead; default 5 minutes. */
        public Builder heartbeatTimeout(Duration timeout) {
            requirePositive("heartbeatTimeout", timeout);
            this.heartbeatTimeout = timeout;
            return this;
        }

        /**
         * How many buffered metric points of a run make a batch; default 1000. A full batch is handed to a
         * background sender (see {@link #metricQueueCapacity(int)}); {@code flush()}, {@code snapshot()} and
         * {@code close()} of the run send the rest.
         */
        public Builder metricBatchSize(int size) {
            if (size < 1 || size > 100_000) {
                throw new InvalidArgumentException("metricBatchSize",
                        "metricBatchSize must be between 1 and 100000, was " + size);
            }
            this.metricBatchSize = size;
            return this;
        }

        /**
         * How many full metric batches may wait for the metadata store at once, across all runs of the instance
         * (waiting or being sent); default 16. {@code ActiveRun.logMetric} hands a full batch to a background
         * sender and returns without waiting for the store; the sender stores each run's batches one at a time in
         * the order they filled up, different runs' in parallel. When {@code batches} are already waiting,
         * {@code logMetric} waits for room (backpressure): memory stays bounded and nothing is dropped for being
         * fast. The default keeps at most 16 x {@link #metricBatchSize(int)} points queued (some 100 bytes a point:
         * about 1.6 MB at the default batch size), enough for a training loop to run 16,000 points ahead of a store
         * that pauses for a moment, and lets the sender's threads work on several runs at once.
         *
         * @throws InvalidArgumentException (field {@code metricQueueCapacity}) unless 1 to 10,000
         */
        public Builder metricQueueCapacity(int batches) {
            if (batches < 1 || batches > 10_000) {
                throw new InvalidArgumentException("metricQueueCapacity",
                        "metricQueueCapacity must be between 1 and 10000 batches, was " + batches);
            }
            this.metricQueueCapacity = batches;
            return this;
        }

        /** Where to look for the git checkout whose code version runs record; default the working directory. */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "dir").toAbsolutePath();
            return this;
        }

        /**
         * The OpenLineage namespace of exported jobs, and of datasets without a location of their own (default
         * {@code mlops}; see {@code docs/lineage.md}).
         */
        public Builder openLineageNamespace(String namespace) {
            this.openLineageNamespace = Validate.text("openLineageNamespace", namespace, Validate.MAX_NAME);
            return this;
        }

        /**
         * Whether store providers are also looked up with {@link java.util.ServiceLoader} (default true). The
         * kill switch for environments where class-path scanning is unwanted; built-ins always work.
         */
        public Builder serviceLoading(boolean enabled) {
            this.serviceLoading = enabled;
            return this;
        }

        /**
         * Opens what was configured.
         *
         * @throws InvalidArgumentException when neither a store nor a store URI was given, or a URI is unknown
         * @throws StorageException         when a store cannot be opened
         */
        public Mlops build() {
            if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new InvalidArgumentException("heartbeatTimeout", "heartbeatTimeout (" + heartbeatTimeout
                        + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
            }
            if (store == null && storeUri == null) {
                throw new InvalidArgumentException("store", "give a store(...) or a storeUri(...)");
            }
            List<AutoCloseable> owned = new ArrayList<>();
            MetadataStore metadata = store;
            ArtifactStore bytes = artifactStore;
            try {
                if (metadata == null) {
                    metadata = StoreResolver.open(storeUri, serviceLoading);
                    owned.add(metadata);
                }
                if (bytes == null) {
                    String uri = artifactUri != null ? artifactUri : ArtifactStores.defaultUriFor(storeUri);
                    bytes = ArtifactStores.open(uri);
                    owned.add(bytes);
                }
            } catch (RuntimeException e) {
                for (AutoCloseable c : owned) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            String who = actor != null ? actor : System.getProperty("user.name", "unknown");
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mlops-heartbeat");
                t.setDaemon(true);
                return t;
            });
            Principal acting = principal != null ? principal : new Principal(who, Set.of());
            Context context = new Context(metadata, bytes, clock, who, heartbeatInterval, heartbeatTimeout,
                    metricBatchSize, workingDirectory, scheduler, acting, accessPolicy, registryPolicy);
            return new Mlops(context, owned, openLineageNamespace, metricQueueCapacity);
        }

        private static void requirePositive(String field, Duration d) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) {
                throw new InvalidArgumentException(field, field + " must be positive, was " + d);
            }
        }
    }
}
