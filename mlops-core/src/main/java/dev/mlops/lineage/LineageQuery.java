package dev.mlops.lineage;

import dev.mlops.InvalidArgumentException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A traversal of the lineage graph from a root node, breadth first, asking the store for one level at a time.
 *
 * <p>Semantics:
 * <ul>
 *   <li>{@link Direction#UPSTREAM} follows edges backwards (to what a node was made from), {@link Direction#DOWNSTREAM}
 *       forwards (to what a node fed), {@link Direction#BOTH} either way at every step, so it also reaches siblings
 *       (another run that read the same dataset): the neighbourhood of radius {@code maxDepth}.</li>
 *   <li>A node is in the answer when a walk of at most {@code maxDepth} edges reaches it; an edge is in the answer
 *       when the walk followed it, that is when it leaves (in the walk's direction) a node fewer than
 *       {@code maxDepth} edges from the root. Each node is visited once, so a cycle cannot make a walk loop.</li>
 *   <li>The root is always in the answer, first, whatever its kind. A root the store does not know (not a stored
 *       run, not a registered dataset version, and touched by no edge) is answered with {@code NOT_FOUND}.</li>
 *   <li>The kind filter applies to the answer, not to the walk: nodes of other kinds are walked through (and count
 *       for the depth) but left out, together with every edge that touches them; no edges are made up to bridge
 *       them. Upstream of a model with {@code kinds = {DATASET}} gives the model and the datasets it came from, and
 *       no edges.</li>
 *   <li>Order: nodes by distance from the root, then by id; edges by the level at which they were followed, then by
 *       {@code from} id, then by {@code to} id. The same store state gives the same answer.</li>
 * </ul>
 *
 * @param root      where to start
 * @param direction which way to walk
 * @param maxDepth  how many edges at most from the root, 1 to {@value #MAX_DEPTH}
 * @param kinds     the node kinds to report; nodes of other kinds are still walked through but left out of the
 *                  answer together with the edges that touch them; all kinds when empty
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
        kinds = kinds == null || kinds.isEmpty() ? Set.copyOf(EnumSet.allOf(NodeKind.class)) : Set.copyOf(kinds);
    }

    public static LineageQuery upstream(NodeRef root, int maxDepth) {
        return new LineageQuery(root, Direction.UPSTREAM, maxDepth, Set.of());
    }

    public static LineageQuery downstream(NodeRef root, int maxDepth) {
        return new LineageQuery(root, Direction.DOWNSTREAM, maxDepth, Set.of());
    }
}
