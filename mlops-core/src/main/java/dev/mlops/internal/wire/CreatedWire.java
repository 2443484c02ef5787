package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Created;
import java.util.function.Function;

/**
 * The result of an idempotent create: {@code {"created": true, "value": {...}}}. Stateless and thread-safe.
 */
public final class CreatedWire {
    private CreatedWire() {
    }

    public static <T> ObjectNode write(Created<T> created, Function<? super T, ? extends JsonNode> value) {
        ObjectNode node = Wire.object();
        node.put("created", created.created());
        node.set("value", value.apply(created.value()));
        return node;
    }

    /** Both members are required; the value is read with {@code value}. */
    public static <T> Created<T> read(JsonNode node, String path, Wire.Reader<T> value) {
        Wire.Fields f = Wire.fields(node, path, "created", "value");
        boolean created = f.bool("created");
        T v = f.object("value", value);
        return new Created<>(v, created);
    }
}
