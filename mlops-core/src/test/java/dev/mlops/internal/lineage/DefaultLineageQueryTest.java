package dev.mlops.internal.lineage;

import static dev.mlops.internal.lineage.PipelineFixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.LineageQuery;
import dev.mlops.lineage.NodeKind;
import dev.mlops.lineage.NodeRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DefaultLineageQueryTest {
    static final NodeRef A = RAW_A.node();
    static final NodeRef B = RAW_B.node();
    static final NodeRef F = FEATURES.node();
    static final NodeRef R_PREPARE = NodeRef.run(PREPARE);
    static final NodeRef R_TRAIN = NodeRef.run(TRAIN);
    static final NodeRef R_CHECK = NodeRef.run(CHECK);
    static final NodeRef R_EVALUATE = NodeRef.run(EVALUATE);
    static final NodeRef R_SCORE = NodeRef.run(SCORE);

    final MapMetadataStore store = PipelineFixture.store();
    final DefaultLineage lineage = PipelineFixture.lineage(store);

    static LineageEdge in(NodeRef from, NodeRef run) {
        return new LineageEdge(from, run, EdgeKind.INPUT);
    }

    static LineageEdge out(NodeRef run, NodeRef to) {
        return new LineageEdge(run, to, EdgeKind.OUTPUT);
    }

    @Nested
    @DisplayName("walking downstream")
    class Downstream {
        @Test
        @DisplayName("reaches everything a raw dataset fed, ordered by level then id, one store call per level")
        void impactOfRawDataset() {
            LineageGraph g = lineage.impact(A);

            assertThat(g.root()).isEqualTo(A);
            assertThat(g.nodes()).containsExactly(A, R_PREPARE, F, R_TRAIN, R_CHECK, WEIGHTS, MODEL, R_SCORE,
                    R_EVALUATE);
            assertThat(g.edges()).containsExactly(
                    in(A, R_PREPARE),
                    out(R_PREPARE, F),
                    in(F, R_TRAIN), in(F, R_CHECK),
                    out(R_TRAIN, WEIGHTS), out(R_TRAIN, MODEL),
                    in(MODEL, R_SCORE), in(MODEL, R_EVALUATE));
            // levels 1..5 found something, level 6 found nothing and ended the walk
            assertThat(store.edgeCalls()).hasSize(6);
            assertThat(store.edgeCalls().get(0)).containsExactly(A);
            assertThat(store.edgeCalls().get(2)).containsExactly(F);
            assertThat(store.edgeCalls().get(3)).containsExactly(R_TRAIN, R_CHECK);
        }

        @Test
        @DisplayName("stops at maxDepth edges from the root")
        void depthLimit() {
            LineageGraph g = lineage.downstream(A, 2);

            assertThat(g.nodes()).containsExactly(A, R_PREPARE, F);
            assertThat(g.edges()).containsExactly(in(A, R_PREPARE), out(R_PREPARE, F));
            assertThat(store.edgeCalls()).hasSize(2);
        }
    }

    @Nested
    @DisplayName("walking upstream")
    class Upstream {
        @Test
        @DisplayName("finds what produced a model version, against the edges")
        void provenanceOfModel() {
            LineageGraph g = lineage.upstream(MODEL, LineageQuery.MAX_DEPTH);

            assertThat(g.nodes()).containsExactly(MODEL, R_TRAIN, F, R_PREPARE, A, B);
            assertThat(g.edges()).containsExactly(
                    out(R_TRAIN, MODEL), in(F, R_TRAIN), out(R_PREPARE, F), in(A, R_PREPARE), in(B, R_PREPARE));
            assertThat(g.nodes()).doesNotContain(R_CHECK, WEIGHTS); // siblings are not upstream
        }

        @Test
        @DisplayName("a source dataset has no upstream: the answer is the root alone after one store call")
        void sourceHasNoUpstream() {
            LineageGraph g = lineage.upstream(A, 10);

            assertThat(g.nodes()).containsExactly(A);
            assertThat(g.edges()).isEmpty();
            assertThat(store.edgeCalls()).hasSize(1);
        }
    }

    @Nested
    @DisplayName("walking both ways")
    class Both {
        @Test
        @DisplayName("takes every edge at each step, either way, so it also reaches siblings")
        void neighbourhood() {
            LineageGraph g = lineage.query(new LineageQuery(F, Direction.BOTH, 2, Set.of()));

            assertThat(g.nodes()).containsExactly(F, R_PREPARE, R_TRAIN, R_CHECK, WEIGHTS, A, B, MODEL);
            assertThat(g.edges()).containsExactly(
                    in(F, R_TRAIN), in(F, R_CHECK), out(R_PREPARE, F), // level 1, by from id, then to id
                    in(A, R_PREPARE), in(B, R_PREPARE), out(R_TRAIN, WEIGHTS), out(R_TRAIN, MODEL));
        }
    }

    @Nested
    @DisplayName("the node-kind filter")
    class KindFilter {
        @Test
        @DisplayName("walks through runs but reports only datasets, and no edge touching a run")
        void datasetsOnly() {
            LineageGraph g = lineage.query(new LineageQuery(MODEL, Direction.UPSTREAM, 100, Set.of(NodeKind.DATASET)));

            assertThat(g.nodes()).containsExactly(MODEL, F, A, B); // the root stays although it is a model
            assertThat(g.edges()).isEmpty();
        }

        @Test
        @DisplayName("keeps the edges whose two ends are both reported")
        void keepsEdgesBetweenReportedNodes() {
            LineageGraph g = lineage.query(new LineageQuery(A, Direction.DOWNSTREAM, 100,
                    EnumSet.of(NodeKind.RUN, NodeKind.MODEL)));

            assertThat(g.nodes()).containsExactly(A, R_PREPARE, R_TRAIN, R_CHECK, MODEL, R_SCORE, R_EVALUATE);
            assertThat(g.edges()).containsExactly(in(A, R_PREPARE), out(R_TRAIN, MODEL), in(MODEL, R_SCORE),
                    in(MODEL, R_EVALUATE));
        }

        @Test
        @DisplayName("still counts the depth through nodes it leaves out")
        void depthCountsHiddenNodes() {
            LineageGraph g = lineage.query(new LineageQuery(A, Direction.DOWNSTREAM, 3, Set.of(NodeKind.RUN)));

            assertThat(g.nodes()).containsExactly(A, R_PREPARE, R_TRAIN, R_CHECK);
        }
    }

    @Nested
    @DisplayName("odd graphs and bad input")
    class Edges {
        @Test
        @DisplayName("a node the store does not know is not found, for queries and paths alike")
        void unknownRoot() {
            NodeRef unknown = NodeRef.dataset("nowhere", digest("nowhere"));
            for (Direction d : Direction.values()) {
                assertThatThrownBy(() -> lineage.query(new LineageQuery(unknown, d, 5, Set.of())))
                        .isInstanceOf(dev.mlops.NotFoundException.class).hasMessageContaining("nowhere");
            }
            assertThatThrownBy(() -> lineage.path(unknown, A, 5)).isInstanceOf(dev.mlops.NotFoundException.class);
            assertThatThrownBy(() -> lineage.upstream(NodeRef.run("no-such-run"), 5))
                    .isInstanceOf(dev.mlops.NotFoundException.class).hasMessageContaining("no-such-run");
        }

        @ParameterizedTest
        @EnumSource(Direction.class)
        @DisplayName("a cycle in a broken store is walked once, not forever")
        void cycleGuard(Direction direction) {
            NodeRef d = NodeRef.dataset("loop", digest("loop"));
            NodeRef r = NodeRef.run("looping-run");
            MapMetadataStore broken = new MapMetadataStore()
                    .edge(in(d, r)).edge(out(r, d));
            DefaultLineage l = PipelineFixture.lineage(broken);

            LineageGraph g = l.query(new LineageQuery(d, direction, LineageQuery.MAX_DEPTH, Set.of()));

            assertThat(g.nodes()).containsExactly(d, r);
            assertThat(g.edges()).containsExactlyInAnyOrder(in(d, r), out(r, d));
            assertThat(broken.edgeCalls()).hasSize(2);
            assertThat(l.path(d, r, 5)).contains(List.of(in(d, r)));
            assertThat(l.path(r, d, 5)).contains(List.of(out(r, d)));
        }

        @Test
        @DisplayName("rejects missing arguments and depths out of range, naming the field")
        void badInput() {
            assertThatThrownBy(() -> lineage.query(null)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("query");
            assertThatThrownBy(() -> lineage.impact(null)).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("node"));
            assertThatThrownBy(() -> lineage.upstream(A, 0)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("between 1 and 100");
            assertThatThrownBy(() -> lineage.downstream(A, 101)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> lineage.path(A, MODEL, 0)).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("maxDepth"));
            assertThatThrownBy(() -> lineage.path(null, MODEL, 3)).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("from"));
            assertThatThrownBy(() -> lineage.toDot(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> lineage.toMermaid(null)).isInstanceOf(InvalidArgumentException.class);
            assertThat(store.edgeCalls()).isEmpty();
        }
    }

    @Nested
    @DisplayName("paths")
    class Paths {
        @Test
        @DisplayName("the shortest path follows the edges from a raw dataset to the model it led to")
        void rawToModel() {
            assertThat(lineage.path(A, MODEL, 10)).contains(List.of(
                    in(A, R_PREPARE), out(R_PREPARE, F), in(F, R_TRAIN), out(R_TRAIN, MODEL)));
        }

        @Test
        @DisplayName("there is none against the edges, nor beyond maxDepth; a node reaches itself by no edge")
        void noPath() {
            assertThat(lineage.path(MODEL, A, 100)).isEmpty();
            assertThat(lineage.path(A, MODEL, 3)).isEmpty();
            assertThat(lineage.path(A, MODEL, 4)).isPresent();
            assertThat(lineage.path(WEIGHTS, MODEL, 100)).isEmpty(); // siblings, not a path
            assertThat(lineage.path(A, A, 1)).contains(List.of());
        }

        @Test
        @DisplayName("stops walking once the target is reached")
        void stopsEarly() {
            lineage.path(A, F, 100);
            assertThat(store.edgeCalls()).hasSize(2);
        }

        @Test
        @DisplayName("among equally short paths, takes the edges that come first by id")
        void tieBreak() {
            NodeRef src = NodeRef.dataset("src", digest("src"));
            NodeRef dst = NodeRef.dataset("dst", digest("dst"));
            NodeRef r1 = NodeRef.run("run-b");
            NodeRef r2 = NodeRef.run("run-a");
            MapMetadataStore s = new MapMetadataStore().edge(in(src, r1)).edge(out(r1, dst))
                    .edge(in(src, r2)).edge(out(r2, dst));
            assertThat(PipelineFixture.lineage(s).path(src, dst, 5)).contains(List.of(in(src, r2), out(r2, dst)));
        }
    }

    @Nested
    @DisplayName("on random pipelines (seeded)")
    class Random {
        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233})
        @DisplayName("answers exactly the nodes within maxDepth, ordered by distance then id, with the followed edges")
        void matchesReferenceDistances(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<LineageEdge> edges = randomPipeline(random);
            MapMetadataStore s = new MapMetadataStore();
            edges.forEach(s::edge);
            MapMetadataStore shuffled = new MapMetadataStore();
            List<LineageEdge> copy = new ArrayList<>(edges);
            for (int i = copy.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                LineageEdge t = copy.get(i);
                copy.set(i, copy.get(j));
                copy.set(j, t);
            }
            copy.forEach(shuffled::edge);
            DefaultLineage l = PipelineFixture.lineage(s);
            DefaultLineage l2 = PipelineFixture.lineage(shuffled);

            List<NodeRef> allNodes = edges.stream().flatMap(e -> List.of(e.from(), e.to()).stream())
                    .distinct().sorted().toList();
            for (int q = 0; q < 10; q++) {
                NodeRef root = allNodes.get(random.nextInt(allNodes.size()));
                Direction dir = Direction.values()[random.nextInt(3)];
                int depth = 1 + random.nextInt(6);
                LineageGraph g = l.query(new LineageQuery(root, dir, depth, Set.of()));
                assertThat(l2.query(new LineageQuery(root, dir, depth, Set.of()))).isEqualTo(g);

                Map<NodeRef, Integer> dist = distances(edges, root, dir);
                List<NodeRef> expected = dist.entrySet().stream().filter(e -> e.getValue() <= depth)
                        .map(Map.Entry::getKey)
                        .sorted(Comparator.comparing((NodeRef n) -> dist.get(n)).thenComparing(NodeRef::id))
                        .toList();
                assertThat(g.nodes()).as("root %s %s depth %d", root, dir, depth).isEqualTo(expected);
                // an edge is followed when one end lies within depth - 1 and the walk may go that way
                Set<LineageEdge> expectedEdges = new HashSet<>();
                for (LineageEdge e : edges) {
                    Integer df = dist.get(e.from());
                    Integer dt = dist.get(e.to());
                    boolean down = dir != Direction.UPSTREAM && df != null && df < depth;
                    boolean up = dir != Direction.DOWNSTREAM && dt != null && dt < depth;
                    if (down || up) {
                        expectedEdges.add(e);
                    }
                }
                assertThat(g.edges()).containsExactlyInAnyOrderElementsOf(expectedEdges);

                NodeRef target = allNodes.get(random.nextInt(allNodes.size()));
                Map<NodeRef, Integer> down = distances(edges, root, Direction.DOWNSTREAM);
                Optional<List<LineageEdge>> path = l.path(root, target, depth);
                Integer d = down.get(target);
                if (d != null && d <= depth) {
                    assertThat(path).isPresent();
                    List<LineageEdge> p = path.get();
                    assertThat(p).hasSize(d);
                    NodeRef at = root;
                    for (LineageEdge e : p) {
                        assertThat(edges).contains(e);
                        assertThat(e.from()).isEqualTo(at);
                        at = e.to();
                    }
                    assertThat(at).isEqualTo(target);
                } else {
                    assertThat(path).isEmpty();
                }
            }
        }

        /** A layered pipeline: each run reads some earlier datasets and writes new datasets, artifacts or models. */
        private List<LineageEdge> randomPipeline(SplittableRandom random) {
            List<NodeRef> data = new ArrayList<>();
            List<LineageEdge> edges = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                data.add(NodeRef.dataset("src-" + i, digest("src-" + i + random.nextInt())));
            }
            int runs = 6 + random.nextInt(10);
            for (int r = 0; r < runs; r++) {
                NodeRef run = NodeRef.run("r-" + Integer.toHexString(random.nextInt(1 << 20)) + "-" + r);
                int reads = 1 + random.nextInt(3);
                for (int k = 0; k < reads; k++) {
                    edges.add(in(data.get(random.nextInt(data.size())), run));
                }
                int writes = 1 + random.nextInt(2);
                for (int k = 0; k < writes; k++) {
                    NodeRef node = switch (random.nextInt(3)) {
                        case 0 -> NodeRef.model("m" + random.nextInt(5), 1 + random.nextInt(9));
                        case 1 -> NodeRef.artifact("a" + r + k, digest("a" + r + k));
                        default -> NodeRef.dataset("d" + r + k, digest("d" + r + k));
                    };
                    edges.add(out(run, node));
                    data.add(node);
                }
            }
            return edges.stream().distinct().toList();
        }

        /** Shortest walk lengths from root, by plain relaxation (a reference independent of the BFS code). */
        private Map<NodeRef, Integer> distances(List<LineageEdge> edges, NodeRef root, Direction dir) {
            Map<NodeRef, Integer> dist = new HashMap<>();
            dist.put(root, 0);
            boolean changed = true;
            while (changed) {
                changed = false;
                for (LineageEdge e : edges) {
                    if (dir != Direction.UPSTREAM) {
                        changed |= relax(dist, e.from(), e.to());
                    }
                    if (dir != Direction.DOWNSTREAM) {
                        changed |= relax(dist, e.to(), e.from());
                    }
                }
            }
            return dist;
        }

        private boolean relax(Map<NodeRef, Integer> dist, NodeRef a, NodeRef b) {
            Integer da = dist.get(a);
            if (da == null) {
                return false;
            }
            Integer db = dist.get(b);
            if (db == null || db > da + 1) {
                dist.put(b, da + 1);
                return true;
            }
            return false;
        }
    }
}
