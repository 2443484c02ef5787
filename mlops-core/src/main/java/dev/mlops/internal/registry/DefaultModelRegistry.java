package dev.mlops.internal.registry;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.PermissionDeniedException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.internal.AccessControl;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import dev.mlops.internal.data.Digests;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelResolver;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.ResolvedModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionRegistration;
import dev.mlops.registry.VersionStatus;
import dev.mlops.security.Permission;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The registry's API layer: validates arguments, enforces the access policy and the registry policy (four eyes,
 * guarded aliases), builds the audit events and hands plain data to the store. Races between writers are settled by
 * the store's compare-and-set rules; a lost race on a version number is retried here. Thread-safe.
 */
public final class DefaultModelRegistry implements ModelRegistry {
    /** Longest alias name. */
    public static final int MAX_ALIAS = 64;
    /** How often registering a version retries after losing the race for a number. */
    static final int MAX_NUMBER_ATTEMPTS = 1000;

    private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private final Context context;
    private final MetadataStore store;
    private final AccessControl access;
    /** The resolvers to invalidate; weakly held, so a resolver nobody uses any more is not kept alive. */
    private final Set<CachingModelResolver> resolvers = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));
    /** Runs the resolvers' background refreshes (blocking store reads), off the common fork-join pool. */
    private final ExecutorService refreshes = Executors.newCachedThreadPool(runnable -> {
        Thread t = new Thread(runnable, "mlops-resolver-refresh");
        t.setDaemon(true);
        return t;
    });

    public DefaultModelRegistry(Context context) {
        this.context = Objects.requireNonNull(context, "context");
        this.store = context.store();
        this.access = new AccessControl(context);
    }

    // ---- models -----------------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(String name, String description, Map<String, String> tags) {
        modelName("name", name);
        String text = description == null ? "" : Validate.value("description", description, Validate.MAX_TEXT);
        Map<String, String> checkedTags = Validate.tags(Validate.required("tags", tags));
        require(Permission.WRITE, name, "create model");
        return create(name, text, checkedTags);
    }

    private Created<RegisteredModel> create(String name, String description, Map<String, String> tags) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("description", description);
        data.put("tags", tags);
        NewModel model = new NewModel(name, description, tags, Governance.EMPTY, context.now(), context.actor());
        return store.createModel(model, context.audit("model.create", "model:" + name, data));
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        modelName("name", name);
        require(Permission.READ, name, "read model");
        return store.getModel(name);
    }

    @Override
    public RegisteredModel model(String name) {
        return getModel(name).orElseThrow(() -> notFound(name));
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        Validate.required("query", query);
        Validate.required("page", page);
        Page<RegisteredModel> found = store.searchModels(query, page);
        if (access.isOpen()) {
            return found;
        }
        List<RegisteredModel> readable = new ArrayList<>();
        for (RegisteredModel m : found.items()) {
            if (allowed(Permission.READ, m.name())) {
                readable.add(m);
            }
        }
        return new Page<>(readable, found.nextPageToken());
    }

    @Override
    public RegisteredModel setGovernance(String name, Governance governance) {
        modelName("name", name);
        Validate.required("governance", governance);
        Governance checked = validate(governance);
        require(Permission.WRITE, name, "set governance");
        RegisteredModel before = store.getModel(name).orElseThrow(() -> notFound(name));
        Governance old = before.governance();
        if (!access.isOpen() && (!Objects.equals(old.businessOwner(), checked.businessOwner())
                || !Objects.equals(old.approverRole(), checked.approverRole()))) {
            // Who owns a model and who decides its promotions is not for its registrants to change.
            require(Permission.ADMIN, name, "change the business owner or approver role");
        }
        // The record after the change; what it replaced is in the chain already (creation or an earlier change).
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("governance", governanceJson(checked));
        ModelUpdate update = new ModelUpdate(null, Map.of(), Set.of(), checked, context.now());
        return store.updateModel(name, update, context.audit("model.set_governance", "model:" + name, data));
    }

    @Override
    public RegisteredModel setDescription(String name, String description) {
        modelName("name", name);
        String text = Validate.value("description", Validate.required("description", description),
                Validate.MAX_TEXT);
        require(Permission.WRITE, name, "set description");
        ModelUpdate update = new ModelUpdate(text, Map.of(), Set.of(), null, context.now());
        return store.updateModel(name, update,
                context.audit("model.set_description", "model:" + name, Map.of("description", text)));
    }

    @Override
    public RegisteredModel updateTags(String name, Map<String, String> set, Set<String> remove) {
        modelName("name", name);
        Map<String, String> tags = Validate.tags(Validate.required("set", set));
        Set<String> removed = tagKeys(remove);
        require(Permission.WRITE, name, "update tags");
        ModelUpdate update = new ModelUpdate(null, tags, removed, null, context.now());
        return store.updateModel(name, update,
                context.audit("model.update_tags", "model:" + name, Map.of("set", tags, "remove", removed)));
    }

    // ---- versions ---------------------------------------------------------------------------------------------

    @Override
    public VersionRegistration newVersion(String modelName) {
        modelName("modelName", modelName);
        return new Registration(modelName);
    }

    @Override
    public Optional<ModelVersion> getVersion(String modelName, int version) {
        modelName("modelName", modelName);
        number("version", version);
        require(Permission.READ, modelName, "read version");
        return store.getModelVersion(modelName, version);
    }

    @Override
    public ModelVersion resolve(String reference) {
        return resolve(ModelRef.parse(reference));
    }

    @Override
    public ModelVersion resolve(ModelRef reference) {
        Validate.required("reference", reference);
        modelName("model", reference.modelName());
        if (reference.isAlias()) {
            alias("alias", reference.alias());
        }
        require(Permission.READ, reference.modelName(), "resolve " + reference);
        return lookup(reference);
    }

    /** Resolves without an access check (the caller checked). */
    ModelVersion lookup(ModelRef reference) {
        String name = reference.modelName();
        if (!reference.isAlias()) {
            return store.getModelVersion(name, reference.version()).orElseThrow(() ->
                    store.getModel(name).isEmpty() ? notFound(name)
                            : new NotFoundException("model " + name + " has no version " + reference.version()));
        }
        alias("alias", reference.alias());
        RegisteredModel model = store.getModel(name).orElseThrow(() -> notFound(name));
        Integer target = model.aliases().get(reference.alias());
        if (target == null) {
            throw new NotFoundException("model " + name + " has no alias '" + reference.alias() + "'"
                    + (model.aliases().isEmpty() ? "" : " (its aliases: " + String.join(", ",
                    model.aliases().keySet()) + ")"));
        }
        return store.getModelVersion(name, target).orElseThrow(() -> new NotFoundException("alias '"
                + reference.alias() + "' of model " + name + " points at version " + target
                + ", which no longer exists"));
    }

    @Override
    public Page<ModelVersion> searchVersions(VersionQuery query, PageRequest page) {
        Validate.required("query", query);
        Validate.required("page", page);
        if (query.modelName() != null) {
            require(Permission.READ, query.modelName(), "list versions");
        }
        Page<ModelVersion> found = store.searchModelVersions(query, page);
        if (access.isOpen() || query.modelName() != null) {
            return found;
        }
        List<ModelVersion> readable = new ArrayList<>();
        for (ModelVersion v : found.items()) {
            if (allowed(Permission.READ, v.modelName())) {
                readable.add(v);
            }
        }
        return new Page<>(readable, found.nextPageToken());
    }

    @Override
    public ModelVersion updateVersionTags(String modelName, int version, Map<String, String> set,
            Set<String> remove) {
        modelName("modelName", modelName);
        number("version", version);
        Map<String, String> tags = Validate.tags(Validate.required("set", set));
        Set<String> removed = tagKeys(remove);
        require(Permission.WRITE, modelName, "update version tags");
        ModelUpdate update = new ModelUpdate(null, tags, removed, null, context.now());
        ModelVersion updated = store.updateModelVersion(modelName, version, update, context.audit(
                "model_version.update_tags", subject(modelName, version), Map.of("set", tags, "remove", removed)));
        invalidate(modelName);
        return updated;
    }

    @Override
    public ModelVersion approve(String modelName, int version, String reason) {
        return decide(modelName, version, reason, ApprovalStatus.APPROVED);
    }

    @Override
    public ModelVersion reject(String modelName, int version, String reason) {
        return decide(modelName, version, reason, ApprovalStatus.REJECTED);
    }

    private ModelVersion decide(String modelName, int version, String reason, ApprovalStatus decision) {
        modelName("modelName", modelName);
        number("version", version);
        String why = reason(reason, decision);
        String verb = decision == ApprovalStatus.APPROVED ? "approve" : "reject";
        require(Permission.APPROVE, modelName, verb + " version " + version);
        RegisteredModel model = store.getModel(modelName).orElseThrow(() -> notFound(modelName));
        String approverRole = model.governance().approverRole();
        if (approverRole != null && !access.isOpen()
                && !context.principal().hasRole(approverRole)) {
            throw denied("model " + modelName + " names '" + approverRole + "' as its approver role, which "
                    + context.actor() + " does not hold", Permission.APPROVE, modelName, verb + " version " + version);
        }
        ModelVersion current = store.getModelVersion(modelName, version).orElseThrow(() ->
                new NotFoundException("model " + modelName + " has no version " + version));
        if (current.approval().status() != ApprovalStatus.PENDING) {
            throw new ConflictException("version " + version + " of model " + modelName + " was already "
                    + current.approval().status().name().toLowerCase(Locale.ROOT) + " by "
                    + current.approval().actor() + " at " + current.approval().time());
        }
        if (decision == ApprovalStatus.APPROVED && current.status() != VersionStatus.READY) {
            throw new ConflictException("version " + version + " of model " + modelName + " is " + current.status()
                    + ": only a version whose artifact was uploaded and verified (READY) can be approved");
        }
        if (decision == ApprovalStatus.APPROVED && context.registryPolicy().fourEyes()
                && current.createdBy().equals(context.actor())) {
            throw denied("four-eyes rule: " + context.actor() + " registered version " + version + " of model "
                    + modelName + " and so cannot approve it; someone else must", Permission.APPROVE, modelName,
                    "approve own version " + version);
        }
        Instant now = context.now();
        Approval approval = Approval.decided(decision, context.actor(), now, why);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", why);
        data.put("registered_by", current.createdBy());
        ModelVersion decided = store.decideApproval(modelName, version, approval,
                context.audit("model_version." + verb, subject(modelName, version), data));
        invalidate(modelName);
        return decided;
    }

    // ---- aliases ----------------------------------------------------------------------------------------------

    @Override
    public AliasChange setAlias(String modelName, String alias, int version) {
        return moveAlias(modelName, alias, version, null);
    }

    @Override
    public AliasChange setAlias(String modelName, String alias, int version, int expectedCurrent) {
        if (expectedCurrent < 0) {
            throw new InvalidArgumentException("expectedCurrent", "expectedCurrent must be a version number, or 0"
                    + " for an alias that must not exist yet; was " + expectedCurrent);
        }
        return moveAlias(modelName, alias, version, expectedCurrent);
    }

    /**
     * {@link #setAlias(String, String, int, int)} that stores the events {@code before} ahead of the alias's own
     * {@code model_alias.*} event, in the same transaction as the move
     * ({@link MetadataStore#setAlias(String, String, int, Integer, Instant, List)}): all or nothing. For the
     * promotion gate, whose verdict and alias move must never be stored one without the other.
     *
     * @param before at least one event
     */
    public AliasChange setAlias(String modelName, String alias, int version, int expectedCurrent,
            List<PendingAuditEvent> before) {
        if (before == null || before.isEmpty() || before.stream().anyMatch(Objects::isNull)) {
            throw new InvalidArgumentException("before", "before must hold at least one audit event, and no null");
        }
        if (expectedCurrent < 0) {
            throw new InvalidArgumentException("expectedCurrent", "expectedCurrent must be a version number, or 0"
                    + " for an alias that must not exist yet; was " + expectedCurrent);
        }
        List<PendingAuditEvent> copy = List.copyOf(before);
        return moveAlias(modelName, alias, version, expectedCurrent, (expected, own) -> {
            List<PendingAuditEvent> events = new ArrayList<>(copy);
            events.add(own);
            return store.setAlias(modelName, alias, version, expected, context.now(), events);
        });
    }

    /**
     * {@link #setAlias(String, String, int, int, List)} with the promotion gate's {@code verdict} as the only event
     * before the alias's own, recorded once per (model, alias, version) through
     * {@link MetadataStore#recordPromotionVerdict}: when a verdict on the version taking the alias is recorded
     * already, nothing is moved or stored and that verdict's event is returned; else the move and both events are
     * stored in one transaction and empty is returned. The registry's rules are checked first, as for any move.
     */
    public Optional<AuditEvent> setAliasRecordingVerdict(String modelName, String alias, int version,
            int expectedCurrent, PendingAuditEvent verdict) {
        if (verdict == null) {
            throw new InvalidArgumentException("verdict", "verdict is required");
        }
        if (expectedCurrent < 0) {
            throw new InvalidArgumentException("expectedCurrent", "expectedCurrent must be a version number, or 0"
                    + " for an alias that must not exist yet; was " + expectedCurrent);
        }
        return moveAlias(modelName, alias, version, expectedCurrent, (expected, own) -> store.recordPromotionVerdict(
                modelName, alias, version, true, expected, context.now(), List.of(verdict, own)));
    }

    /** The store call of an alias move: {@code expected} is the compare-and-set's, {@code own} the move's event. */
    @FunctionalInterface
    private interface AliasWrite<T> {
        T write(Integer expected, PendingAuditEvent own);
    }

    private AliasChange moveAlias(String modelName, String alias, int version, Integer expectation) {
        return moveAlias(modelName, alias, version, expectation,
                (expected, own) -> store.setAlias(modelName, alias, version, expected, context.now(), own));
    }

    private <T> T moveAlias(String modelName, String alias, int version, Integer expectation,
            AliasWrite<T> write) {
        modelName("modelName", modelName);
        alias("alias", alias);
        number("version", version);
        String operation = AliasGuards.setOperation(alias, version);
        require(Permission.MOVE_ALIAS, modelName, operation);
        Optional<AliasGuard> guard = context.registryPolicy().guard(alias);
        guard.ifPresent(g -> requireGuardRole(g, modelName, alias, operation));
        for (int attempt = 1; ; attempt++) {
            RegisteredModel model = store.getModel(modelName).orElseThrow(() -> notFound(modelName));
            ModelVersion target = store.getModelVersion(modelName, version).orElseThrow(() ->
                    new NotFoundException("model " + modelName + " has no version " + version));
            if (guard.isPresent()) {
                checkGuard(guard.get(), model, target, alias);
            }
            Integer current = model.aliases().get(alias);
            Integer expected;
            if (expectation == null) {
                expected = current;
            } else {
                expected = expectation == 0 ? null : expectation;
                if (!Objects.equals(current, expected)) {
                    throw new ConflictException("alias '" + alias + "' of model " + modelName + " points at "
                            + (current == null ? "no version (it does not exist)" : "version " + current)
                            + ", not " + (expected == null ? "nothing" : "version " + expected)
                            + " as expected; read it again and decide");
                }
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("alias", alias);
            data.put("from", current);
            data.put("to", version);
            data.put("approval", target.approval().status().name());
            PendingAuditEvent own = context.audit(current == null ? "model_alias.set" : "model_alias.move",
                    "model:" + modelName + "@" + alias, data);
            try {
                T change = write.write(expected, own);
                invalidate(modelName);
                return change;
            } catch (ConflictException e) {
                // Without an expectation of the caller's, a concurrent move only means we read again.
                if (expectation != null || attempt >= MAX_NUMBER_ATTEMPTS || !target.status().equals(
                        VersionStatus.READY) || Objects.equals(aliasNow(modelName, alias), current)) {
                    throw e;
                }
            }
        }
    }

    private Integer aliasNow(String modelName, String alias) {
        return store.getModel(modelName).map(m -> m.aliases().get(alias)).orElse(null);
    }

    private void requireGuardRole(AliasGuard guard, String modelName, String alias, String operation) {
        if (access.isOpen()) {
            return;
        }
        Optional<String> problem = AliasGuards.roleProblem(guard, alias, context.principal());
        if (problem.isPresent()) {
            throw denied(problem.get(), Permission.MOVE_ALIAS, modelName, operation);
        }
    }

    private void checkGuard(AliasGuard guard, RegisteredModel model, ModelVersion target, String alias) {
        Optional<String> problem = AliasGuards.stateProblem(guard, model, target, alias);
        if (problem.isPresent()) {
            refuse(problem.get(), model.name(), AliasGuards.setOperation(alias, target.version()));
        }
    }

    @Override
    public AliasChange deleteAlias(String modelName, String alias) {
        modelName("modelName", modelName);
        alias("alias", alias);
        String operation = AliasGuards.deleteOperation(alias);
        require(Permission.MOVE_ALIAS, modelName, operation);
        context.registryPolicy().guard(alias).ifPresent(g -> requireGuardRole(g, modelName, alias, operation));
        RegisteredModel model = store.getModel(modelName).orElseThrow(() -> notFound(modelName));
        Integer current = model.aliases().get(alias);
        if (current == null) {
            throw new NotFoundException("model " + modelName + " has no alias '" + alias + "'");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("alias", alias);
        data.put("from", current);
        AliasChange change = store.deleteAlias(modelName, alias, current, context.now(),
                context.audit("model_alias.delete", "model:" + modelName + "@" + alias, data));
        invalidate(modelName);
        return change;
    }

    @Override
    public void deleteVersion(String modelName, int version) {
        modelName("modelName", modelName);
        number("version", version);
        require(Permission.ADMIN, modelName, "delete version " + version);
        store.deleteModelVersion(modelName, version,
                context.audit("model_version.delete", subject(modelName, version), Map.of()));
        invalidate(modelName);
    }

    // ---- resolver ---------------------------------------------------------------------------------------------

    @Override
    public ModelResolver resolver(Duration refreshInterval, Duration maxStaleness) {
        CachingModelResolver resolver = new CachingModelResolver(this::resolveForService, refreshInterval,
                maxStaleness, Ticker.systemTicker(), refreshes);
        resolvers.add(resolver);
        return resolver;
    }

    @Override
    public ModelResolver resolver() {
        return resolver(Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    private ResolvedModel resolveForService(ModelRef reference) {
        ModelVersion version = resolve(reference);
        if (version.status() != VersionStatus.READY || version.artifact() == null) {
            throw new ConflictException("version " + version.version() + " of model " + version.modelName()
                    + " is " + version.status() + ", so it has no artifact to serve"
                    + (version.statusMessage() == null ? "" : " (" + version.statusMessage() + ")"));
        }
        return new ResolvedModel(reference, version, version.artifact(), context.now());
    }

    private void invalidate(String modelName) {
        List<CachingModelResolver> current;
        synchronized (resolvers) {
            current = List.copyOf(resolvers);
        }
        for (CachingModelResolver r : current) {
            r.invalidateModel(modelName);
        }
    }

    /** Stops the refresh threads (called when the {@code Mlops} instance closes). */
    public void close() {
        refreshes.shutdownNow();
    }

    // ---- registration -----------------------------------------------------------------------------------------

    private final class Registration implements VersionRegistration {
        private final String modelName;
        private String runId;
        private ModelSignature signature = ModelSignature.EMPTY;
        private final Map<String, Double> metrics = new TreeMap<>();
        private final Map<String, String> tags = new TreeMap<>();
        private String description = "";
        private String expectedDigest;
        private String idempotencyKey;
        /** This registration's own key when the caller gives none, so that a transport retry is a repeat. */
        private final String ownKey = "auto-" + UUID.randomUUID();
        private boolean used;

        Registration(String modelName) {
            this.modelName = modelName;
        }

        @Override
        public VersionRegistration run(String runId) {
            this.runId = Validate.text("runId", runId, Validate.MAX_NAME);
            return this;
        }

        @Override
        public VersionRegistration signature(List<Column> inputs, List<Column> outputs) {
            return signature(new ModelSignature(Validate.required("inputs", inputs),
                    Validate.required("outputs", outputs)));
        }

        @Override
        public VersionRegistration signature(ModelSignature signature) {
            Validate.required("signature", signature);
            for (Column c : signature.inputs()) {
                Validate.key("signature input", c.name());
            }
            for (Column c : signature.outputs()) {
                Validate.key("signature output", c.name());
            }
            this.signature = signature;
            return this;
        }

        @Override
        public VersionRegistration metric(String key, double value) {
            Validate.key("metric", key);
            if (!Double.isFinite(value)) {
                throw new InvalidArgumentException("metric", "metric '" + key + "' must be finite, was " + value);
            }
            metrics.put(key, value);
            return this;
        }

        @Override
        public VersionRegistration metrics(Map<String, Double> metrics) {
            Validate.required("metrics", metrics).forEach((k, v) -> metric(k, Validate.required("metric " + k, v)));
            return this;
        }

        @Override
        public VersionRegistration tag(String key, String value) {
            tags.putAll(Validate.tags(Map.of(Validate.key("tag", key), Validate.required("tag " + key, value))));
            return this;
        }

        @Override
        public VersionRegistration description(String description) {
            this.description = Validate.value("description", Validate.required("description", description),
                    Validate.MAX_TEXT);
            return this;
        }

        @Override
        public VersionRegistration expectedDigest(String digest) {
            this.expectedDigest = Digests.require("expectedDigest", digest);
            return this;
        }

        @Override
        public VersionRegistration idempotencyKey(String key) {
            this.idempotencyKey = Validate.key("idempotencyKey", key);
            return this;
        }

        @Override
        public ModelVersion upload(Path file) {
            Validate.required("file", file);
            once();
            String digest;
            try (InputStream in = Files.newInputStream(file)) {
                digest = Digests.of(in).digest();
            } catch (NoSuchFileException e) {
                throw new InvalidArgumentException("file", "model file " + file + " does not exist");
            } catch (IOException e) {
                throw new StorageException("reading model file " + file + " failed: " + e.getMessage(), e);
            }
            if (expectedDigest != null && !expectedDigest.equals(digest)) {
                throw new IntegrityException("model file " + file + " has digest " + digest + ", not the expected "
                        + expectedDigest + "; nothing was registered");
            }
            return register(digest, () -> {
                try {
                    return Files.newInputStream(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        @Override
        public ModelVersion upload(InputStream content) {
            Validate.required("content", content);
            if (expectedDigest == null) {
                throw new InvalidArgumentException("expectedDigest", "uploading a stream needs expectedDigest(...)"
                        + " first: the digest is recorded before the bytes are read");
            }
            once();
            return register(expectedDigest, () -> content);
        }

        private void once() {
            if (used) {
                throw new IllegalStateException("this registration was used already; start another with"
                        + " newVersion(...)");
            }
            used = true;
        }

        private ModelVersion register(String digest, ContentSource content) {
            require(Permission.WRITE, modelName, "register version");
            if (runId != null && store.getRun(runId).isEmpty()) {
                throw new NotFoundException("run " + runId + " does not exist (the run a version of model "
                        + modelName + " was to come from)");
            }
            if (store.getModel(modelName).isEmpty()) {
                create(modelName, "", Map.of());
            }
            Created<ModelVersion> registered = createVersion(digest);
            ModelVersion version = registered.value();
            if (!registered.created()) {
                checkRepeat(version, digest);
                if (version.status() == VersionStatus.READY) {
                    return version; // a repeat of a finished registration
                }
            }
            ArtifactRef stored;
            try (InputStream in = content.open()) {
                stored = context.artifacts().put(in, digest);
            } catch (IntegrityException e) {
                fail(version, "artifact bytes do not match the declared digest " + digest);
                IntegrityException failure = new IntegrityException("version " + version.version() + " of model "
                        + modelName + " FAILED: the artifact's bytes do not match the declared digest " + digest);
                failure.addSuppressed(e);
                throw failure;
            } catch (IOException | RuntimeException e) {
                String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
                fail(version, "artifact upload failed: " + why);
                if (e instanceof MlopsException m) {
                    throw m;
                }
                throw new StorageException("uploading the artifact of version " + version.version() + " of model "
                        + modelName + " failed: " + why, e);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("digest", stored.digest());
            data.put("size_bytes", stored.sizeBytes());
            data.put("uri", stored.uri());
            try {
                return store.finishModelVersion(modelName, version.version(), VersionStatus.READY, stored, null,
                        context.now(), context.audit("model_version.ready", version.node().id(), data));
            } catch (ConflictException e) {
                // A repeat of this registration (same idempotency key) finished it first: same bytes, same answer.
                ModelVersion now = store.getModelVersion(modelName, version.version()).orElseThrow(() -> e);
                if (now.status() == VersionStatus.READY) {
                    return now;
                }
                throw e;
            }
        }

        private String key() {
            return idempotencyKey != null ? idempotencyKey : ownKey;
        }

        /** A repeat of a registration under the same idempotency key must be the same registration. */
        private void checkRepeat(ModelVersion stored, String digest) {
            String key = "idempotency key '" + key() + "' registered version " + stored.version()
                    + " of model " + modelName;
            if (!stored.digest().equals(digest)) {
                throw new ConflictException(key + " with digest " + stored.digest() + ", not " + digest
                        + "; use another key for other bytes");
            }
            if (!Objects.equals(stored.runId(), runId)) {
                throw new ConflictException(key + " from run " + stored.runId() + ", not " + runId);
            }
            if (stored.status() == VersionStatus.FAILED) {
                throw new ConflictException(key + ", which FAILED (" + stored.statusMessage()
                        + "); register again with another key");
            }
        }

        private void fail(ModelVersion version, String message) {
            try {
                store.finishModelVersion(modelName, version.version(), VersionStatus.FAILED, null, message,
                        context.now(), context.audit("model_version.failed", version.node().id(),
                                Map.of("message", message)));
            } catch (RuntimeException suppressed) {
                // The version stays PENDING, which is what a reader must assume for an unfinished upload anyway.
            }
        }

        private Created<ModelVersion> createVersion(String digest) {
            Instant now = context.now();
            for (int attempt = 1; ; attempt++) {
                RegisteredModel model = store.getModel(modelName).orElseThrow(() -> notFound(modelName));
                int number = model.latestVersion() + 1;
                NewModelVersion nv = new NewModelVersion(modelName, number, digest, runId, signature, metrics, tags,
                        description, key(), now, context.actor());
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("digest", digest);
                data.put("run_id", runId);
                data.put("metrics", metrics);
                data.put("tags", tags);
                data.put("idempotency_key", key());
                try {
                    return store.createModelVersion(nv, context.audit("model_version.register",
                            subject(modelName, number), data));
                } catch (ConflictException e) {
                    if (attempt >= MAX_NUMBER_ATTEMPTS) {
                        ConflictException failure = new ConflictException("could not register a version of model "
                                + modelName + " after " + attempt + " attempts: other writers kept taking the next"
                                + " number");
                        failure.addSuppressed(e);
                        throw failure;
                    }
                    backOff(attempt);
                }
            }
        }
    }

    @FunctionalInterface
    private interface ContentSource {
        InputStream open() throws IOException;
    }

    private static void backOff(int attempt) {
        if (attempt < 3) {
            Thread.onSpinWait();
            return;
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(50, 2L * attempt) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while registering a model version", e);
        }
    }

    // ---- access control -------------------------------------------------------------------------------------

    private boolean allowed(Permission permission, String modelName) {
        return access.allowed(permission, modelName);
    }

    private void require(Permission permission, String modelName, String operation) {
        access.require(permission, modelName, "model:" + modelName, operation);
    }

    private PermissionDeniedException denied(String message, Permission permission, String modelName,
            String operation) {
        return access.denied(message, permission, "model:" + modelName, operation);
    }

    private void refuse(String message, String modelName, String operation) {
        throw access.refused(message, "model:" + modelName, operation);
    }

    // ---- validation -------------------------------------------------------------------------------------------

    /** Model names: {@link Validate#name} and no {@code /} (it separates the name from the version number). */
    public static String modelName(String field, String name) {
        Validate.name(field, name);
        if (name.indexOf('/') >= 0) {
            throw new InvalidArgumentException(field, field + " must not contain '/' (it separates a model's name"
                    + " from a version number), was '" + Validate.printable(name) + "'");
        }
        return name;
    }

    /** Alias names: 1 to 64 of letters, digits, '_', '-', '.', starting with a letter. */
    public static String alias(String field, String alias) {
        if (alias == null) {
            throw new InvalidArgumentException(field, field + " must not be null");
        }
        if (alias.isEmpty()) {
            throw new InvalidArgumentException(field, field + " must not be empty");
        }
        if (alias.length() > MAX_ALIAS) {
            throw new InvalidArgumentException(field, field + " must be at most " + MAX_ALIAS + " characters, was "
                    + alias.length());
        }
        if (DIGITS.matcher(alias).matches()) {
            throw new InvalidArgumentException(field, field + " must not be numeric-only (it would read as a version"
                    + " number), was '" + alias + "'");
        }
        if (!ALIAS.matcher(alias).matches()) {
            throw new InvalidArgumentException(field, field + " must start with a letter and hold only letters,"
                    + " digits, '_', '-' and '.', was '" + Validate.printable(alias) + "'");
        }
        return alias;
    }

    /**
     * The reason of an approval decision: required, at most {@link Validate#MAX_TEXT} characters, no control
     * characters (line breaks allowed), not blank.
     *
     * @throws InvalidArgumentException (field {@code reason})
     */
    public static String reason(String reason, ApprovalStatus decision) {
        String why = Validate.value("reason", Validate.required("reason", reason), Validate.MAX_TEXT);
        if (why.isBlank()) {
            throw new InvalidArgumentException("reason", "reason must not be blank: say why the version is "
                    + decision.name().toLowerCase(Locale.ROOT));
        }
        return why;
    }

    /** A version number: 1 or more. @throws InvalidArgumentException naming {@code field} */
    public static int number(String field, int version) {
        if (version < 1) {
            throw new InvalidArgumentException(field, field + " must be a version number from 1, was " + version);
        }
        return version;
    }

    /** The tag keys to remove: required, each a {@link Validate#key} (field {@code remove}). */
    public static Set<String> tagKeys(Set<String> keys) {
        Validate.required("remove", keys);
        for (String k : keys) {
            Validate.key("remove", k);
        }
        return Set.copyOf(keys);
    }

    /**
     * Checks a governance record (owners and approver role at most {@link Validate#MAX_NAME} characters, the texts
     * at most {@link Validate#MAX_TEXT}, no control characters; each field named) and returns it with blank fields
     * as null.
     */
    public static Governance validate(Governance g) {
        Validate.value("businessOwner", orEmpty(g.businessOwner()), Validate.MAX_NAME);
        Validate.value("technicalOwner", orEmpty(g.technicalOwner()), Validate.MAX_NAME);
        Validate.value("intendedUse", orEmpty(g.intendedUse()), Validate.MAX_TEXT);
        Validate.value("serviceLevel", orEmpty(g.serviceLevel()), Validate.MAX_TEXT);
        Validate.value("retrainingPolicy", orEmpty(g.retrainingPolicy()), Validate.MAX_TEXT);
        Validate.value("approverRole", orEmpty(g.approverRole()), Validate.MAX_NAME);
        return new Governance(blankToNull(g.businessOwner()), blankToNull(g.technicalOwner()),
                blankToNull(g.intendedUse()), blankToNull(g.serviceLevel()), blankToNull(g.retrainingPolicy()),
                blankToNull(g.approverRole()), g.confidentiality(), g.codeShareable());
    }

    /** The governance record as audit data (null values included, so a cleared field shows). */
    public static Map<String, Object> governanceJson(Governance g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("business_owner", g.businessOwner());
        m.put("technical_owner", g.technicalOwner());
        m.put("intended_use", g.intendedUse());
        m.put("service_level", g.serviceLevel());
        m.put("retraining_policy", g.retrainingPolicy());
        m.put("approver_role", g.approverRole());
        m.put("confidentiality", g.confidentiality() == null ? null : g.confidentiality().name());
        m.put("code_shareable", g.codeShareable());
        return m;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String subject(String modelName, int version) {
        return "model:" + modelName + "/" + version;
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("model " + name + " does not exist");
    }
}
