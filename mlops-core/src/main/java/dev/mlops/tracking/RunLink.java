package dev.mlops.tracking;

import dev.mlops.lineage.NodeRef;
import java.util.Objects;

/**
 * An input or output of a run: the lineage edge {@code node -> run} for an input, {@code run -> node} for an output.
 *
 * @param role  whether the node was read or written
 * @param node  the dataset version, artifact or model version
 */
public record RunLink(Role role, NodeRef node) {
    /** Whether a run read or wrote a node. */
    public enum Role { INPUT, OUTPUT }

    public RunLink {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(node, "node");
    }

    public static RunLink input(NodeRef node) {
        return new RunLink(Role.INPUT, node);
    }

    public static RunLink output(NodeRef node) {
        return new RunLink(Role.OUTPUT, node);
    }
}
