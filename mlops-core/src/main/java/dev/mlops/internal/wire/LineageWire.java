package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;

/**
 * Lineage: a {@link NodeRef} is its id string ({@code dataset:NAME@sha256:HEX}, {@code run:ID}, {@code model:NAME/N},
 * {@code artifact:NAME@sha256:HEX}); an edge is {@code {"from": ID, "to": ID, "kind": "input" | "output"}} as in the
 * CLI's lineage output; a {@link Direction} is its name ({@code UPSTREAM}, {@code DOWNSTREAM}, {@code BOTH}).
 * Stateless and thread-safe.
 */
public final class LineageWire {
    private LineageWire() {
    }

    public static TextNode write(NodeRef node) {
        return TextNode.valueOf(node.id());
    }

    /** A node id, checked as {@link NodeRef#parse} checks it. */
    public static NodeRef readNode(JsonNode node, String path) {
        String id = Wire.readString(node, path);
        return Wire.build(path, () -> NodeRef.parse(id));
    }

    public static ObjectNode write(LineageEdge edge) {
        ObjectNode node = Wire.object();
        node.put("from", edge.from().id());
        node.put("to", edge.to().id());
        node.put("kind", Wire.enumText(edge.kind(), true));
        return node;
    }

    public static LineageEdge readEdge(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "from", "to", "kind");
        NodeRef from = f.required("from", LineageWire::readNode, "a node id");
        NodeRef to = f.required("to", LineageWire::readNode, "a node id");
        EdgeKind kind = f.enumValue("kind", EdgeKind.class, true);
        return Wire.build(path, () -> new LineageEdge(from, to, kind));
    }

    public static TextNode write(Direction direction) {
        return TextNode.valueOf(Wire.enumText(direction, false));
    }

    public static Direction readDirection(JsonNode node, String path) {
        return Wire.readEnum(node, path, Direction.class, false);
    }
}
