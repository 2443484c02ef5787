package dev.mlops.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ErrorCode;

/** The protocol's error body, {@code {"error_code", "message", "field"}}. */
final class ErrorBodies {
    private ErrorBodies() {
    }

    static JsonNode of(ObjectMapper mapper, ErrorCode code, String message, String field) {
        ObjectNode node = mapper.createObjectNode();
        node.put("error_code", code.name());
        node.put("message", message == null ? code.name() : message);
        if (field != null) {
            node.put("field", field);
        }
        return node;
    }
}
