package dev.mlops.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Created;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.CreatedWire;
import dev.mlops.internal.wire.DatasetWire;
import dev.mlops.internal.wire.LineageWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.PageWire;
import dev.mlops.internal.wire.PolicyWire;
import dev.mlops.internal.wire.ProfileWire;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.server.Router.Access;
import dev.mlops.server.Router.Call;
import dev.mlops.server.Router.Reply;
import dev.mlops.server.Router.Route;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The routes of the protocol (docs/protocol.md): one resource per SPI concept, each calling one
 * {@link MetadataStore} method with the arguments decoded from the path, the query and the JSON body, and encoding
 * its result. A request body's members are named in snake case after the SPI method's parameters; unknown members
 * are refused.
 */
final class StoreRoutes {
    private final MetadataStore store;
    private final List<Route> routes = new ArrayList<>();

    private final ArtifactStore artifacts;

    private StoreRoutes(MetadataStore store, ArtifactStore artifacts) {
        this.store = store;
        this.artifacts = artifacts;
    }

    /** The routes of {@code store}, and of {@code artifacts} unless it is null. */
    static List<Route> routes(MetadataStore store, ArtifactStore artifacts) {
        StoreRoutes r = new StoreRoutes(store, artifacts);
        if (artifacts != null) {
            r.artifacts();
        }
        r.health();
        r.runs();
        r.datasets();
        r.registry();
        r.profiles();
        r.policies();
        r.lineage();
        r.audit();
        r.routes.replaceAll(route -> route.withQuery(QUERY.getOrDefault(route.method() + " " + route.template(),
                Set.of())));
        return List.copyOf(r.routes);
    }

    private static final Set<String> PAGE = Set.of("page_size", "page_token");

    /** The query parameters of the routes that take any ({@code METHOD template}); the others take none. */
    private static final Map<String, Set<String>> QUERY = Map.ofEntries(
            Map.entry("GET /runs/{runId}/metrics/{key}", PAGE),
            Map.entry("GET /datasets", with(PAGE, "name")),
            Map.entry("GET /profile", Set.of("subject", "key")),
            Map.entry("GET /drift-report", Set.of("subject", "key")),
            Map.entry("GET /policy-state", Set.of("policy", "model")),
            Map.entry("GET /policy-states", PAGE),
            Map.entry("GET /policy-decision", Set.of("policy", "model", "window_id")),
            Map.entry("GET /policy-decisions", with(PAGE, "policy", "model")),
            Map.entry("GET /retraining-requests", with(PAGE, "policy", "model", "status")),
            Map.entry("POST /artifacts", Set.of("expected_digest")),
            Map.entry("GET /audit/events", Set.of("after_seq", "limit")));

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> all = new java.util.HashSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    /**
     * Adds a route that is not about one model: reads (GET, and the searches and lineage queries sent as POST) need
     * READ on all models, other writes WRITE on all models.
     */
    private void add(String method, String template, Router.Endpoint endpoint) {
        boolean read = method.equals("GET") || template.endsWith("/search") || template.equals("/lineage/edges");
        add(method, template, Access.all(read ? Permission.READ : Permission.WRITE), endpoint);
    }

    private void add(String method, String template, Access access, Router.Endpoint endpoint) {
        routes.add(new Route(method, template, access, false, endpoint));
    }

    /** {@code permission} on the model named by the path parameter {@code name}. */
    private static Access onModel(Permission permission) {
        return Access.onPathModel(permission, "name");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** The body's members, refusing any not in {@code known}. */
    private static Wire.Fields body(Call call, String... known) {
        return Wire.fields(call.body(), "", known);
    }

    /**
     * The page request of a listing's query: {@code page_size} (default 100) and {@code page_token}.
     *
     * @throws InvalidArgumentException (field {@code page_size}) when the size is not an integer from 1 to 10,000
     */
    static PageRequest page(Call call) {
        String size = call.query("page_size");
        int pageSize = size == null ? PageRequest.DEFAULT_PAGE_SIZE : boundedInt("page_size", size);
        return new PageRequest(pageSize, call.query("page_token"));
    }

    /**
     * {@code text} as an integer from 1 to {@link PageRequest#MAX_PAGE_SIZE}, the bound of every listing.
     *
     * @throws InvalidArgumentException naming {@code name} otherwise (the value only when it is an integer)
     */
    static int boundedInt(String name, String text) {
        String expected = name + " must be an integer between 1 and " + PageRequest.MAX_PAGE_SIZE;
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name, expected);
        }
        if (value < 1 || value > PageRequest.MAX_PAGE_SIZE) {
            throw new InvalidArgumentException(name, expected + ", was " + value);
        }
        return (int) value;
    }

    /** A query parameter that must be present. */
    static String required(Call call, String name) {
        String v = call.query(name);
        if (v == null) {
            throw new InvalidArgumentException(name, "the query parameter " + name + " is required");
        }
        return v;
    }

    static long longQuery(Call call, String name, long defaultValue) {
        String v = call.query(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name, name + " must be an integer");
        }
    }

    static int intPath(Call call, String name) {
        try {
            return Integer.parseInt(call.path(name));
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name, name + " must be an integer");
        }
    }

    private static <T> Reply created(Created<T> created, Function<? super T, ? extends JsonNode> writer) {
        ObjectNode body = CreatedWire.write(created, writer);
        return created.created() ? Reply.created(body) : Reply.ok(body);
    }

    private static <T> ObjectNode items(List<T> items, Function<? super T, ? extends JsonNode> writer) {
        ObjectNode node = Wire.object();
        node.set("items", Wire.arrayOf(items, writer));
        return node;
    }

    // ---- routes ---------------------------------------------------------------------------------------------------

    private void health() {
        add("GET", "/health", null, call -> {
            ObjectNode body = Wire.object();
            body.put("status", "ok");
            return Reply.ok(body);
        });
    }

    private void runs() {
        add("POST", "/runs", call -> {
            Wire.Fields f = body(call, "run", "audit");
            return created(store.createRun(f.object("run", RunWire::readNewRun),
                    f.object("audit", AuditWire::readPending)), RunWire::write);
        });
        add("GET", "/runs/{runId}", call -> store.getRun(call.path("runId"))
                .map(run -> Reply.ok(RunWire.write(run)))
                .orElseThrow(() -> new NotFoundException("no run " + call.path("runId"))));
        add("POST", "/runs/search", call -> {
            Wire.Fields f = body(call, "query", "page");
            return Reply.ok(PageWire.write(store.searchRuns(f.object("query", RunWire::readQuery),
                    f.object("page", PageWire::readRequest)), RunWire::write));
        });
        add("POST", "/runs/{runId}/finish", call -> {
            Wire.Fields f = body(call, "status", "end_time", "error", "audit");
            return Reply.ok(RunWire.write(store.finishRun(call.path("runId"), f.object("status",
                    RunWire::readStatus), f.instant("end_time"), f.optString("error"),
                    f.object("audit", AuditWire::readPending))));
        });
        add("PUT", "/runs/{runId}/heartbeat", call -> {
            Wire.Fields f = body(call, "at");
            store.heartbeat(call.path("runId"), f.instant("at"));
            return Reply.noContent();
        });
        add("POST", "/runs/{runId}/params", call -> {
            Wire.Fields f = body(call, "params", "audit");
            store.logParams(call.path("runId"), f.object("params", Wire::readStringMap),
                    f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("POST", "/runs/{runId}/tags", call -> {
            Wire.Fields f = body(call, "tags", "audit");
            store.setTags(call.path("runId"), f.object("tags", Wire::readStringMap),
                    f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("POST", "/runs/{runId}/metrics", call -> {
            Wire.Fields f = body(call, "points", "audit");
            store.logMetrics(call.path("runId"), f.required("points", MetricBatchWire::read, "an object of metric"
                    + " columns"), f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("GET", "/runs/{runId}/metrics/{key}", call -> Reply.ok(PageWire.write(
                store.metricHistory(call.path("runId"), call.path("key"), page(call)), RunWire::write)));
        add("POST", "/runs/{runId}/links", call -> {
            Wire.Fields f = body(call, "links", "audit");
            store.addLinks(call.path("runId"), f.requiredList("links", RunWire::readLink),
                    f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
    }

    private void datasets() {
        add("POST", "/datasets", call -> {
            Wire.Fields f = body(call, "dataset", "audit");
            return created(store.registerDataset(f.object("dataset", DatasetWire::read),
                    f.object("audit", AuditWire::readPending)), DatasetWire::write);
        });
        add("GET", "/datasets/{name}/versions/{version}", call -> Reply.ok(DatasetWire.write(
                store.getDataset(call.path("name"), call.path("version")).orElseThrow(() -> new NotFoundException(
                        "no dataset version " + call.path("name") + "@" + call.path("version"))))));
        add("GET", "/datasets", call -> Reply.ok(PageWire.write(store.listDatasets(call.query("name"), page(call)),
                DatasetWire::write)));
    }

    private void registry() {
        add("POST", "/models", Access.onBodyModel(Permission.WRITE, call -> {
            JsonNode name = call.body().path("model").path("name");
            return name.isTextual() ? name.textValue() : AccessPolicy.ALL_MODELS;
        }), call -> {
            Wire.Fields f = body(call, "model", "audit");
            return created(store.createModel(f.object("model", RegistryWire::readNewModel),
                    f.object("audit", AuditWire::readPending)), RegistryWire::write);
        });
        add("GET", "/models/{name}", onModel(Permission.READ), call -> Reply.ok(RegistryWire.write(store.getModel(call.path("name"))
                .orElseThrow(() -> new NotFoundException("no model " + call.path("name"))))));
        add("POST", "/models/search", call -> {
            Wire.Fields f = body(call, "query", "page");
            return Reply.ok(PageWire.write(store.searchModels(f.object("query", RegistryWire::readModelQuery),
                    f.object("page", PageWire::readRequest)), RegistryWire::write));
        });
        add("PATCH", "/models/{name}", onModel(Permission.WRITE), call -> {
            Wire.Fields f = body(call, "update", "audit");
            return Reply.ok(RegistryWire.write(store.updateModel(call.path("name"),
                    f.object("update", RegistryWire::readUpdate), f.object("audit", AuditWire::readPending))));
        });
        add("POST", "/models/{name}/versions", onModel(Permission.WRITE), call -> {
            Wire.Fields f = body(call, "version", "audit");
            NewModelVersion version = f.object("version", RegistryWire::readNewVersion);
            if (!version.modelName().equals(call.path("name"))) {
                throw new InvalidArgumentException("version.model_name", "the version's model_name must be the"
                        + " model of the path");
            }
            return created(store.createModelVersion(version, f.object("audit", AuditWire::readPending)),
                    RegistryWire::write);
        });
        add("GET", "/models/{name}/versions/{version}", onModel(Permission.READ), call -> Reply.ok(RegistryWire.write(store.getModelVersion(
                call.path("name"), intPath(call, "version")).orElseThrow(() -> new NotFoundException(
                        "no model version " + call.path("name") + " " + call.path("version"))))));
        add("POST", "/versions/search", Access.onBodyModel(Permission.READ, call -> {
            // A search filtered to one model reads that model only: a grant on it suffices.
            JsonNode model = call.body().path("query").path("model");
            return model.isTextual() ? model.textValue() : AccessPolicy.ALL_MODELS;
        }), call -> {
            Wire.Fields f = body(call, "query", "page");
            return Reply.ok(PageWire.write(store.searchModelVersions(f.object("query",
                    RegistryWire::readVersionQuery), f.object("page", PageWire::readRequest)), RegistryWire::write));
        });
        add("POST", "/models/{name}/versions/{version}/finish", onModel(Permission.WRITE), call -> {
            Wire.Fields f = body(call, "status", "artifact", "message", "time", "audit");
            VersionStatus status = f.object("status", RegistryWire::readVersionStatus);
            ArtifactRef artifact = f.optObject("artifact", RegistryWire::readArtifact);
            if (artifacts != null && status == VersionStatus.READY && artifact != null) {
                artifact = storedArtifact(artifact);
            }
            return Reply.ok(RegistryWire.write(store.finishModelVersion(call.path("name"), intPath(call, "version"),
                    status, artifact, f.optString("message"), f.instant("time"),
                    f.object("audit", AuditWire::readPending))));
        });
        add("PATCH", "/models/{name}/versions/{version}", onModel(Permission.WRITE), call -> {
            Wire.Fields f = body(call, "update", "audit");
            return Reply.ok(RegistryWire.write(store.updateModelVersion(call.path("name"), intPath(call, "version"),
                    f.object("update", RegistryWire::readUpdate), f.object("audit", AuditWire::readPending))));
        });
        add("POST", "/models/{name}/versions/{version}/approval", onModel(Permission.APPROVE), call -> {
            Wire.Fields f = body(call, "decision", "audit");
            return Reply.ok(RegistryWire.write(store.decideApproval(call.path("name"), intPath(call, "version"),
                    f.object("decision", RegistryWire::readApproval), f.object("audit", AuditWire::readPending))));
        });
        add("DELETE", "/models/{name}/versions/{version}", onModel(Permission.ADMIN), call -> {
            Wire.Fields f = body(call, "audit");
            store.deleteModelVersion(call.path("name"), intPath(call, "version"),
                    f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("PUT", "/models/{name}/aliases/{alias}", onModel(Permission.MOVE_ALIAS), call -> {
            Wire.Fields f = body(call, "version", "expected_current", "time", "audit");
            if (call.body().path("audit").isArray()) {
                // Several events (a promotion verdict and the move): stored with the move in one transaction.
                return Reply.ok(RegistryWire.write(store.setAlias(call.path("name"), call.path("alias"),
                        f.intValue("version"), f.optInt("expected_current"), f.instant("time"),
                        f.requiredList("audit", AuditWire::readPending))));
            }
            return Reply.ok(RegistryWire.write(store.setAlias(call.path("name"), call.path("alias"),
                    f.intValue("version"), f.optInt("expected_current"), f.instant("time"),
                    f.object("audit", AuditWire::readPending))));
        });
        add("POST", "/models/{name}/aliases/{alias}/verdict", onModel(Permission.MOVE_ALIAS), call -> {
            // A promotion verdict recorded at most once per (model, alias, candidate), with the move when asked.
            Wire.Fields f = body(call, "candidate", "move", "expected_current", "time", "audit");
            ObjectNode reply = Wire.object();
            store.recordPromotionVerdict(call.path("name"), call.path("alias"), f.intValue("candidate"),
                    f.bool("move"), f.optInt("expected_current"), f.instant("time"),
                    f.requiredList("audit", AuditWire::readPending))
                    .ifPresent(recorded -> reply.set("recorded", AuditWire.write(recorded)));
            return Reply.ok(reply);
        });
        add("DELETE", "/models/{name}/aliases/{alias}", onModel(Permission.MOVE_ALIAS), call -> {
            Wire.Fields f = body(call, "expected_current", "time", "audit");
            return Reply.ok(RegistryWire.write(store.deleteAlias(call.path("name"), call.path("alias"),
                    f.intValue("expected_current"), f.instant("time"), f.object("audit", AuditWire::readPending))));
        });
    }

    /**
     * The artifact a version is finished {@code READY} with. When this server's artifact store holds its digest, the
     * store's reference (its URI, not the one the client sent), after checking the size; otherwise the client's
     * reference as sent: bytes kept in an artifact store of the client's own (the CLI's {@code --artifacts}), which
     * the server cannot check. The store then checks, as without an artifact store, that its digest is the version's
     * declared one.
     *
     * @throws InvalidArgumentException (field {@code artifact}) when the store holds the digest with another size
     */
    private ArtifactRef storedArtifact(ArtifactRef sent) {
        Optional<ArtifactRef> held = artifacts.stat(sent.digest());
        if (held.isEmpty()) {
            return sent;
        }
        ArtifactRef stored = held.get();
        if (stored.sizeBytes() != sent.sizeBytes()) {
            throw new InvalidArgumentException("artifact", "the artifact " + sent.digest() + " has "
                    + stored.sizeBytes() + " bytes in the server's artifact store, not " + sent.sizeBytes());
        }
        return stored;
    }

    private void profiles() {
        add("POST", "/profiles", call -> {
            Wire.Fields f = body(call, "profile", "audit");
            return created(store.saveProfile(f.object("profile", ProfileWire::readProfile),
                    f.object("audit", AuditWire::readPending)), ProfileWire::write);
        });
        add("GET", "/profiles/{id}", call -> Reply.ok(ProfileWire.write(store.getProfile(call.path("id"))
                .orElseThrow(() -> new NotFoundException("no profile " + call.path("id"))))));
        add("GET", "/profile", call -> Reply.ok(ProfileWire.write(store.findProfile(required(call, "subject"),
                required(call, "key")).orElseThrow(() -> new NotFoundException("no profile under that subject and key")))));
        add("POST", "/profiles/search", call -> {
            Wire.Fields f = body(call, "query", "page");
            return Reply.ok(PageWire.write(store.searchProfiles(f.object("query", ProfileWire::readQuery),
                    f.object("page", PageWire::readRequest)), ProfileWire::write));
        });
        add("POST", "/drift-reports", call -> {
            Wire.Fields f = body(call, "report", "audit");
            return created(store.saveDriftReport(f.object("report", ProfileWire::readDriftReport),
                    f.object("audit", AuditWire::readPending)), ProfileWire::write);
        });
        add("GET", "/drift-reports/{id}", call -> Reply.ok(ProfileWire.write(store.getDriftReport(call.path("id"))
                .orElseThrow(() -> new NotFoundException("no drift report " + call.path("id"))))));
        add("GET", "/drift-report", call -> Reply.ok(ProfileWire.write(store.findDriftReport(required(call, "subject"),
                required(call, "key")).orElseThrow(() -> new NotFoundException(
                        "no drift report under that subject and key")))));
        add("POST", "/drift-reports/search", call -> {
            Wire.Fields f = body(call, "query", "page");
            return Reply.ok(PageWire.write(store.searchDriftReports(f.object("query", ProfileWire::readQuery),
                    f.object("page", PageWire::readRequest)), ProfileWire::write));
        });
    }

    private void policies() {
        add("GET", "/policy-state", call -> Reply.ok(PolicyWire.write(store.getPolicyState(required(call, "policy"),
                required(call, "model")).orElseThrow(() -> new NotFoundException("no state of that policy and model")))));
        add("POST", "/policy-states", call -> {
            Wire.Fields f = body(call, "state", "expected_version", "decisions", "audit");
            store.savePolicyState(f.object("state", PolicyWire::readState), f.longValue("expected_version"),
                    f.requiredList("decisions", PolicyWire::readDecision),
                    f.requiredList("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("GET", "/policy-states", call -> Reply.ok(PageWire.write(store.listPolicyStates(page(call)),
                PolicyWire::write)));
        add("GET", "/policy-decision", call -> Reply.ok(PolicyWire.write(store.findPolicyDecision(
                required(call, "policy"), required(call, "model"), required(call, "window_id")).orElseThrow(
                        () -> new NotFoundException("no decision of that policy, model and window")))));
        add("GET", "/policy-decisions", call -> Reply.ok(PageWire.write(store.listPolicyDecisions(
                call.query("policy"), call.query("model"), page(call)), PolicyWire::write)));
        add("POST", "/retraining-requests", call -> {
            Wire.Fields f = body(call, "request", "audit");
            return created(store.createRetrainingRequest(f.object("request", PolicyWire::readRequest),
                    f.object("audit", AuditWire::readPending)), PolicyWire::write);
        });
        add("POST", "/retraining-requests/update", call -> {
            Wire.Fields f = body(call, "next", "expected_status", "expected_attempt", "audit");
            return Reply.ok(PolicyWire.write(store.updateRetrainingRequest(f.object("next", PolicyWire::readRequest),
                    f.optString("expected_status"), f.intValue("expected_attempt"),
                    f.object("audit", AuditWire::readPending))));
        });
        add("GET", "/retraining-requests/{key}", call -> Reply.ok(PolicyWire.write(store.getRetrainingRequest(
                call.path("key")).orElseThrow(() -> new NotFoundException("no retraining request "
                        + call.path("key"))))));
        add("GET", "/retraining-requests", call -> Reply.ok(PageWire.write(store.listRetrainingRequests(
                call.query("policy"), call.query("model"), new LinkedHashSet<>(call.queryAll("status")), page(call)),
                PolicyWire::write)));
    }

    private void artifacts() {
        routes.add(new Route("POST", "/artifacts", Access.anyModel(Permission.WRITE), true, this::upload));
        add("GET", "/artifacts/{digest}/stat", call -> Reply.ok(RegistryWire.write(artifacts.stat(
                call.path("digest")).orElseThrow(() -> new NotFoundException("no artifact " + call.path("digest"))))));
        add("GET", "/artifacts/{digest}", call -> {
            String digest = call.path("digest");
            ArtifactRef ref = artifacts.stat(digest)
                    .orElseThrow(() -> new NotFoundException("no artifact " + digest));
            InputStream in = artifacts.open(digest);
            return Reply.stream(new Router.Streamed() {
                @Override
                public long length() {
                    return ref.sizeBytes();
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    try (in) {
                        in.transferTo(out);
                    }
                }
            }, Map.of("X-Artifact-Digest", ref.digest()));
        });
    }

    /**
     * Stores an upload. Bytes that do not match the {@code expected_digest} the request gave are the request's
     * fault, not the server's: 400 {@code INVALID_ARGUMENT} with field {@code expectedDigest} (so audited as a
     * refusal on a server with tokens), never the store's 500 {@code INTEGRITY}; the store keeps nothing of them.
     */
    private Reply upload(Call call) {
        String expected = call.query("expected_digest");
        HashingInputStream in = new HashingInputStream(call.stream());
        try {
            return Reply.ok(RegistryWire.write(artifacts.put(in, expected)));
        } catch (IntegrityException e) {
            String actual = expected != null && in.ended() ? in.digest() : null;
            if (actual != null && !actual.equals(expected)) {
                throw new InvalidArgumentException("expectedDigest", "the uploaded bytes do not match expected_digest "
                        + expected + " (their digest is " + actual + "); nothing was stored");
            }
            throw e;
        }
    }

    /** Hashes what is read through it (SHA-256) and notes whether its end was reached. */
    private static final class HashingInputStream extends FilterInputStream {
        private final MessageDigest sha256;
        private boolean ended;

        HashingInputStream(InputStream in) {
            super(in);
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                ended = true;
            } else {
                sha256.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                ended = true;
            } else {
                sha256.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("an upload is hashed as it is read: skipping is not supported");
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        boolean ended() {
            return ended;
        }

        /** {@code sha256:HEX} of what was read; call once, after the end. */
        String digest() {
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        }
    }

    private void lineage() {
        add("POST", "/lineage/edges", call -> {
            Wire.Fields f = body(call, "nodes", "direction");
            return Reply.ok(items(store.lineageEdges(f.requiredList("nodes", LineageWire::readNode),
                    f.object("direction", LineageWire::readDirection)), LineageWire::write));
        });
    }

    private void audit() {
        add("POST", "/audit/events", call -> {
            Wire.Fields f = body(call, "audit");
            store.appendAuditEvent(f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("GET", "/audit/events", call -> {
            long after = longQuery(call, "after_seq", 0);
            String limitText = call.query("limit");
            int limit = limitText == null ? 100 : boundedInt("limit", limitText);
            return Reply.ok(items(store.auditEvents(after, limit), AuditWire::write));
        });
        add("GET", "/audit/head", call -> Reply.ok(AuditWire.write(store.auditHead()
                .orElseThrow(() -> new NotFoundException("the audit trail is empty")))));
        add("POST", "/audit/events/{seq}/erase", Access.all(Permission.ADMIN), call -> {
            long seq;
            try {
                seq = Long.parseLong(call.path("seq"));
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("seq", "seq must be an integer");
            }
            Wire.Fields f = body(call, "audit");
            return Reply.ok(AuditWire.write(store.eraseAuditData(seq, f.object("audit", AuditWire::readPending))));
        });
        add("POST", "/audit/checkpoints", Access.all(Permission.ADMIN), call -> {
            Wire.Fields f = body(call, "checkpoint", "audit");
            store.addCheckpoint(f.object("checkpoint", AuditWire::readCheckpoint),
                    f.object("audit", AuditWire::readPending));
            return Reply.noContent();
        });
        add("GET", "/audit/checkpoints", call -> Reply.ok(items(store.checkpoints(), AuditWire::write)));
    }
}
