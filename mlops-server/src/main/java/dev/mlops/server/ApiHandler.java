package dev.mlops.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.PermissionDeniedException;
import dev.mlops.ConflictException;
import dev.mlops.internal.registry.AliasGuards;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Principal;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Optional;
import dev.mlops.internal.wire.ErrorWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.server.Router.Call;
import dev.mlops.server.Router.Found;
import dev.mlops.server.Router.MethodNotAllowed;
import dev.mlops.server.Router.Reply;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.OutputStream;
import org.eclipse.jetty.io.Content;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the API: matches the route, reads and parses the JSON body within the size limit, calls the endpoint and
 * writes its reply, or the error body of what went wrong. Logs the method, route template, status and error code of
 * failed requests, never a body, a query or an exception's stack trace. Thread-safe.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    static final String REQUEST_ID = "X-Request-Id";
    private static final Pattern REQUEST_ID_SYNTAX = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String JSON = "application/json";
    private static final String OCTETS = "application/octet-stream";
    /** The statuses of requests refused as invalid, audited on a server with tokens. */
    private static final java.util.Set<Integer> REFUSALS = java.util.Set.of(400, 405, 413, 415);
    /**
     * How long the body of a request refused before it was read is discarded before the refusal goes out anyway,
     * with {@code Connection: close}: 3 s, in milliseconds.
     */
    static final long DISCARD_TIMEOUT_MILLIS = 3_000;
    /** The slowest a JSON request body may arrive on average, after {@link #BODY_GRACE_MILLIS}: 16 KiB/s. */
    static final long MIN_BODY_BYTES_PER_SECOND = 16 * 1024;
    /** The time any JSON request body may take before {@link #MIN_BODY_BYTES_PER_SECOND} applies: 10 s. */
    static final long BODY_GRACE_MILLIS = 10_000;

    private final Router router;
    /** Requests in progress per principal, so that one token's slow or many requests cannot take every thread. */
    private final ConcurrentHashMap<String, Semaphore> inFlight =
            new ConcurrentHashMap<>();
    private final int maxInFlightPerPrincipal;
    private final long maxRequestBytes;
    private final long maxArtifactBytes;
    private final ObjectMapper mapper;
    private final MetadataStore store;
    private final Tokens tokens;
    private final AccessPolicy policy;
    private final Clock clock;
    private final RegistryPolicy registryPolicy;

    /**
     * @param tokens null for no authentication (every caller may do everything); otherwise every route but the
     *               health check needs a bearer token of this set, and {@code policy} decides what its principal may do
     * @param registryPolicy the governance rules enforced on the approval and alias routes: the four-eyes rule (with
     *               tokens) and the guarded aliases (their roles with tokens, the rest always)
     * @param maxInFlightPerPrincipal how many requests of one principal the server works on at once; more get 429
     */
    ApiHandler(Router router, long maxRequestBytes, long maxArtifactBytes, ObjectMapper mapper, MetadataStore store,
            Tokens tokens, AccessPolicy policy, Clock clock, RegistryPolicy registryPolicy, int maxInFlightPerPrincipal) {
        this.maxInFlightPerPrincipal = maxInFlightPerPrincipal;
        this.router = router;
        this.maxRequestBytes = maxRequestBytes;
        this.maxArtifactBytes = maxArtifactBytes;
        this.mapper = mapper;
        this.store = store;
        this.tokens = tokens;
        this.policy = policy;
        this.clock = clock;
        this.registryPolicy = registryPolicy;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = requestId(request);
        response.getHeaders().put(REQUEST_ID, requestId);
        String method = request.getMethod();
        String template = "?";
        Reply reply;
        boolean streamedRoute = false;
        boolean bodyTaken = false;
        boolean unexpected = false;
        Principal principal = null;
        Semaphore held = null;
        try {
            Router.Match match;
            try {
                match = router.match(method, request.getHttpURI().getPath());
            } catch (IllegalArgumentException e) {
                throw new HttpFailure(400, ErrorCode.INVALID_ARGUMENT, e.getMessage(), "path");
            }
            if (match instanceof MethodNotAllowed m) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", m.allowed()));
                throw new HttpFailure(405, ErrorCode.INVALID_ARGUMENT, "method " + printable(method)
                        + " is not allowed here; allowed: " + String.join(", ", m.allowed()), "method");
            }
            if (!(match instanceof Found found)) {
                throw new HttpFailure(404, ErrorCode.NOT_FOUND, "no such resource: " + printable(method) + " "
                        + printable(request.getHttpURI().getPath()), null);
            }
            template = found.route().template();
            Router.Access access = found.route().access();
            principal = authenticate(request, method, template, access);
            if (principal != null) {
                Semaphore permits = inFlight.computeIfAbsent(principal.name(),
                        name -> new Semaphore(maxInFlightPerPrincipal));
                if (!permits.tryAcquire()) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    throw new HttpFailure(429, ErrorCode.STORAGE, "too many requests in progress for principal "
                            + principal.name() + " (at most " + maxInFlightPerPrincipal + " at once); retry later",
                            null);
                }
                held = permits;
            }
            if (principal != null && !access.fromBody()) {
                // Before the body is read: a principal without the permission never gets its body parsed.
                authorize(principal, access, new Call(found.pathParams(), Map.of(), NullNode.getInstance(), null),
                        method, template);
                checkGuardRoles(principal, found.pathParams(), method, template);
            }
            Map<String, List<String>> query = query(request);
            checkQuery(found.route(), query.keySet());
            Call call;
            LimitedInputStream upload = null;
            if (found.route().streamed()) {
                streamedRoute = true;
                upload = openUpload(request);
                call = new Call(found.pathParams(), query, NullNode.getInstance(), upload);
            } else {
                call = new Call(found.pathParams(), query, readBody(request), null);
            }
            bodyTaken = true;
            if (principal != null && access.fromBody()) {
                authorize(principal, access, call, method, template);
            }
            authorizeVerdictAppend(principal, call, method, template);
            if (principal != null) {
                stampActor(call.body(), principal.name());
                stampIdentity(method, template, call.body(), principal.name());
                if (registryPolicy.fourEyes()) {
                    checkFourEyes(principal, call, method, template);
                }
            }
            checkGuardedMove(principal, call, method, template);
            try {
                reply = found.route().endpoint().handle(call);
            } catch (RuntimeException e) {
                if (upload != null && upload.exceeded) {
                    throw tooLarge(maxArtifactBytes);
                }
                throw e;
            }
        } catch (HttpFailure f) {
            if (f.status == 401) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"mlops\"");
            }
            reply = error(f.status, f.code, f.getMessage(), f.field);
        } catch (MlopsException e) {
            reply = error(HttpStatus.of(e.code()), e.code(), e.getMessage(), e.field().orElse(null));
        } catch (IOException e) {
            LOG.warn("request {} {} {}: reading or writing failed: {}", requestId, method, template,
                    e.getClass().getSimpleName());
            reply = error(400, ErrorCode.INVALID_ARGUMENT, "the request body could not be read", null);
        } catch (RuntimeException e) {
            LOG.error("request {} {} {} -> 500: unexpected {}", requestId, method, template, e.getClass().getName());
            reply = error(500, ErrorCode.STORAGE, "internal server error (request id " + requestId + ")", null);
            unexpected = true;
        } finally {
            if (held != null) {
                held.release();   // the body is read and the route has answered: what is left is writing
            }
        }
        if (tokens != null && REFUSALS.contains(reply.status())) {
            auditRefusal(principal, method, template, reply);
        }
        if (reply.status() >= 500 && !unexpected) {
            LOG.warn("request {} {} {} -> {}", requestId, method, template, reply.status());
        } else if (reply.status() >= 400) {
            LOG.debug("request {} {} {} -> {}", requestId, method, template, reply.status());
        }
        if (!bodyTaken && !streamedRoute && reply.status() != 413 && hasBody(request)) {
            // Refused before the body was read: discard it without holding a thread, then answer.
            new Discard(request, response, callback, reply).start();
            return true;
        }
        if (reply.status() == 413 || reply.status() >= 400 && streamedRoute) {
            // The request body may be unread: the connection cannot carry another request, so say so, or the
            // client would send its next request on a connection the server is about to close.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        write(response, callback, reply);
        return true;
    }

    /** The request's {@code X-Request-Id} when it is well-formed, else a new random one. */
    static String requestId(Request request) {
        String requestId = request.getHeaders() == null ? null : request.getHeaders().get(REQUEST_ID);
        return requestId != null && REQUEST_ID_SYNTAX.matcher(requestId).matches() ? requestId
                : UUID.randomUUID().toString();
    }

    /**
     * The principal of the request's bearer token; null when the server has no tokens or the route is open.
     *
     * @throws HttpFailure 401 when the token is missing or unknown (the attempt is audited, without the token)
     */
    private Principal authenticate(Request request, String method, String template, Router.Access access) {
        if (tokens == null || access == null) {
            return null;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String reason;
        if (header == null) {
            reason = "no bearer token";
        } else if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            reason = "an Authorization header that is not a bearer token";
        } else {
            Optional<Principal> principal = tokens.principalOf(header.substring(7).strip());
            if (principal.isPresent()) {
                return principal.get();
            }
            reason = "an unknown bearer token";
        }
        audit("anonymous", "auth.failed", "server", method, template, reason);
        throw new HttpFailure(401, ErrorCode.PERMISSION_DENIED, "authentication required: the request has " + reason
                + "; send 'Authorization: Bearer <token>'", null);
    }

    /**
     * A promotion verdict ({@code promotion.decided}) appended as a plain audit event ({@code POST /audit/events}, as
     * the gate's {@code promote} records a failed verdict) decides later {@code promoteOnce} calls on its candidate
     * (they answer a recorded verdict instead of gating), so it needs what recording a verdict through its own route
     * needs: {@code MOVE_ALIAS} on the model its subject ({@code model:NAME/VERSION}) names. Without it, any writer
     * could block a model's promotions with a forged verdict.
     */
    private void authorizeVerdictAppend(Principal principal, Call call, String method, String template) {
        if (principal == null || !method.equals("POST") || !template.equals("/audit/events")) {
            return;
        }
        JsonNode event = call.body().path("audit");
        if (!"promotion.decided".equals(event.path("action").asText(null))) {
            return;
        }
        String subject = event.path("subject").asText("");
        int slash = subject.lastIndexOf('/');
        String model = subject.startsWith("model:") && slash > "model:".length()
                ? subject.substring("model:".length(), slash) : AccessPolicy.ALL_MODELS;
        authorize(principal, Router.Access.onBodyModel(dev.mlops.security.Permission.MOVE_ALIAS, c -> model), call,
                method, template);
    }

    /** Refuses with 403 (audited) when {@code principal} lacks the route's permission. */
    private void authorize(Principal principal, Router.Access access, Call call, String method, String template) {
        if (principal == null) {
            return;
        }
        if (access.anyModel()) {
            if (!allowsOnAnyModel(principal, access.permission())) {
                audit(principal.name(), "access.denied", "server", method, template, access.permission()
                        + " on no model");
                throw new PermissionDeniedException("principal '" + principal.name() + "' lacks "
                        + access.permission() + " on every model (it needs it on at least one)");
            }
            return;
        }
        String model = access.model().apply(call);
        if (!policy.allows(principal, access.permission(), model)) {
            String scope = model.equals(AccessPolicy.ALL_MODELS) ? "all models" : "model '" + printable(model) + "'";
            audit(principal.name(), "access.denied", model.equals(AccessPolicy.ALL_MODELS) ? "server"
                    : "model:" + model, method, template, access.permission() + " on " + scope);
            throw new PermissionDeniedException("principal '" + principal.name() + "' lacks " + access.permission()
                    + " on " + scope);
        }
    }

    /** Whether {@code principal} holds {@code permission} (or {@code ADMIN}) on at least one model, or on all. */
    private boolean allowsOnAnyModel(Principal principal, dev.mlops.security.Permission permission) {
        return policy.allows(principal, permission, AccessPolicy.ALL_MODELS) || policy.grants().stream()
                .anyMatch(g -> (g.permission() == permission || g.permission() == dev.mlops.security.Permission.ADMIN)
                        && principal.hasRole(g.role()));
    }

    /**
     * Makes {@code actor} the actor of the audit events of a request body: the member {@code audit}, an event or a
     * list of events, is where every route takes them (docs/protocol.md), so setting {@code actor} there covers
     * every route. Members that are not objects are left for the route's decoding to refuse.
     */
    static void stampActor(JsonNode body, String actor) {
        JsonNode audit = body.get("audit");
        if (audit instanceof ObjectNode event) {
            event.put("actor", actor);
        } else if (audit != null && audit.isArray()) {
            for (JsonNode element : audit) {
                if (element instanceof ObjectNode event) {
                    event.put("actor", actor);
                }
            }
        }
    }

    static final String APPROVAL_ROUTE = "/models/{name}/versions/{version}/approval";

    /** The route ({@code METHOD template}), the body member holding an entity and that entity's identity field. */
    private static final Map<String, String[]> IDENTITY_FIELDS = Map.of(
            "POST /models", new String[] {"model", "created_by"},
            "POST /models/{name}/versions", new String[] {"version", "created_by"},
            "POST " + APPROVAL_ROUTE, new String[] {"decision", "actor"},
            "POST /datasets", new String[] {"dataset", "created_by"},
            "POST /profiles", new String[] {"profile", "created_by"},
            "POST /drift-reports", new String[] {"report", "created_by"},
            "POST /policy-states", new String[] {"state", "updated_by"});

    /**
     * Makes {@code actor} the identity recorded in the entity a request body creates or decides (who registered a
     * model, version, dataset version, profile or drift report, who decided an approval, who updated a policy
     * state), so a principal cannot record someone else. A member that is not an object, and an approval decision
     * whose status is {@code PENDING} (which has no actor), are left for the route's decoding to refuse.
     */
    static void stampIdentity(String method, String template, JsonNode body, String actor) {
        String[] field = IDENTITY_FIELDS.get(method + " " + template);
        if (field == null || !(body.get(field[0]) instanceof ObjectNode entity)) {
            return;
        }
        if (field[1].equals("actor") && "PENDING".equals(entity.path("status").asText(null))) {
            return;
        }
        entity.put(field[1], actor);
    }

    /**
     * The four-eyes rule, as the embedded registry applies it with {@code RegistryPolicy.fourEyes()}: a principal
     * approving a version it registered is refused with 403 (audited as {@code access.denied}), nothing stored.
     * A rejection, and a version that does not exist (the store answers 404), pass. The version's
     * {@code created_by} never changes once stored, so reading it before the decision is safe.
     */
    private void checkFourEyes(Principal principal, Call call, String method, String template) {
        if (!template.equals(APPROVAL_ROUTE) || !method.equals("POST")
                || !"APPROVED".equals(call.body().path("decision").path("status").asText(null))) {
            return;
        }
        String model = call.path("name");
        int version;
        try {
            version = Integer.parseInt(call.path("version"));
        } catch (NumberFormatException e) {
            return;   // the route refuses the path parameter itself
        }
        Optional<ModelVersion> current = store.getModelVersion(model, version);
        if (current.isPresent() && current.get().createdBy().equals(principal.name())) {
            audit(principal.name(), "access.denied", "model:" + model, method, template,
                    "four-eyes rule: approve own version " + version);
            throw new PermissionDeniedException("four-eyes rule: " + principal.name() + " registered version "
                    + version + " of model " + model + " and so cannot approve it; someone else must");
        }
    }

    static final String ALIAS_ROUTE = "/models/{name}/aliases/{alias}";
    static final String VERDICT_ROUTE = "/models/{name}/aliases/{alias}/verdict";

    /**
     * The roles of a guarded alias ({@link AliasGuard#roles()}), as the embedded registry checks them once an access
     * policy applies: a principal that holds none of them and sets, moves or deletes the alias is refused with 403
     * (audited as {@code access.denied}) before the body is read. Only with tokens (the caller passes a principal)
     * and, as in the embedded registry, not under {@link AccessPolicy#allowAll()}.
     */
    private void checkGuardRoles(Principal principal, Map<String, String> path, String method, String template) {
        if (!(template.equals(ALIAS_ROUTE) || template.equals(VERDICT_ROUTE)) || policy.isAllowAll()) {
            return;
        }
        String alias = path.get("alias");
        Optional<AliasGuard> guard = registryPolicy.guard(alias);
        if (guard.isEmpty()) {
            return;
        }
        Optional<String> problem = AliasGuards.roleProblem(guard.get(), alias, principal);
        if (problem.isPresent()) {
            String model = path.get("name");
            audit(principal.name(), "access.denied", "model:" + model, method, template, problem.get());
            throw new PermissionDeniedException(problem.get());
        }
    }

    /**
     * The state a guarded alias demands of its target ({@link AliasGuard#requireApproved()},
     * {@link AliasGuard#requireGovernance()}), checked against the store before the move, as the embedded registry
     * does: a violation is 409 {@code CONFLICT} with the embedded API's message, audited as {@code registry.refused}
     * (actor the principal, or without tokens the actor of the request's audit event, as everything such a server
     * stores), and nothing is stored. A model or version that does not exist, and a malformed body, pass: the route
     * answers them as it would without the guard. Approved versions stay approved, so reading before the write is
     * safe for that rule; the governance record may change meanwhile, as it may in the embedded API.
     */
    private void checkGuardedMove(Principal principal, Call call, String method, String template) {
        JsonNode version;
        if (template.equals(ALIAS_ROUTE) && method.equals("PUT")) {
            version = call.body().path("version");
        } else if (template.equals(VERDICT_ROUTE) && method.equals("POST")
                && call.body().path("move").asBoolean(false)) {
            version = call.body().path("candidate");   // a promotion that moves the alias with its verdict
        } else {
            return;
        }
        String alias = call.path("alias");
        Optional<AliasGuard> guard = registryPolicy.guard(alias);
        if (guard.isEmpty() || !version.canConvertToInt() || !version.isIntegralNumber()) {
            return;
        }
        String name = call.path("name");
        Optional<RegisteredModel> model = store.getModel(name);
        Optional<ModelVersion> target = model.isEmpty() ? Optional.empty()
                : store.getModelVersion(name, version.intValue());
        if (target.isEmpty()) {
            return;
        }
        Optional<String> problem = AliasGuards.stateProblem(guard.get(), model.get(), target.get(), alias);
        if (problem.isPresent()) {
            ObjectNode data = Wire.object();
            data.put("method", method);
            data.put("route", Router.BASE + template);
            data.put("operation", AliasGuards.setOperation(alias, version.intValue()));
            data.put("reason", problem.get());
            append(principal != null ? principal.name() : claimedActor(call.body()), "registry.refused",
                    "model:" + name, data, method, template);
            throw new ConflictException(problem.get());
        }
    }

    /**
     * The actor a request body claims (its {@code audit} member's, or the first of its list), for the refusals a
     * server without tokens audits; {@code anonymous} when it names none.
     */
    private static String claimedActor(JsonNode body) {
        JsonNode audit = body.path("audit");
        JsonNode event = audit.isArray() ? audit.path(0) : audit;
        JsonNode actor = event.path("actor");
        return actor.isTextual() && !actor.textValue().isBlank() ? printable(actor.textValue()) : "anonymous";
    }

    /**
     * Audits a request refused as invalid (on a server with tokens): action {@code request.refused}, the principal
     * (or {@code anonymous} when it was refused before authentication) as actor, subject {@code server}, data the
     * method, route template, status, error code and field; never the message, a header or the body.
     */
    private void auditRefusal(Principal principal, String method, String template, Reply reply) {
        ObjectNode data = Wire.object();
        data.put("method", printable(method));
        if (!template.equals("?")) {
            data.put("route", Router.BASE + template);
        }
        data.put("status", reply.status());
        JsonNode body = reply.body();
        if (body != null) {
            data.put("error_code", body.path("error_code").asText());
            if (body.hasNonNull("field")) {
                data.put("field", printable(body.get("field").asText()));
            }
        }
        append(principal == null ? "anonymous" : principal.name(), "request.refused", "server", data, method,
                template);
    }

    /**
     * Audits a request that the HTTP layer refused before any route (a malformed request line or encoding, headers
     * too large), on a server with tokens: {@code request.refused} by {@code anonymous} with the method and status.
     */
    void auditHttpRefusal(String method, int status) {
        if (tokens == null) {
            return;
        }
        ObjectNode data = Wire.object();
        data.put("method", method == null ? "?" : printable(method));
        data.put("status", status);
        data.put("error_code", ErrorCode.INVALID_ARGUMENT.name());
        append("anonymous", "request.refused", "server", data, method, "?");
    }

    /** Appends a refusal to the audit trail; a failure to do so is logged, never thrown. */
    private void audit(String actor, String action, String subject, String method, String template, String reason) {
        ObjectNode data = Wire.object();
        data.put("method", method);
        data.put("route", Router.BASE + template);
        data.put("reason", reason);
        append(actor, action, subject, data, method, template);
    }

    private void append(String actor, String action, String subject, ObjectNode data, String method,
            String template) {
        try {
            store.appendAuditEvent(new PendingAuditEvent(clock.instant(), actor, action, subject, Wire.toJson(data)));
        } catch (RuntimeException e) {
            LOG.warn("the refusal of a {} {} request could not be audited: {}", method, template,
                    e.getClass().getSimpleName());
        }
    }

    /** The body of a streamed route, within the artifact size limit. */
    private LimitedInputStream openUpload(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].strip().equals(OCTETS)) {
            throw new HttpFailure(415, ErrorCode.INVALID_ARGUMENT, "the request body must be " + OCTETS + ", was "
                    + (type == null ? "no content type" : "'" + printable(type) + "'"), "Content-Type");
        }
        if (request.getLength() > maxArtifactBytes) {
            throw tooLarge(maxArtifactBytes);
        }
        return new LimitedInputStream(Request.asInputStream(request), maxArtifactBytes);
    }

    /** Counts what is read and fails once more than {@code limit} bytes came. */
    static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long count;
        volatile boolean exceeded;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) throws IOException {
            count += n;
            if (count > limit) {
                exceeded = true;
                throw new IOException("the request body is larger than the limit of " + limit + " bytes");
            }
        }
    }

    private JsonNode readBody(Request request) throws IOException {
        if (!hasBody(request)) {
            return NullNode.getInstance();
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].strip().equals(JSON)) {
            throw new HttpFailure(415, ErrorCode.INVALID_ARGUMENT, "the request body must be " + JSON + ", was "
                    + (type == null ? "no content type" : "'" + printable(type) + "'"), "Content-Type");
        }
        long declared = request.getLength();
        if (declared > maxRequestBytes) {
            throw tooLarge(maxRequestBytes);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        // A minimum data rate: the body must arrive within its deadline, or its reading fails (400, the connection
        // closed), so that a client sending it slowly, but within the idle timeout between bytes, holds this
        // thread for a bounded time.
        long deadline = bodyDeadlineMillis(declared > 0 ? declared : maxRequestBytes);
        org.eclipse.jetty.util.thread.Scheduler.Task slow = request.getComponents().getScheduler().schedule(
                () -> request.fail(new java.util.concurrent.TimeoutException("the request body arrived too slowly")),
                deadline, java.util.concurrent.TimeUnit.MILLISECONDS);
        try (InputStream in = Request.asInputStream(request)) {
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxRequestBytes) {
                    throw tooLarge(maxRequestBytes);
                }
                bytes.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new HttpFailure(400, ErrorCode.INVALID_ARGUMENT, "the request body could not be read, or did not"
                    + " arrive within " + deadline + " ms (" + MIN_BODY_BYTES_PER_SECOND + " bytes/s at least, after "
                    + BODY_GRACE_MILLIS + " ms)", "body");
        } finally {
            slow.cancel();
        }
        if (bytes.size() == 0) {
            return NullNode.getInstance();
        }
        try {
            return Wire.parse(bytes.toByteArray());
        } catch (InvalidArgumentException e) {
            throw new HttpFailure(400, ErrorCode.INVALID_ARGUMENT, "the request body: " + e.getMessage(),
                    "body");
        }
    }

    /**
     * Discards the body of a request refused before its body was taken (no route, no token, no permission, a wrong
     * method), then writes the refusal, so that a client still sending its body (OkHttp writes the whole body before
     * it reads the reply) gets the reply rather than a reset connection. The body is never parsed, and no thread
     * waits for it: the bytes are read as they arrive ({@link Request#demand}), at most {@code maxRequestBytes} of
     * them and for at most {@link #DISCARD_TIMEOUT_MILLIS}; past either bound (or when the declared length is over
     * the limit, or the body fails) the reply goes out at once with {@code Connection: close}, and Jetty closes the
     * connection. So a client that dribbles the body of a refused request holds no thread, and its connection at
     * most a few seconds. Thread-safe: the demand callback and the timeout race for {@link #finish} once.
     */
    private final class Discard implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Reply reply;
        private final java.util.concurrent.atomic.AtomicBoolean finished =
                new java.util.concurrent.atomic.AtomicBoolean();
        private volatile org.eclipse.jetty.util.thread.Scheduler.Task timeout;
        private long total;

        Discard(Request request, Response response, Callback callback, Reply reply) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.reply = reply;
        }

        void start() {
            if (request.getLength() > maxRequestBytes) {
                finish(false);
                return;
            }
            timeout = request.getComponents().getScheduler().schedule(() -> finish(false), DISCARD_TIMEOUT_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            run();
        }

        /** Reads what has arrived; asks to be called again when more does. Never blocks. */
        @Override
        public void run() {
            while (!finished.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    chunk.release();
                    finish(false);
                    return;
                }
                total += chunk.remaining();
                boolean last = chunk.isLast();
                chunk.release();
                if (total > maxRequestBytes) {
                    finish(false);
                    return;
                }
                if (last) {
                    finish(true);
                    return;
                }
            }
        }

        /** Writes the reply, once; {@code Connection: close} unless the whole body was read. */
        private void finish(boolean drained) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            org.eclipse.jetty.util.thread.Scheduler.Task t = timeout;
            if (t != null) {
                t.cancel();
            }
            if (!drained) {
                // The body is unread: the connection cannot carry another request, so say so, or the client
                // would send its next request on a connection the server is about to close.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            write(response, callback, reply);
        }
    }

    /**
     * The time a JSON body of {@code bytes} may take to arrive: {@link #BODY_GRACE_MILLIS} plus its length at
     * {@link #MIN_BODY_BYTES_PER_SECOND}.
     */
    static long bodyDeadlineMillis(long bytes) {
        return BODY_GRACE_MILLIS + bytes * 1000 / MIN_BODY_BYTES_PER_SECOND;
    }

    private static boolean hasBody(Request request) {
        long length = request.getLength();
        return length > 0 || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
    }

    private static HttpFailure tooLarge(long limit) {
        return new HttpFailure(413, ErrorCode.INVALID_ARGUMENT, "the request body is larger than the limit of "
                + limit + " bytes", "body");
    }

    /**
     * Refuses a query parameter the route does not take, as an unknown body member is refused: 400
     * {@code INVALID_ARGUMENT} naming it, before the body is read.
     */
    private static void checkQuery(Router.Route route, java.util.Set<String> names) {
        for (String name : names) {
            if (!route.query().contains(name)) {
                String takes = route.query().isEmpty() ? "this route takes none"
                        : "the parameters are " + String.join(", ", new java.util.TreeSet<>(route.query()));
                throw new HttpFailure(400, ErrorCode.INVALID_ARGUMENT, "unknown query parameter '" + printable(name)
                        + "'; " + takes, printable(name));
            }
        }
    }

    private static Map<String, List<String>> query(Request request) {
        Fields fields = Request.extractQueryParameters(request);
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (Fields.Field f : fields) {
            query.put(f.getName(), List.copyOf(f.getValues()));
        }
        return query;
    }

    private Reply error(int status, ErrorCode code, String message, String field) {
        return new Reply(status, ErrorWire.write(MlopsException.of(code, message, field)));
    }

    private void write(Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        if (reply.stream() != null) {
            reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, OCTETS);
            if (reply.stream().length() >= 0) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.stream().length());
            }
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                reply.stream().writeTo(out);
            } catch (IOException | RuntimeException e) {
                // The status and part of the body are sent: all that is left is to abort the connection, so that
                // the client sees a truncated body (and its digest check fails), never a complete-looking one.
                LOG.warn("a streamed reply failed midway: {}", e.getClass().getSimpleName());
                callback.failed(e);
                return;
            }
            callback.succeeded();
            return;
        }
        if (reply.body() == null) {
            response.write(true, null, callback);
            return;
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(reply.body());
        } catch (JsonProcessingException e) {
            response.setStatus(500);
            bytes = ("{\"error_code\":\"STORAGE\",\"message\":\"the reply could not be written\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON + "; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** {@code s} cut to 200 characters, control characters escaped. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    /** A refusal before the endpoint: carries the HTTP status, which the error code alone does not determine. */
    static final class HttpFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final transient ErrorCode code;
        final String field;

        HttpFailure(int status, ErrorCode code, String message, String field) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.field = field;
        }
    }
}
