package dev.mlops.lineage;

import dev.mlops.InvalidArgumentException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A traversal of the lineage graph from a root node.
 *
 * @param root      where to start
 * @param direction which way to walk
 * @param maxDepth  how many edges at most from the root, 1 to {@value #MAX_DEPTH}
 * @param kinds     the node kinds to report; nodes of other kinds are still walked through but left out of the
 *                  answer (with their edges replaced by nothing); all kinds when empty
 */
public record LineageQuery(NodeRef root, Direction direction, int maxDepth, Set<NodeKind> kinds) {
    /** The deepest traversal allowed. */
    public static final int MAX_DEPTH = 100;

    public LineageQuery {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(direction, "direction");
        if (maxDepth < 1 || maxDepth > MAX_DEPTH) {
            throw new InvalidArgumentException("depth", "depth must be between 1 and " + MAX_DEPTH + ", was " + maxDepth);
        }
        kinds = kinds.isEmpty() ? Set.copyOf(EnumSet.allOf(NodeKind.class)) : Set.copyOf(kinds);
    }

    public static LineageQuery upstream(NodeRef root, int maxDepth) {
        return new LineageQuery(root, Direction.UPSTREAM, maxDepth, Set.of());
    }

    public static LineageQuery downstream(NodeRef root, int maxDepth) {
        return new LineageQuery(root, Direction.DOWNSTREAM, maxDepth, Set.of());
    }
}
