package dev.mlops.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;

/**
 * The route table: routes by method and path template ({@code /runs/{runId}/metrics}, relative to
 * {@value #BASE}), matched segment by segment against a request's raw path. Literal segments win over parameters.
 * Immutable and thread-safe once built.
 */
final class Router {
    /** The base path of every route. */
    static final String BASE = "/api/v1";

    /** What a route does with a matched request. */
    @FunctionalInterface
    interface Endpoint {
        Reply handle(Call call) throws IOException;
    }

    /**
     * What a principal needs to call a route: a permission on the model that {@code model} names for the call (from
     * its path, or from its body when {@code fromBody}; {@link dev.mlops.security.AccessPolicy#ALL_MODELS} when the
     * route is not about one model), or, when {@code anyModel}, on at least one model (for what is not scoped to a
     * model, such as content-addressed artifacts).
     * A route with no access ({@code null}) is open to everyone, as the health check is.
     */
    record Access(Permission permission, Function<Call, String> model, boolean fromBody, boolean anyModel) {
        /** {@code permission} on all models. */
        static Access all(Permission permission) {
            return new Access(permission, call -> AccessPolicy.ALL_MODELS, false, false);
        }

        /** {@code permission} on at least one model (or on all): checked before the body is read. */
        static Access anyModel(Permission permission) {
            return new Access(permission, call -> AccessPolicy.ALL_MODELS, false, true);
        }

        /** {@code permission} on the model that the path parameter {@code param} names. */
        static Access onPathModel(Permission permission, String param) {
            return new Access(permission, call -> call.path(param), false, false);
        }

        /**
         * {@code permission} on the model that the request body names: checked once the body is read (the others
         * are checked before it is read).
         */
        static Access onBodyModel(Permission permission, Function<Call, String> model) {
            return new Access(permission, model, true, false);
        }
    }

    /**
     * A route: an HTTP method, a path template below {@link #BASE}, who may call it, whether its request body is a
     * byte stream ({@code application/octet-stream}, handed to the endpoint unread) rather than JSON, its endpoint,
     * and the query parameters it takes (any other is refused).
     */
    record Route(String method, String template, Access access, boolean streamed, Endpoint endpoint,
            Set<String> query) {
        Route {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(endpoint, "endpoint");
            query = Set.copyOf(query);
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("a template starts with '/': " + template);
            }
        }

        /** A route that takes no query parameter. */
        Route(String method, String template, Access access, boolean streamed, Endpoint endpoint) {
            this(method, template, access, streamed, endpoint, Set.of());
        }

        /** This route, taking the query parameters {@code names}. */
        Route withQuery(Set<String> names) {
            return new Route(method, template, access, streamed, endpoint, names);
        }

        List<String> segments() {
            return List.of(template.substring(1).split("/", -1));
        }
    }

    /** The outcome of matching: a route with its path parameters, or why none matched. */
    sealed interface Match permits Found, NoSuchPath, MethodNotAllowed {
    }

    record Found(Route route, Map<String, String> pathParams) implements Match {
    }

    record NoSuchPath() implements Match {
    }

    record MethodNotAllowed(Set<String> allowed) implements Match {
    }

    private final List<Route> routes;

    Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
        Set<String> seen = new LinkedHashSet<>();
        for (Route r : this.routes) {
            String shape = r.method() + " " + r.template().replaceAll("\\{[^}]*}", "{}");
            if (!seen.add(shape)) {
                throw new IllegalArgumentException("two routes for " + shape);
            }
        }
    }

    List<Route> routes() {
        return routes;
    }

    /**
     * Matches {@code rawPath} (still percent-encoded, starting with {@link #BASE}) and {@code method}. Path
     * parameters are percent-decoded as UTF-8, segment by segment, so that an encoded {@code /} stays inside its
     * parameter.
     *
     * @throws IllegalArgumentException when a segment is not valid percent-encoding
     */
    Match match(String method, String rawPath) {
        if (!rawPath.startsWith(BASE + "/")) {
            return new NoSuchPath();
        }
        String[] segments = rawPath.substring(BASE.length() + 1).split("/", -1);
        Found best = null;
        int bestLiterals = -1;
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            List<String> template = r.segments();
            if (template.size() != segments.length) {
                continue;
            }
            Map<String, String> params = new HashMap<>();
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < segments.length && matches; i++) {
                String t = template.get(i);
                if (t.startsWith("{") && t.endsWith("}")) {
                    params.put(t.substring(1, t.length() - 1), decode(segments[i]));
                } else if (t.equals(segments[i])) {
                    literals++;
                } else {
                    matches = false;
                }
            }
            if (!matches) {
                continue;
            }
            if (!r.method().equals(method)) {
                allowed.add(r.method());
                continue;
            }
            if (literals > bestLiterals) {
                best = new Found(r, Map.copyOf(params));
                bestLiterals = literals;
            }
        }
        if (best != null) {
            return best;
        }
        return allowed.isEmpty() ? new NoSuchPath() : new MethodNotAllowed(allowed);
    }

    /** Percent-decodes one path segment as UTF-8; {@code +} stays {@code +}. */
    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            int c = segment.codePointAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new IllegalArgumentException("truncated percent-encoding in a path segment");
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("malformed percent-encoding in a path segment");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c) - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A matched request as an endpoint sees it. */
    static final class Call {
        private final Map<String, String> pathParams;
        private final Map<String, List<String>> query;
        private final JsonNode body;
        private final InputStream stream;

        Call(Map<String, String> pathParams, Map<String, List<String>> query, JsonNode body, InputStream stream) {
            this.pathParams = pathParams;
            this.query = query;
            this.body = body;
            this.stream = stream;
        }

        /** The request body of a streamed route, unread; null on JSON routes. */
        InputStream stream() {
            return stream;
        }

        /** A path parameter of the route's template. */
        String path(String name) {
            String v = pathParams.get(name);
            if (v == null) {
                throw new IllegalStateException("no path parameter " + name);
            }
            return v;
        }

        /** A query parameter, or null when absent; the first one when repeated. */
        String query(String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** Every value of a repeated query parameter, in order; empty when absent. */
        List<String> queryAll(String name) {
            return query.getOrDefault(name, List.of());
        }

        /** The request's JSON body; a missing body reads as JSON null. */
        JsonNode body() {
            return body;
        }
    }

    /** A reply body written as bytes, streamed rather than held in memory. */
    interface Streamed {
        /** The length in bytes, or -1 when unknown. */
        long length();

        /** Writes the bytes; a failure after the first byte aborts the connection (the status is sent already). */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * An endpoint's answer: a status and a JSON body (null for none, as with 204), or a streamed body
     * ({@code application/octet-stream}) with extra headers.
     */
    record Reply(int status, JsonNode body, Streamed stream, Map<String, String> headers) {
        Reply(int status, JsonNode body) {
            this(status, body, null, Map.of());
        }

        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }

        static Reply created(JsonNode body) {
            return new Reply(201, body);
        }

        static Reply noContent() {
            return new Reply(204, null);
        }

        static Reply stream(Streamed stream, Map<String, String> headers) {
            return new Reply(200, null, stream, headers);
        }
    }
}
