package dev.mlops.server;

import dev.mlops.ErrorCode;

/**
 * The protocol's mapping of error codes to HTTP statuses (docs/protocol.md, "Errors"). {@code STORAGE} is 503: the
 * backend failed and the operation did not take effect, so a client may retry an idempotent request.
 * {@code INTEGRITY} is 500: stored data failed a check, which is the server's fault, not the request's.
 */
final class HttpStatus {
    private HttpStatus() {
    }

    static int of(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, CONFLICT -> 409;
            case INVALID_ARGUMENT -> 400;
            case PERMISSION_DENIED -> 403;
            case STORAGE -> 503;
            case INTEGRITY -> 500;
        };
    }
}
