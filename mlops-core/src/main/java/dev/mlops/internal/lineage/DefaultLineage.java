package dev.mlops.internal.lineage;

import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.internal.AccessControl;
import dev.mlops.internal.Context;
import dev.mlops.lineage.Direction;
import dev.mlops.internal.Validate;
import dev.mlops.lineage.Lineage;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.security.Permission;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.LineageQuery;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The lineage API over the metadata store: breadth-first traversals that ask the store for one level of edges per
 * call ({@link MetadataStore#lineageEdges}), and the DOT, Mermaid and OpenLineage exports.
 *
 * <p>Traversal order is deterministic: nodes are reported by breadth-first level, then by id; edges by the level at
 * which the walk followed them, then by {@code from} id, then by {@code to} id. Every node is visited once, so even
 * a store that (wrongly) holds a cycle cannot make a traversal loop. Thread-safe: it keeps no mutable state.
 */
public final class DefaultLineage implements Lineage {
    /** The job and dataset namespace used in OpenLineage events when none is configured. */
    public static final String DEFAULT_NAMESPACE = OpenLineageEvents.DEFAULT_NAMESPACE;

    private static final Comparator<LineageEdge> EDGE_ORDER =
            Comparator.comparing((LineageEdge e) -> e.from().id()).thenComparing(e -> e.to().id());

    private final MetadataStore store;
    private final AccessControl access;
    private final OpenLineageEvents openLineage;

    /** Lineage over {@code context.store()}, with OpenLineage namespace {@value #DEFAULT_NAMESPACE}. */
    public DefaultLineage(Context context) {
        this(context, DEFAULT_NAMESPACE);
    }

    /**
     * Lineage over {@code context.store()}.
     *
     * @param namespace the OpenLineage namespace of jobs and of datasets without a location of their own (see
     *                  {@code docs/lineage.md}); 1 to 256 characters without control characters
     */
    public DefaultLineage(Context context, String namespace) {
        Objects.requireNonNull(context, "context");
        this.store = context.store();
        this.access = new AccessControl(context);
        this.openLineage = new OpenLineageEvents(store, namespace);
    }

    @Override
    public LineageGraph query(LineageQuery query) {
        if (query == null) {
            throw new InvalidArgumentException("query", "query is required");
        }
        Walk walk = walk(query.root(), query.direction(), query.maxDepth(), null);
        if (walk.edges.isEmpty()) {
            requireKnown(query.root());
        }
        List<NodeRef> nodes = new ArrayList<>();
        Set<NodeRef> kept = new HashSet<>();
        for (NodeRef node : walk.order) {
            if (node.equals(query.root()) || query.kinds().contains(node.kind())) {
                nodes.add(node);
                kept.add(node);
            }
        }
        List<LineageEdge> edges = new ArrayList<>();
        for (LineageEdge edge : walk.edges) {
            if (kept.contains(edge.from()) && kept.contains(edge.to())) {
                edges.add(edge);
            }
        }
        return new LineageGraph(query.root(), nodes, edges);
    }

    @Override
    public NodeRef node(String id) {
        Validate.required("id", id);
        if (id.startsWith("model:") && id.indexOf('@') > 0) {
            ModelRef ref = ModelRef.parse(id);
            // Resolving an alias reads the registry, so it needs what the registry's resolve needs.
            access.require(Permission.READ, ref.modelName(), "model:" + ref.modelName(), "resolve " + ref);
            RegisteredModel model = store.getModel(ref.modelName()).orElseThrow(() ->
                    new NotFoundException("model " + ref.modelName() + " does not exist"));
            Integer version = model.aliases().get(ref.alias());
            if (version == null) {
                throw new NotFoundException("model " + ref.modelName() + " has no alias '" + ref.alias() + "'");
            }
            return NodeRef.model(ref.modelName(), version);
        }
        return NodeRef.parse(id);
    }

    @Override
    public LineageGraph upstream(NodeRef node, int maxDepth) {
        return query(LineageQuery.upstream(requireNode("node", node), maxDepth));
    }

    @Override
    public LineageGraph downstream(NodeRef node, int maxDepth) {
        return query(LineageQuery.downstream(requireNode("node", node), maxDepth));
    }

    @Override
    public LineageGraph impact(NodeRef node) {
        return query(LineageQuery.downstream(requireNode("node", node), LineageQuery.MAX_DEPTH));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Walks downstream from {@code from}, following edges only in their own direction, so a path exists when
     * {@code to} was derived (at most {@code maxDepth} edges away) from {@code from}; the path from a node to itself
     * is the empty list. Among several shortest paths the one whose edges come first in (from id, to id) order at
     * each level is returned.
     *
     * @throws InvalidArgumentException when a node is null or {@code maxDepth} is not between 1 and
     *                                  {@link LineageQuery#MAX_DEPTH}
     */
    @Override
    public Optional<List<LineageEdge>> path(NodeRef from, NodeRef to, int maxDepth) {
        requireNode("from", from);
        requireNode("to", to);
        requireDepth("maxDepth", maxDepth);
        if (from.equals(to)) {
            requireKnown(from);
            return Optional.of(List.of());
        }
        Walk walk = walk(from, Direction.DOWNSTREAM, maxDepth, to);
        LineageEdge last = walk.discoveredBy.get(to);
        if (last == null) {
            requireKnown(from);
            requireKnown(to);
            return Optional.empty();
        }
        List<LineageEdge> path = new ArrayList<>();
        for (LineageEdge e = last; e != null; e = walk.discoveredBy.get(e.from())) {
            path.add(e);
        }
        Collections.reverse(path);
        return Optional.of(List.copyOf(path));
    }

    @Override
    public String toDot(LineageGraph graph) {
        return GraphFormats.dot(requireGraph(graph));
    }

    @Override
    public String toMermaid(LineageGraph graph) {
        return GraphFormats.mermaid(requireGraph(graph));
    }

    @Override
    public List<String> openLineageEvents(String runId) {
        return openLineage.eventsOf(runId);
    }

    @Override
    public long exportOpenLineage(OutputStream out) {
        if (out == null) {
            throw new InvalidArgumentException("out", "out is required");
        }
        return openLineage.exportAll(out);
    }

    /** The outcome of a breadth-first walk. */
    private static final class Walk {
        /** Every node reached, by level, then id; the root first. */
        final List<NodeRef> order = new ArrayList<>();
        /** Every edge followed, by level, then (from, to). */
        final List<LineageEdge> edges = new ArrayList<>();
        /** For each node but the root, the first edge (in walk order) that reached it. */
        final Map<NodeRef, LineageEdge> discoveredBy = new HashMap<>();
    }

    /**
     * Walks from {@code root} level by level, one store call per level, until {@code maxDepth} levels were walked,
     * nothing new was reached, or {@code target} (when not null) was reached.
     */
    private Walk walk(NodeRef root, Direction direction, int maxDepth, NodeRef target) {
        Walk walk = new Walk();
        Set<NodeRef> visited = new HashSet<>();
        Set<LineageEdge> seenEdges = new HashSet<>();
        visited.add(root);
        walk.order.add(root);
        List<NodeRef> frontier = List.of(root);
        for (int level = 1; level <= maxDepth && !frontier.isEmpty(); level++) {
            Set<NodeRef> inFrontier = new HashSet<>(frontier);
            List<LineageEdge> fetched = new ArrayList<>(store.lineageEdges(frontier, direction));
            fetched.sort(EDGE_ORDER);
            TreeSet<NodeRef> next = new TreeSet<>();
            Map<NodeRef, LineageEdge> firstEdge = new LinkedHashMap<>();
            for (LineageEdge edge : fetched) {
                boolean startsAtFrontier = inFrontier.contains(edge.from());
                boolean endsAtFrontier = inFrontier.contains(edge.to());
                List<NodeRef> reached = new ArrayList<>(2);
                if (direction != Direction.UPSTREAM && startsAtFrontier) {
                    reached.add(edge.to());
                }
                if (direction != Direction.DOWNSTREAM && endsAtFrontier) {
                    reached.add(edge.from());
                }
                if (reached.isEmpty()) {
                    continue; // the store returned an edge that does not touch the frontier the way asked
                }
                if (seenEdges.add(edge)) {
                    walk.edges.add(edge);
                }
                for (NodeRef node : reached) {
                    if (!visited.contains(node)) {
                        next.add(node);
                        firstEdge.putIfAbsent(node, edge);
                    }
                }
            }
            visited.addAll(next);
            walk.order.addAll(next);
            walk.discoveredBy.putAll(firstEdge);
            if (target != null && next.contains(target)) {
                break;
            }
            frontier = List.copyOf(next);
        }
        return walk;
    }

    /**
     * A node is known when it is a stored run, a registered dataset version, or touched by an edge; anything else
     * is most likely a typo, answered with {@code NOT_FOUND} rather than an empty graph.
     */
    private void requireKnown(NodeRef node) {
        boolean known = switch (node.kind()) {
            case RUN -> store.getRun(node.key()).isPresent();
            case DATASET -> store.getDataset(node.name(), node.version()).isPresent();
            case MODEL -> store.getModelVersion(node.name(), Integer.parseInt(node.version())).isPresent();
            case ARTIFACT -> false;
        };
        if (!known && store.lineageEdges(List.of(node), Direction.BOTH).isEmpty()) {
            throw new NotFoundException(node.kind().prefix() + " " + node + " is not in the store"
                    + (node.kind() == dev.mlops.lineage.NodeKind.RUN ? "" : " and has no lineage"));
        }
    }

    private static NodeRef requireNode(String field, NodeRef node) {
        if (node == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        return node;
    }

    private static LineageGraph requireGraph(LineageGraph graph) {
        if (graph == null) {
            throw new InvalidArgumentException("graph", "graph is required");
        }
        return graph;
    }

    private static void requireDepth(String field, int depth) {
        if (depth < 1 || depth > LineageQuery.MAX_DEPTH) {
            throw new InvalidArgumentException(field, field + " must be between 1 and " + LineageQuery.MAX_DEPTH
                    + ", was " + depth);
        }
    }
}
