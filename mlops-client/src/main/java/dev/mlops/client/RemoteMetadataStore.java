package dev.mlops.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.wire.CreatedWire;
import dev.mlops.internal.wire.DatasetWire;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.internal.wire.LineageWire;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.internal.wire.PageWire;
import dev.mlops.internal.wire.PolicyWire;
import dev.mlops.internal.wire.ProfileWire;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * A {@link MetadataStore} on a remote mlops server (see {@code MlopsServer} and docs/protocol.md): every call is one
 * HTTP request. Reads, PUT-like writes and creates (whose body carries their idempotency key: a run's id, a dataset's
 * name and digest, a model version's idempotency key) are retried with exponential backoff and jitter after a
 * transport failure, a 429 or a 5xx; other writes are sent exactly once. A retried create returns the stored entity
 * and never creates twice; its {@link Created#created()} then says whether the last attempt created it.
 *
 * <p>Errors the server reports come back as the same {@link dev.mlops.MlopsException} subclass, with the code,
 * message and field; transport failures and unreadable replies are {@link StorageException}s. After
 * {@link #close()} every method but {@code close} and {@code describe} fails with {@link StorageException}; closing
 * leaves the {@link OkHttpClient} (shared, or the caller's) open.
 *
 * <p>Thread-safe: meant to be shared.
 */
public final class RemoteMetadataStore implements MetadataStore {
    private final HttpUrl base;
    private final Transport transport;
    private volatile boolean closed;

    private RemoteMetadataStore(Builder b) {
        this.base = b.base;
        OkHttpClient client = HttpClients.configure(b.client == null ? HttpClients.shared() : b.client,
                new HttpClients.Settings(b.connectTimeout, b.readTimeout, b.writeTimeout, b.callTimeout,
                        b.maxRetries, b.retryBaseDelay, b.retryMaxDelay, Thread::sleep, b.token));
        this.transport = new Transport(base, client, Wire.mapper());
    }

    /**
     * A builder for the server at {@code baseUri} ({@code http://host:port} or {@code https://...}, optionally with
     * a path prefix under which {@code /api/v1} is served; a URI that ends in {@code /api/v1}, as the server prints
     * it, names the same server).
     *
     * @throws InvalidArgumentException (field {@code store}) when the URI is not an http or https URL
     */
    public static Builder builder(String baseUri) {
        return new Builder(baseUri);
    }

    @Override
    public String describe() {
        return "remote store at " + StoreResolver.redact(base.newBuilder().username("").password("").query(null)
                .build().toString());
    }

    private Transport.Call call(String method, String... segments) {
        if (closed) {
            throw new StorageException(describe() + " is closed", null);
        }
        return transport.call(method, segments);
    }

    private static String p(String field, String value) {
        return Transport.param(field, value);
    }

    /** Reads a reply; a reply the codecs refuse is the server's fault, so a StorageException. */
    private <T> T read(JsonNode node, Wire.Reader<T> reader) {
        if (node == null) {
            throw new StorageException(describe() + " sent an empty reply where a value was expected", null);
        }
        try {
            return reader.read(node, "");
        } catch (InvalidArgumentException e) {
            throw new StorageException(describe() + " sent a reply this client cannot read: " + e.getMessage(), e);
        }
    }

    private static ObjectNode with(PendingAuditEvent audit) {
        ObjectNode body = Wire.object();
        body.set("audit", AuditWire.write(Objects.requireNonNull(audit, "audit")));
        return body;
    }

    private static Map<String, Object> pageQuery(PageRequest page) {
        Objects.requireNonNull(page, "page");
        return page.pageToken() == null ? Map.of("page_size", page.pageSize())
                : Map.of("page_size", page.pageSize(), "page_token", page.pageToken());
    }

    private static Transport.Call paged(Transport.Call call, PageRequest page) {
        pageQuery(page).forEach(call::query);
        return call;
    }

    // ---- the shapes most calls share --------------------------------------------------------------------------------

    /**
     * A collection of entities the protocol serves under {@code /api/v1/{route}}, with its codec:
     * {@code POST /{route}} creates one (the new entity in the body field {@code field}, beside {@code audit}),
     * {@code GET /{route}/{id...}} reads one, {@code GET /{findRoute}?subject=&key=} finds one by subject and key, and
     * {@code POST /{route}/search} searches ({@code {"query": writeQuery(q), "page": ...}}). {@code findRoute} and
     * {@code writeQuery} are null where the collection has no such route.
     *
     * @param <N> what a create sends
     * @param <T> what the server stores and returns
     * @param <Q> the search query
     */
    private record Resource<N, T, Q>(String route, String findRoute, String field, Function<N, ObjectNode> write,
            Wire.Reader<T> read, Function<Q, ObjectNode> writeQuery) {
    }

    private static final Resource<NewRun, Run, RunQuery> RUNS =
            new Resource<>("runs", null, "run", RunWire::write, RunWire::readRun, RunWire::write);
    private static final Resource<DatasetVersion, DatasetVersion, Void> DATASETS =
            new Resource<>("datasets", null, "dataset", DatasetWire::write, DatasetWire::read, null);
    private static final Resource<NewModel, RegisteredModel, ModelQuery> MODELS =
            new Resource<>("models", null, "model", RegistryWire::write, RegistryWire::readModel, RegistryWire::write);
    /** Searched under {@code /versions}; created and read under their model, {@code /models/{name}/versions}. */
    private static final Resource<NewModelVersion, ModelVersion, VersionQuery> VERSIONS = new Resource<>("versions",
            null, "version", RegistryWire::write, RegistryWire::readVersion, RegistryWire::write);
    private static final Resource<ProfileEntry, ProfileEntry, ProfileQuery> PROFILES = new Resource<>("profiles",
            "profile", "profile", ProfileWire::write, ProfileWire::readProfile, ProfileWire::write);
    private static final Resource<DriftReportEntry, DriftReportEntry, ProfileQuery> DRIFT_REPORTS =
            new Resource<>("drift-reports", "drift-report", "report", ProfileWire::write, ProfileWire::readDriftReport,
                    ProfileWire::write);
    private static final Resource<RetrainingRequestEntry, RetrainingRequestEntry, Void> RETRAINING_REQUESTS =
            new Resource<>("retraining-requests", null, "request", PolicyWire::write, PolicyWire::readRequest, null);

    /** Creates {@code entity} with {@code POST /{route}}; retried, as its body carries its idempotency key. */
    private <N, T> Created<T> create(Resource<N, T, ?> r, N entity, PendingAuditEvent audit) {
        return create(call("POST", r.route()), r, entity, audit, true);
    }

    /** Sends the create {@code c} of {@code entity}; retried only when {@code keyed} (the body carries its key). */
    private <N, T> Created<T> create(Transport.Call c, Resource<N, T, ?> r, N entity, PendingAuditEvent audit,
            boolean keyed) {
        ObjectNode body = with(audit);
        body.set(r.field(), r.write().apply(Objects.requireNonNull(entity, r.field())));
        c.body(body);
        if (keyed) {
            c.retryable();
        }
        return read(c.send(), (n, path) -> CreatedWire.read(n, path, r.read()));
    }

    /** Reads one entity with {@code GET /{route}/{path...}}: empty when the server answers 404 NOT_FOUND. */
    private <T> Optional<T> get(Resource<?, T, ?> r, String... path) {
        String[] segments = new String[path.length + 1];
        segments[0] = r.route();
        System.arraycopy(path, 0, segments, 1, path.length);
        return one(call("GET", segments), r.read());
    }

    /** Finds one entity by subject and key with {@code GET /{findRoute}?subject=&key=}. */
    private <T> Optional<T> find(Resource<?, T, ?> r, String subject, String key) {
        return one(call("GET", r.findRoute()).query("subject", subject).query("key", key), r.read());
    }

    /** Searches with {@code POST /{route}/search}; retried (a search changes nothing). */
    private <T, Q> Page<T> search(Resource<?, T, Q> r, Q query, PageRequest page) {
        Transport.Call c = call("POST", r.route(), "search");
        ObjectNode body = Wire.object();
        body.set("query", r.writeQuery().apply(Objects.requireNonNull(query, "query")));
        body.set("page", PageWire.write(Objects.requireNonNull(page, "page")));
        return read(c.body(body).retryable().send(), (n, path) -> PageWire.read(n, path, r.read()));
    }

    /** Sends the read of one entity {@code c}, retried: empty when the server answers 404 NOT_FOUND. */
    private <T> Optional<T> one(Transport.Call c, Wire.Reader<T> reader) {
        return c.retryable().sendOptional().map(n -> read(n, reader));
    }

    /** Sends the listing {@code c} (its filter in the query) for {@code page}, retried. */
    private <T> Page<T> list(Transport.Call c, PageRequest page, Wire.Reader<T> reader) {
        return read(paged(c, page).retryable().send(), (n, path) -> PageWire.read(n, path, reader));
    }

    // ---- runs -------------------------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        return create(RUNS, run, audit);
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return get(RUNS, p("runId", runId));
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        return search(RUNS, query, page);
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "runs", p("runId", runId), "finish");
        ObjectNode body = with(audit);
        body.set("status", RunWire.write(Objects.requireNonNull(status, "status")));
        body.put("end_time", Wire.instantText(Objects.requireNonNull(endTime, "endTime")));
        if (error != null) {
            body.put("error", error);
        }
        return read(c.body(body).send(), RunWire::readRun);
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        Transport.Call c = call("PUT", "runs", p("runId", runId), "heartbeat");
        ObjectNode body = Wire.object();
        body.put("at", Wire.instantText(Objects.requireNonNull(at, "at")));
        c.body(body).retryable().send();
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "runs", p("runId", runId), "params");
        ObjectNode body = with(audit);
        body.set("params", Wire.stringMapNode(Objects.requireNonNull(params, "params")));
        c.body(body).send();
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "runs", p("runId", runId), "tags");
        ObjectNode body = with(audit);
        body.set("tags", Wire.stringMapNode(Objects.requireNonNull(tags, "tags")));
        c.body(body).send();
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "runs", p("runId", runId), "metrics");
        ObjectNode body = with(audit);
        body.set("points", MetricBatchWire.write(Objects.requireNonNull(points, "points")));
        c.body(body).send();
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        return list(call("GET", "runs", p("runId", runId), "metrics", p("key", key)), page, RunWire::readMetricPoint);
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "runs", p("runId", runId), "links");
        ObjectNode body = with(audit);
        body.set("links", Wire.arrayOf(Objects.requireNonNull(links, "links"), RunWire::write));
        c.body(body).send();
    }

    // ---- datasets ---------------------------------------------------------------------------------------------------

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        return create(DATASETS, Objects.requireNonNull(version, "version"), audit);
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        return get(DATASETS, p("name", name), "versions", p("version", version));
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        return list(call("GET", "datasets").query("name", name), page, DATASETS.read());
    }

    // ---- model registry ---------------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        return create(MODELS, model, audit);
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return get(MODELS, p("name", name));
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        return search(MODELS, query, page);
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        Transport.Call c = call("PATCH", "models", p("name", name));
        ObjectNode body = with(audit);
        body.set("update", RegistryWire.write(Objects.requireNonNull(update, "update")));
        return read(c.body(body).send(), RegistryWire::readModel);
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        Objects.requireNonNull(version, "version");
        return create(call("POST", "models", p("modelName", version.modelName()), "versions"), VERSIONS, version, audit,
                version.idempotencyKey() != null);
    }

    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        return one(call("GET", "models", p("name", name), "versions", Integer.toString(version)), VERSIONS.read());
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        return search(VERSIONS, query, page);
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "models", p("name", name), "versions", Integer.toString(version), "finish");
        ObjectNode body = with(audit);
        body.set("status", RegistryWire.write(Objects.requireNonNull(status, "status")));
        if (artifact != null) {
            body.set("artifact", RegistryWire.write(artifact));
        }
        if (message != null) {
            body.put("message", message);
        }
        body.put("time", Wire.instantText(Objects.requireNonNull(time, "time")));
        return read(c.body(body).send(), RegistryWire::readVersion);
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        Transport.Call c = call("PATCH", "models", p("name", name), "versions", Integer.toString(version));
        ObjectNode body = with(audit);
        body.set("update", RegistryWire.write(Objects.requireNonNull(update, "update")));
        return read(c.body(body).send(), RegistryWire::readVersion);
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "models", p("name", name), "versions", Integer.toString(version),
                "approval");
        ObjectNode body = with(audit);
        body.set("decision", RegistryWire.write(Objects.requireNonNull(decision, "decision")));
        return read(c.body(body).send(), RegistryWire::readVersion);
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        Transport.Call c = call("PUT", "models", p("name", name), "aliases", p("alias", alias));
        ObjectNode body = with(audit);
        body.put("version", version);
        if (expectedCurrent != null) {
            body.put("expected_current", expectedCurrent.intValue());
        }
        body.put("time", Wire.instantText(Objects.requireNonNull(time, "time")));
        return read(c.body(body).send(), RegistryWire::readAliasChange);
    }

    /**
     * {@code POST /models/{name}/aliases/{alias}/verdict}: the server records the verdict (and the move) in one
     * transaction of its store unless one is recorded, and answers the recorded one under {@code recorded}. Sent
     * once, never retried (a lost reply is {@code STORAGE}; calling again then answers the verdict this call
     * recorded).
     */
    @Override
    public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
        dev.mlops.internal.policy.VerdictJson.checkAudit(name, alias, candidate, audit);
        Transport.Call c = call("POST", "models", p("name", name), "aliases", p("alias", alias), "verdict");
        ObjectNode body = Wire.object();
        body.put("candidate", candidate);
        body.put("move", move);
        if (move && expectedCurrent != null) {
            body.put("expected_current", expectedCurrent.intValue());
        }
        body.put("time", Wire.instantText(Objects.requireNonNull(time, "time")));
        body.set("audit", Wire.arrayOf(audit, AuditWire::write));
        return read(c.body(body).send(), (node, path) -> node.has("recorded")
                ? Optional.of(AuditWire.readEvent(node.get("recorded"), "recorded")) : Optional.empty());
    }

    /**
     * Sends the events as the list {@code audit} of {@code PUT /models/{name}/aliases/{alias}}: the server stores them
     * with the move in one transaction. Sent once, never retried, as the single-event form.
     */
    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        if (audit == null || audit.isEmpty()) {
            throw new InvalidArgumentException("audit", "setting alias '" + alias + "' of model '" + name
                    + "' needs at least one audit event");
        }
        for (int i = 0; i < audit.size(); i++) {
            if (audit.get(i) == null) {
                throw new InvalidArgumentException("audit", "audit[" + i + "] of setting alias '" + alias
                        + "' of model '" + name + "' is null");
            }
        }
        Transport.Call c = call("PUT", "models", p("name", name), "aliases", p("alias", alias));
        ObjectNode body = Wire.object();
        body.set("audit", Wire.arrayOf(audit, AuditWire::write));
        body.put("version", version);
        if (expectedCurrent != null) {
            body.put("expected_current", expectedCurrent.intValue());
        }
        body.put("time", Wire.instantText(Objects.requireNonNull(time, "time")));
        return read(c.body(body).send(), RegistryWire::readAliasChange);
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        Transport.Call c = call("DELETE", "models", p("name", name), "aliases", p("alias", alias));
        ObjectNode body = with(audit);
        body.put("expected_current", expectedCurrent);
        body.put("time", Wire.instantText(Objects.requireNonNull(time, "time")));
        return read(c.body(body).send(), RegistryWire::readAliasChange);
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        Transport.Call c = call("DELETE", "models", p("name", name), "versions", Integer.toString(version));
        c.body(with(audit)).send();
    }

    // ---- profiles and drift reports ---------------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        return create(PROFILES, profile, audit);
    }

    @Override
    public Optional<ProfileEntry> getProfile(String id) {
        return get(PROFILES, p("id", id));
    }

    @Override
    public Optional<ProfileEntry> findProfile(String subject, String key) {
        return find(PROFILES, subject, key);
    }

    @Override
    public Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
        return search(PROFILES, query, page);
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        return create(DRIFT_REPORTS, report, audit);
    }

    @Override
    public Optional<DriftReportEntry> getDriftReport(String id) {
        return get(DRIFT_REPORTS, p("id", id));
    }

    @Override
    public Optional<DriftReportEntry> findDriftReport(String subject, String key) {
        return find(DRIFT_REPORTS, subject, key);
    }

    @Override
    public Page<DriftReportEntry> searchDriftReports(ProfileQuery query, PageRequest page) {
        return search(DRIFT_REPORTS, query, page);
    }

    // ---- retraining policies ----------------------------------------------------------------------------------------

    @Override
    public Optional<PolicyStateEntry> getPolicyState(String policy, String model) {
        return one(call("GET", "policy-state").query("policy", policy).query("model", model), PolicyWire::readState);
    }

    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        Transport.Call c = call("POST", "policy-states");
        ObjectNode body = Wire.object();
        body.set("state", PolicyWire.write(Objects.requireNonNull(state, "state")));
        body.put("expected_version", expectedVersion);
        body.set("decisions", Wire.arrayOf(Objects.requireNonNull(decisions, "decisions"), PolicyWire::write));
        body.set("audit", Wire.arrayOf(Objects.requireNonNull(audit, "audit"), AuditWire::write));
        c.body(body).send();
    }

    @Override
    public Optional<PolicyDecisionEntry> findPolicyDecision(String policy, String model, String windowId) {
        return one(call("GET", "policy-decision").query("policy", policy).query("model", model)
                .query("window_id", windowId), PolicyWire::readDecision);
    }

    @Override
    public Page<PolicyDecisionEntry> listPolicyDecisions(String policy, String model, PageRequest page) {
        return list(call("GET", "policy-decisions").query("policy", policy).query("model", model), page,
                PolicyWire::readDecision);
    }

    @Override
    public Page<PolicyStateEntry> listPolicyStates(PageRequest page) {
        return list(call("GET", "policy-states"), page, PolicyWire::readState);
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        return create(RETRAINING_REQUESTS, request, audit);
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "retraining-requests", "update");
        ObjectNode body = with(audit);
        body.set("next", PolicyWire.write(Objects.requireNonNull(next, "next")));
        if (expectedStatus != null) {
            body.put("expected_status", expectedStatus);
        }
        body.put("expected_attempt", expectedAttempt);
        return read(c.body(body).send(), PolicyWire::readRequest);
    }

    @Override
    public Optional<RetrainingRequestEntry> getRetrainingRequest(String key) {
        return get(RETRAINING_REQUESTS, p("key", key));
    }

    @Override
    public Page<RetrainingRequestEntry> listRetrainingRequests(String policy, String model, Set<String> statuses,
            PageRequest page) {
        Transport.Call c = call("GET", "retraining-requests").query("policy", policy).query("model", model);
        for (String status : Objects.requireNonNull(statuses, "statuses")) {
            c.query("status", status);
        }
        return list(c, page, RETRAINING_REQUESTS.read());
    }

    // ---- lineage ----------------------------------------------------------------------------------------------------

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        Transport.Call c = call("POST", "lineage", "edges");
        ObjectNode body = Wire.object();
        body.set("nodes", Wire.arrayOf(Objects.requireNonNull(nodes, "nodes"), LineageWire::write));
        body.set("direction", LineageWire.write(Objects.requireNonNull(direction, "direction")));
        return read(c.body(body).retryable().send(), (n, path) -> items(n, path, LineageWire::readEdge));
    }

    private static <T> List<T> items(JsonNode node, String path, Wire.Reader<T> reader) {
        return Wire.fields(node, path, "items").requiredList("items", reader);
    }

    // ---- audit ------------------------------------------------------------------------------------------------------

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        Transport.Call c = call("POST", "audit", "events");
        c.body(with(audit)).send();
    }

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        return read(call("GET", "audit", "events").query("after_seq", afterSeq).query("limit", limit).retryable()
                .send(), (n, path) -> items(n, path, AuditWire::readEvent));
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        return one(call("GET", "audit", "head"), AuditWire::readEvent);
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "audit", "events", Long.toString(seq), "erase");
        return read(c.body(with(audit)).send(), AuditWire::readEvent);
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        Transport.Call c = call("POST", "audit", "checkpoints");
        ObjectNode body = with(audit);
        body.set("checkpoint", AuditWire.write(Objects.requireNonNull(checkpoint, "checkpoint")));
        c.body(body).send();
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return read(call("GET", "audit", "checkpoints").retryable().send(),
                (n, path) -> items(n, path, AuditWire::readCheckpoint));
    }

    // ---- artifacts --------------------------------------------------------------------------------------------------

    /**
     * The server's artifact store (a server started with {@code artifacts(...)} or {@code --artifacts}), over this
     * store's HTTP client, token and settings; usable until this store is closed. Give it to
     * {@code Mlops.builder().store(remote).artifactStore(remote.artifactStore())}. Uploads are streamed and sent
     * once (never retried); downloads are streamed, retried until the reply starts, and checked against the digest.
     */
    public ArtifactStore artifactStore() {
        return new RemoteArtifactStore(transport, this::describe, () -> {
            if (closed) {
                throw new StorageException(describe() + " is closed", null);
            }
        });
    }

    // ---- lifecycle --------------------------------------------------------------------------------------------------

    /** Marks the store closed; idempotent. The HTTP client stays open (it is shared, or the caller's). */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Builds a {@link RemoteMetadataStore}; not thread-safe. Errors name the setting and the value. */
    public static final class Builder {
        private final HttpUrl base;
        private OkHttpClient client;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ZERO;
        private int maxRetries = 4;
        private Duration retryBaseDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(5);
        private String token;

        private Builder(String baseUri) {
            HttpUrl url = baseUri == null ? null : HttpUrl.parse(baseUri);
            if (url == null) {
                throw new InvalidArgumentException("store", "a remote store URI must be an http:// or https:// URL,"
                        + " was '" + (baseUri == null ? null : StoreResolver.redact(baseUri)) + "'");
            }
            if (url.query() != null || url.fragment() != null) {
                throw new InvalidArgumentException("store", "a remote store URI takes no query or fragment, was '"
                        + StoreResolver.redact(baseUri) + "'");
            }
            List<String> segments = new java.util.ArrayList<>(url.pathSegments());
            if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
                segments.remove(segments.size() - 1);
            }
            // The server announces itself as http://host:port/api/v1: that URL, copied, names the same server.
            int n = segments.size();
            if (n >= 2 && segments.get(n - 2).equals("api") && segments.get(n - 1).equals("v1")) {
                segments.remove(n - 1);
                segments.remove(n - 2);
            }
            HttpUrl.Builder b = url.newBuilder().encodedPath("/");
            for (String segment : segments) {
                b.addPathSegment(segment);
            }
            this.base = b.build();
        }

        /**
         * The OkHttp client to build on (its connection pool, dispatcher, proxy, TLS and interceptors are kept; the
         * store adds its own interceptors and timeouts to a {@link OkHttpClient#newBuilder() derived} client). By
         * default the library's one shared client.
         */
        public Builder client(OkHttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The bearer token to send ({@code Authorization: Bearer <token>}), for a server started with tokens; none by
         * default. The token is never logged nor shown by {@link #describe()}.
         */
        public Builder token(String token) {
            if (token == null || token.isBlank() || !token.strip().equals(token)) {
                throw new InvalidArgumentException("token", "a token must not be blank nor start or end with white"
                        + " space");
            }
            for (int i = 0; i < token.length(); i++) {
                if (token.charAt(i) < 0x21 || token.charAt(i) > 0x7e) {
                    throw new InvalidArgumentException("token", "a token must be printable ASCII without spaces");
                }
            }
            this.token = token;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = nonNegative("connectTimeout", timeout);
            return this;
        }

        /** The longest wait for the next bytes of a reply; default 30 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = nonNegative("readTimeout", timeout);
            return this;
        }

        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = nonNegative("writeTimeout", timeout);
            return this;
        }

        /** The longest a whole call may take, retries included; zero (the default) for no limit. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = nonNegative("callTimeout", timeout);
            return this;
        }

        /** How often a call that is safe to repeat is retried, 0 to 10; default 4. */
        public Builder maxRetries(int retries) {
            if (retries < 0 || retries > 10) {
                throw new InvalidArgumentException("maxRetries", "maxRetries must be between 0 and 10, was "
                        + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** The first retry's nominal delay, doubled for each further one up to {@code maxDelay}; 100 ms, 5 s. */
        public Builder retryDelays(Duration baseDelay, Duration maxDelay) {
            nonNegative("retryBaseDelay", baseDelay);
            nonNegative("retryMaxDelay", maxDelay);
            if (maxDelay.compareTo(baseDelay) < 0) {
                throw new InvalidArgumentException("retryMaxDelay", "retryMaxDelay (" + maxDelay
                        + ") must not be shorter than retryBaseDelay (" + baseDelay + ")");
            }
            this.retryBaseDelay = baseDelay;
            this.retryMaxDelay = maxDelay;
            return this;
        }

        private static Duration nonNegative(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new InvalidArgumentException(name, name + " must be zero or positive, was " + d);
            }
            return d;
        }

        public RemoteMetadataStore build() {
            return new RemoteMetadataStore(this);
        }
    }
}
