package dev.mlops.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.StorageException;
import dev.mlops.internal.wire.ErrorWire;
import dev.mlops.internal.wire.Wire;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Sends one protocol call and turns its outcome into a JSON value or the {@link MlopsException} the server
 * reported: an error body maps back to the exception of its {@code error_code}, with its message and field; a
 * transport failure, a truncated or malformed body, or an error without a readable body becomes a
 * {@link StorageException} (or the exception matching the status). Thread-safe.
 */
final class Transport {
    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final HttpUrl base;
    private final OkHttpClient client;
    private final ObjectMapper mapper;

    Transport(HttpUrl base, OkHttpClient client, ObjectMapper mapper) {
        this.base = base;
        this.client = client;
        this.mapper = mapper;
    }

    OkHttpClient client() {
        return client;
    }

    /** The URL of the path below {@code /api/v1} made of {@code segments} (each percent-encoded as one segment). */
    HttpUrl.Builder url(String... segments) {
        HttpUrl.Builder url = base.newBuilder().addPathSegment("api").addPathSegment("v1");
        for (String s : segments) {
            url.addPathSegment(s);
        }
        return url;
    }

    /** Starts a call of {@code method} on the path below {@code /api/v1} made of {@code segments}. */
    Call call(String method, String... segments) {
        return new Call(method, segments);
    }

    /**
     * The exception of an error reply: the one its protocol error body names (with message and field), or, when the
     * body is not one, the one matching the status.
     */
    MlopsException error(String what, int status, byte[] bytes) {
        if (bytes.length > 0) {
            try {
                return ErrorWire.read(Wire.parse(bytes), "");
            } catch (InvalidArgumentException notAnErrorBody) {
                // A proxy's page, a truncated body: fall back to the status.
            }
        }
        String message = what + " failed with HTTP " + status;
        return switch (status) {
            case 400, 405, 413, 414, 415, 422, 431 -> new InvalidArgumentException(null, message);
            case 401, 403 -> MlopsException.of(ErrorCode.PERMISSION_DENIED, message, null);
            case 404 -> MlopsException.of(ErrorCode.NOT_FOUND, message, null);
            case 409 -> MlopsException.of(ErrorCode.CONFLICT, message, null);
            default -> new StorageException(message, null);
        };
    }

    /** A path segment that carries a value: refuses what HTTP cannot carry in a path, naming {@code field}. */
    static String param(String field, String value) {
        if (value == null) {
            throw new InvalidArgumentException(field, field + " must not be null");
        }
        if (value.equals(".") || value.equals("..")) {
            throw new InvalidArgumentException(field, field + " '" + value + "' cannot be addressed over HTTP");
        }
        return value;
    }

    /**
     * A JSON request body; one-shot when the call is not safe to repeat, which stops OkHttp's own connection-failure
     * retry from sending it twice.
     */
    private static final class JsonBody extends RequestBody {
        private final byte[] bytes;
        private final boolean oneShot;

        JsonBody(byte[] bytes, boolean oneShot) {
            this.bytes = bytes;
            this.oneShot = oneShot;
        }

        @Override
        public MediaType contentType() {
            return bytes.length == 0 ? null : JSON;
        }

        @Override
        public long contentLength() {
            return bytes.length;
        }

        @Override
        public boolean isOneShot() {
            return oneShot;
        }

        @Override
        public void writeTo(okio.BufferedSink sink) throws IOException {
            sink.write(bytes);
        }
    }

    /** One call being put together; not thread-safe, used once. */
    final class Call {
        private final String method;
        private final String[] segments;
        private final List<String[]> query = new ArrayList<>();
        private JsonNode body;
        private boolean retryable;

        private Call(String method, String[] segments) {
            this.method = method;
            this.segments = segments;
        }

        /** Adds a query parameter; a null value adds nothing. */
        Call query(String name, Object value) {
            if (value != null) {
                query.add(new String[] {name, value.toString()});
            }
            return this;
        }

        Call body(JsonNode body) {
            this.body = body;
            return this;
        }

        /** Marks the call as safe to repeat: the retry interceptor may send it again. */
        Call retryable() {
            this.retryable = true;
            return this;
        }

        /** Sends the call; the reply's JSON body, or null when it has none (204). */
        JsonNode send() {
            try (Response response = client.newCall(request()).execute()) {
                byte[] bytes = readBody(response);
                if (!response.isSuccessful()) {
                    throw error(describe(), response.code(), bytes);
                }
                if (bytes.length == 0) {
                    return null;
                }
                return parse(bytes);
            } catch (IOException e) {
                throw new StorageException(describe() + " failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            }
        }

        /** Sends a read of one entity: empty when the server answers 404 {@code NOT_FOUND}. */
        Optional<JsonNode> sendOptional() {
            try {
                return Optional.ofNullable(send());
            } catch (MlopsException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        private Request request() {
            HttpUrl.Builder url = url(segments);
            for (String[] q : query) {
                url.addQueryParameter(q[0], q[1]);
            }
            RequestBody requestBody = null;
            if (body != null) {
                try {
                    requestBody = new JsonBody(mapper.writeValueAsBytes(body), !retryable);
                } catch (IOException e) {
                    throw new StorageException("the request body of " + describe() + " could not be written", e);
                }
            } else if (!method.equals("GET")) {
                requestBody = new JsonBody(new byte[0], !retryable);
            }
            Request.Builder b = new Request.Builder().url(url.build()).method(method, requestBody)
                    .header("Accept", "application/json");
            if (retryable) {
                b.tag(RetryInterceptor.Retryable.class, RetryInterceptor.Retryable.YES);
            }
            return b.build();
        }

        private byte[] readBody(Response response) throws IOException {
            ResponseBody b = response.body();
            return b == null ? new byte[0] : b.bytes();
        }

        private JsonNode parse(byte[] bytes) {
            try {
                return mapper.readTree(bytes);
            } catch (IOException e) {
                throw new StorageException("the server's reply to " + describe() + " is not valid JSON", e);
            }
        }

        private String describe() {
            return method + " " + base.newBuilder().addPathSegment("api").addPathSegment("v1").build().encodedPath()
                    + "/" + (segments.length == 0 ? "" : segments[0] + (segments.length > 1 ? "/..." : ""));
        }
    }
}
