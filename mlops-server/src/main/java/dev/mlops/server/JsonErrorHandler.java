package dev.mlops.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.ErrorCode;
import dev.mlops.MlopsException;
import dev.mlops.internal.wire.ErrorWire;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty raises itself, before a route runs (a malformed request line, headers too large, a request
 * refused during shutdown), as the protocol's JSON error body instead of an HTML page, never with a stack trace,
 * and with an {@code X-Request-Id} as every reply of the API has (the request's own when it is well-formed).
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper mapper;
    private final BiConsumer<String, Integer> refusals;

    /**
     * @param refusals told the method and status of every request refused as invalid here (400, 413, 414, 431), to
     *                 audit it
     */
    JsonErrorHandler(ObjectMapper mapper, BiConsumer<String, Integer> refusals) {
        this.mapper = mapper;
        this.refusals = refusals;
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        if (code == 400 || code == 413 || code == 414 || code == 431) {
            refusals.accept(request.getMethod(), code);
        }
        byte[] body = body(code);
        if (!response.getHeaders().contains(ApiHandler.REQUEST_ID)) {
            response.getHeaders().put(ApiHandler.REQUEST_ID, ApiHandler.requestId(request));
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private byte[] body(int status) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 401, 403 -> ErrorCode.PERMISSION_DENIED;
            case 500, 502, 503, 504 -> ErrorCode.STORAGE;
            default -> ErrorCode.INVALID_ARGUMENT;
        };
        String message = switch (status) {
            case 413 -> "the request is larger than the server accepts";
            case 414 -> "the request URI is longer than the server accepts";
            case 431 -> "the request headers are larger than the server accepts";
            case 503 -> "the server is shutting down or overloaded; try again";
            default -> "the request was refused with HTTP status " + status;
        };
        try {
            return mapper.writeValueAsBytes(ErrorWire.write(MlopsException.of(code, message, null)));
        } catch (JsonProcessingException e) {
            return new byte[0];
        }
    }
}
