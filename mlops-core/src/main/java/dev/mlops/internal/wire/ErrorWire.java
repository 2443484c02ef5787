package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.ErrorCode;
import dev.mlops.MlopsException;
import dev.mlops.StorageException;

/**
 * Errors: {@code {"error_code": "NOT_FOUND", "message": "...", "field": "..."}} with {@code error_code} one of
 * {@link ErrorCode}'s names and {@code field} omitted when the failure is not about one field. Stateless and
 * thread-safe.
 */
public final class ErrorWire {
    private ErrorWire() {
    }

    /** The error body of {@code e}; a null message is written as the empty string. */
    public static ObjectNode write(MlopsException e) {
        ObjectNode node = Wire.object();
        node.put("error_code", e.code().name());
        node.put("message", e.getMessage() == null ? "" : e.getMessage());
        e.field().ifPresent(f -> node.put("field", f));
        return node;
    }

    /**
     * The exception an error body stands for, of the subclass that matches its code ({@link MlopsException#of}; so
     * {@code field} is kept for {@code INVALID_ARGUMENT}, the only code whose exceptions carry one). An
     * {@code error_code} that is not one of {@link ErrorCode}'s names gives a {@link StorageException} that names
     * the code and keeps the message: the other side speaks a protocol this side does not know.
     *
     * @throws dev.mlops.InvalidArgumentException when the body is not an error body (not an object, a member
     *     missing or of the wrong type, an unknown member)
     */
    public static MlopsException read(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "error_code", "message", "field");
        String code = f.string("error_code");
        String message = f.string("message");
        String field = f.optString("field");
        ErrorCode known = null;
        for (ErrorCode c : ErrorCode.values()) {
            if (c.name().equals(code)) {
                known = c;
            }
        }
        if (known == null) {
            String shown = code.length() > 64 ? code.substring(0, 64) + "..." : code;
            return new StorageException("unknown error code " + TextNode.valueOf(shown) + " (this side knows "
                    + java.util.Arrays.toString(ErrorCode.values()) + "); its message: " + message, null);
        }
        return MlopsException.of(known, message, field);
    }
}
