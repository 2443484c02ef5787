package dev.mlops.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.internal.wire.ErrorWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.server.Router.Call;
import dev.mlops.server.Router.Found;
import dev.mlops.server.Router.MethodNotAllowed;
import dev.mlops.server.Router.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
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

    private final Router router;
    private final long maxRequestBytes;
    private final ObjectMapper mapper;

    ApiHandler(Router router, long maxRequestBytes, ObjectMapper mapper) {
        this.router = router;
        this.maxRequestBytes = maxRequestBytes;
        this.mapper = mapper;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = request.getHeaders().get(REQUEST_ID);
        if (requestId == null || !REQUEST_ID_SYNTAX.matcher(requestId).matches()) {
            requestId = UUID.randomUUID().toString();
        }
        response.getHeaders().put(REQUEST_ID, requestId);
        String method = request.getMethod();
        String template = "?";
        Reply reply;
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
            JsonNode body = readBody(request);
            reply = found.route().endpoint().handle(new Call(found.pathParams(), query(request), body));
        } catch (HttpFailure f) {
            reply = error(f.status, f.code, f.getMessage(), f.field);
        } catch (MlopsException e) {
            reply = error(HttpStatus.of(e.code()), e.code(), e.getMessage(), e.field().orElse(null));
        } catch (IOException e) {
            LOG.warn("request {} {} {}: reading or writing failed: {}", requestId, method, template,
                    e.getClass().getSimpleName());
            reply = error(400, ErrorCode.INVALID_ARGUMENT, "the request body could not be read", null);
        } catch (RuntimeException e) {
            LOG.error("request {} {} {}: unexpected {}", requestId, method, template, e.getClass().getName());
            reply = error(500, ErrorCode.STORAGE, "internal server error (request id " + requestId + ")", null);
        }
        if (reply.status() >= 500) {
            LOG.warn("request {} {} {} -> {}", requestId, method, template, reply.status());
        } else if (reply.status() >= 400) {
            LOG.debug("request {} {} {} -> {}", requestId, method, template, reply.status());
        }
        write(response, callback, reply);
        return true;
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
            throw tooLarge();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        try (InputStream in = Request.asInputStream(request)) {
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxRequestBytes) {
                    throw tooLarge();
                }
                bytes.write(buffer, 0, n);
            }
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

    private static boolean hasBody(Request request) {
        long length = request.getLength();
        return length > 0 || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
    }

    private HttpFailure tooLarge() {
        return new HttpFailure(413, ErrorCode.INVALID_ARGUMENT, "the request body is larger than the limit of "
                + maxRequestBytes + " bytes", "body");
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
