package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store's own behaviour on a real SQLite file; the compatibility kit covers the contract more widely. */
class JdbcStoreBehaviourTest {
    @TempDir
    Path dir;

    private JdbcStore store;

    @BeforeEach
    void open() {
        store = JdbcStore.sqlite(dir.resolve("m.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long events() {
        return store.auditHead().map(AuditEvent::seq).orElse(0L);
    }

    // ---- runs -----------------------------------------------------------------------------------------------------

    @Test
    void creatingTheSameRunAgainReturnsTheStoredOneAndAppendsNoEvent() {
        NewRun run = new NewRun("r1", "train", null, T0, Map.of("a", "1"), null, Map.of("jvm", "17"));
        Created<Run> first = store.createRun(run, audit("run.create", "run:r1"));
        store.setTags("r1", Map.of("a", "2"), audit("run.tags", "run:r1"));
        Created<Run> again = store.createRun(run, audit("run.create", "run:r1"));
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.value().tags()).containsEntry("a", "2");
        assertThat(events()).isEqualTo(2);
    }

    @Test
    void creatingARunWithTheSameIdButOtherContentIsAlreadyExistsAndChangesNothing() {
        store.createRun(new NewRun("r1", "train", null, T0, Map.of(), null, Map.of()), audit("run.create", "r"));
        assertThatThrownBy(() -> store.createRun(new NewRun("r1", "evaluate", null, T0, Map.of(), null, Map.of()),
                audit("run.create", "r")))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("r1").hasMessageContaining("job");
        assertThat(store.getRun("r1").orElseThrow().jobName()).isEqualTo("train");
        assertThat(events()).isEqualTo(1);
    }

    @Test
    void aRunWhoseParentDoesNotExistIsNotFound() {
        assertThatThrownBy(() -> store.createRun(new NewRun("child", "train", "nobody", T0, Map.of(), null,
                Map.of()), audit("run.create", "r"))).isInstanceOf(NotFoundException.class).hasMessageContaining("nobody");
        assertThat(store.getRun("child")).isEmpty();
        assertThat(events()).isZero();
    }

    @Test
    void timesKeepMillisecondPrecision() {
        Instant precise = Instant.parse("2026-01-31T12:00:00.123456789Z");
        String id = Fixtures.createRun(store, "train", precise);
        assertThat(store.getRun(id).orElseThrow().startTime()).isEqualTo(Instant.parse("2026-01-31T12:00:00.123Z"));
        assertThat(store.searchRuns(RunQuery.builder().startedAfter(precise).build(), PageRequest.first()).items())
                .isEmpty();
        assertThat(store.searchRuns(RunQuery.builder().startedAfter(precise.minusNanos(456789)).build(),
                PageRequest.first()).items()).hasSize(1);
        assertThat(store.searchRuns(RunQuery.builder().startedBefore(precise).build(), PageRequest.first()).items())
                .hasSize(1);
    }

    @Test
    void finishingMovesRunningToAnEndStateOnce() {
        String id = Fixtures.createRun(store, "train", T0);
        Run failed = store.finishRun(id, RunStatus.FAILED, T0.plusSeconds(5), "out of memory", audit("run.finish", id));
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.endTime()).isEqualTo(T0.plusSeconds(5));
        assertThat(failed.error()).isEqualTo("out of memory");
        assertThatThrownBy(() -> store.finishRun(id, RunStatus.COMPLETED, T0, null, audit("run.finish", id)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("FAILED");
        assertThatThrownBy(() -> store.finishRun("nope", RunStatus.COMPLETED, T0, null, audit("run.finish", "x")))
                .isInstanceOf(NotFoundException.class);
        assertThat(events()).isEqualTo(2);
    }

    @Test
    void heartbeatsMoveTheLastHeartbeatOfARunningRunOnly() {
        String id = Fixtures.createRun(store, "train", T0);
        assertThat(store.getRun(id).orElseThrow().lastHeartbeat()).isEqualTo(T0);
        store.heartbeat(id, T0.plusSeconds(30));
        assertThat(store.getRun(id).orElseThrow().lastHeartbeat()).isEqualTo(T0.plusSeconds(30));
        store.finishRun(id, RunStatus.COMPLETED, T0.plusSeconds(40), null, audit("run.finish", id));
        store.heartbeat(id, T0.plusSeconds(60));
        assertThat(store.getRun(id).orElseThrow().lastHeartbeat()).isEqualTo(T0.plusSeconds(30));
        assertThatThrownBy(() -> store.heartbeat("nope", T0)).isInstanceOf(NotFoundException.class);
        assertThat(events()).isEqualTo(2);
    }

    @Test
    void paramsAreWriteOnceAndAConflictingCallStoresNothing() {
        String id = Fixtures.createRun(store, "train", T0);
        store.logParams(id, Map.of("lr", "0.1"), audit("run.params", id));
        store.logParams(id, Map.of("lr", "0.1", "epochs", "3"), audit("run.params", id));
        assertThatThrownBy(() -> store.logParams(id, Map.of("lr", "0.2", "batch", "32"), audit("run.params", id)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("'lr'");
        assertThat(store.getRun(id).orElseThrow().params()).isEqualTo(Map.of("lr", "0.1", "epochs", "3"));
        assertThat(events()).isEqualTo(3);
    }

    @Test
    void aFinishedRunTakesTagsButNoParamsMetricsOrLinks() {
        String id = Fixtures.createRun(store, "train", T0);
        store.finishRun(id, RunStatus.COMPLETED, T0, null, audit("run.finish", id));
        long before = events();
        assertThatThrownBy(() -> store.logParams(id, Map.of("a", "1"), audit("x", id)))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.logMetrics(id, List.of(new MetricPoint("m", 1, 0, T0)), audit("x", id)))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.addLinks(id, List.of(RunLink.output(NodeRef.model("m", 1))), audit("x", id)))
                .isInstanceOf(ConflictException.class);
        assertThat(events()).isEqualTo(before);
        store.setTags(id, Map.of("reviewed", "yes"), audit("run.tags", id));
        assertThat(store.getRun(id).orElseThrow().tags()).containsEntry("reviewed", "yes");
        assertThatThrownBy(() -> store.setTags("nope", Map.of("a", "b"), audit("x", "y")))
                .isInstanceOf(NotFoundException.class);
    }

    // ---- metrics --------------------------------------------------------------------------------------------------

    @Test
    void aHundredThousandPointsAreOneBatchOneEventAndPageBackInOrder() {
        String id = Fixtures.createRun(store, "train", T0);
        int n = 100_000;
        List<MetricPoint> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            points.add(new MetricPoint("loss", 1.0 / (i + 1), i, T0.plusMillis(i)));
        }
        store.logMetrics(id, points, audit("run.metrics", id));
        assertThat(events()).isEqualTo(2);
        List<MetricPoint> read = new ArrayList<>();
        PageRequest page = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
        while (true) {
            Page<MetricPoint> p = store.metricHistory(id, "loss", page);
            read.addAll(p.items());
            if (p.nextPageToken() == null) {
                break;
            }
            page = page.next(p);
        }
        assertThat(read).isEqualTo(points);
        assertThat(store.getRun(id).orElseThrow().latestMetrics().get("loss")).isEqualTo(points.get(n - 1));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void historyAndLatestFollowStepThenTimestampThenInsertionOrder(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        String id = Fixtures.createRun(store, "train", T0);
        List<MetricPoint> all = new ArrayList<>();
        int batches = 1 + random.nextInt(5);
        for (int b = 0; b < batches; b++) {
            List<MetricPoint> batch = new ArrayList<>();
            int size = 1 + random.nextInt(30);
            for (int i = 0; i < size; i++) {
                String key = random.nextBoolean() ? "loss" : "acc";
                batch.add(new MetricPoint(key, random.nextDouble(-10, 10), random.nextInt(5),
                        T0.plusMillis(random.nextInt(4))));
            }
            store.logMetrics(id, batch, audit("run.metrics", id));
            all.addAll(batch);
        }
        for (String key : List.of("loss", "acc")) {
            // A stable sort keeps insertion order among equal (step, timestamp).
            List<MetricPoint> expected = all.stream().filter(p -> p.key().equals(key))
                    .sorted(Comparator.comparingLong(MetricPoint::step).thenComparing(MetricPoint::timestamp))
                    .toList();
            int pageSize = 1 + random.nextInt(7);
            List<MetricPoint> read = readAll(p -> store.metricHistory(id, key, p), pageSize);
            assertThat(read).isEqualTo(expected);
            MetricPoint latest = store.getRun(id).orElseThrow().latestMetrics().get(key);
            assertThat(latest).isEqualTo(expected.isEmpty() ? null : expected.get(expected.size() - 1));
        }
    }

    @Test
    void theHistoryOfAMissingRunIsNotFoundAndOfAMissingKeyIsEmpty() {
        String id = Fixtures.createRun(store, "train", T0);
        assertThat(store.metricHistory(id, "nothing", PageRequest.first()).items()).isEmpty();
        assertThatThrownBy(() -> store.metricHistory("nope", "loss", PageRequest.first()))
                .isInstanceOf(NotFoundException.class);
    }

    // ---- search ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void searchFindsExactlyWhatTheReferenceSemanticsMatchInTheDocumentedOrder(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String parent = !ids.isEmpty() && random.nextInt(4) == 0 ? ids.get(random.nextInt(ids.size())) : null;
            String id = String.format("run-%03d", random.nextInt(1000)) + "-" + i;
            store.createRun(new NewRun(id, "job" + random.nextInt(3), parent,
                    T0.plusSeconds(random.nextInt(10)), Map.of("team", "t" + random.nextInt(2)), null, Map.of()),
                    audit("run.create", id));
            ids.add(id);
            if (random.nextBoolean()) {
                store.logParams(id, Map.of("lr", "0." + random.nextInt(3)), audit("run.params", id));
            }
            if (random.nextBoolean()) {
                store.logMetrics(id, List.of(new MetricPoint("acc", random.nextInt(5) / 4.0, 0, T0),
                        new MetricPoint("acc", random.nextInt(5) / 4.0, random.nextInt(2), T0)), audit("m", id));
            }
            if (random.nextInt(3) == 0) {
                store.finishRun(id, random.nextBoolean() ? RunStatus.COMPLETED : RunStatus.FAILED, T0, null,
                        audit("run.finish", id));
            }
        }
        List<Run> all = readAll(p -> store.searchRuns(RunQuery.all(), p), 1000);
        assertThat(all).hasSize(ids.size());
        for (int q = 0; q < 30; q++) {
            RunQuery.Builder b = RunQuery.builder();
            if (random.nextInt(3) == 0) {
                b.jobName("job" + random.nextInt(3));
            }
            if (random.nextInt(4) == 0) {
                b.status(RunStatus.values()[random.nextInt(3)]);
            }
            if (random.nextInt(3) == 0) {
                b.tag("team", "t" + random.nextInt(2));
            }
            if (random.nextInt(3) == 0) {
                b.param("lr", "0." + random.nextInt(3));
            }
            if (random.nextInt(3) == 0) {
                b.metric("acc", dev.mlops.tracking.MetricFilter.Comparison.values()[random.nextInt(5)],
                        random.nextInt(5) / 4.0);
            }
            if (random.nextInt(4) == 0) {
                b.startedAfter(T0.plusSeconds(random.nextInt(10)));
            }
            if (random.nextInt(4) == 0) {
                b.startedBefore(T0.plusSeconds(random.nextInt(10)));
            }
            if (random.nextInt(5) == 0) {
                b.parentRunId(ids.get(random.nextInt(ids.size())));
            }
            RunQuery query = b.build();
            List<Run> expected = all.stream().filter(query::matches)
                    .sorted(Comparator.comparing(Run::startTime).thenComparing(Run::id).reversed()).toList();
            assertThat(readAll(p -> store.searchRuns(query, p), 1 + random.nextInt(6)))
                    .as("query %s", query).isEqualTo(expected);
        }
    }

    @Test
    void runsAddedBetweenPagesDoNotMakeOthersRepeatOrVanish() {
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            before.add(Fixtures.createRun(store, "train", T0.plusSeconds(i % 3)));
        }
        List<String> seen = new ArrayList<>();
        PageRequest request = PageRequest.first(3);
        int added = 0;
        while (true) {
            Page<Run> page = store.searchRuns(RunQuery.all(), request);
            page.items().forEach(r -> seen.add(r.id()));
            Fixtures.createRun(store, "train", T0.plusSeconds(added++ % 4));
            if (page.nextPageToken() == null) {
                break;
            }
            request = request.next(page);
        }
        assertThat(seen).doesNotHaveDuplicates().containsAll(before);
    }

    @Test
    void malformedOrForeignPageTokensAreInvalidArguments() {
        String id = Fixtures.createRun(store, "train", T0);
        Fixtures.createRun(store, "train", T0);
        store.logMetrics(id, List.of(new MetricPoint("m", 1, 0, T0), new MetricPoint("m", 2, 1, T0)), audit("m", id));
        String runsToken = store.searchRuns(RunQuery.all(), PageRequest.first(1)).nextPageToken();
        assertThat(runsToken).isNotNull();
        String garbage = Base64.getUrlEncoder().encodeToString("runs|notanumber|x".getBytes());
        for (String token : List.of("!!!not base64!!!", garbage, "cnVucw")) {
            assertInvalidToken(() -> store.searchRuns(RunQuery.all(), new PageRequest(5, token)));
        }
        assertInvalidToken(() -> store.metricHistory(id, "m", new PageRequest(5, runsToken)));
        assertInvalidToken(() -> store.listDatasets(null, new PageRequest(5, runsToken)));
        assertInvalidToken(() -> store.listDatasets("x", new PageRequest(5, "%%%")));
    }

    private static void assertInvalidToken(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.field()).contains("pageToken"));
    }

    // ---- datasets -------------------------------------------------------------------------------------------------

    private static DatasetVersion dataset(String name, int n, long size, String createdBy) {
        String digest = "sha256:" + String.format("%064x", n);
        return new DatasetVersion(name, digest, "file:/d/" + name + n, "binary", size, null, null, Map.of(),
                T0.plusSeconds(n), createdBy);
    }

    @Test
    void registeringTheSameNameAndDigestAgainKeepsTheFirstRegistration() {
        DatasetVersion original = dataset("train", 1, 10, "alice");
        Created<DatasetVersion> first = store.registerDataset(original, audit("d", "x"));
        DatasetVersion described = new DatasetVersion("train", original.version(), "file:/elsewhere.csv", "csv", 10,
                new dev.mlops.data.DatasetSchema(List.of(new dev.mlops.data.Column("a",
                        dev.mlops.data.ColumnType.NUMERIC))), 3L, Map.of("k", "v"), T0.plusSeconds(99), "bob");
        Created<DatasetVersion> again = store.registerDataset(described, audit("d", "x"));
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.value()).isEqualTo(original);
        assertThat(events()).isEqualTo(1);
    }

    @Test
    void datasetsAreListedInRegistrationOrderOverAllNamesOrOne() {
        List<DatasetVersion> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            DatasetVersion d = dataset(i % 3 == 0 ? "a" : "b", 100 - i, i, "alice");
            store.registerDataset(d, audit("d", "x"));
            all.add(d);
        }
        assertThat(readAll(p -> store.listDatasets(null, p), 5)).isEqualTo(all);
        assertThat(readAll(p -> store.listDatasets("a", p), 2))
                .isEqualTo(all.stream().filter(d -> d.name().equals("a")).toList());
        assertThat(store.listDatasets("none", PageRequest.first()).items()).isEmpty();
        assertThat(store.getDataset("a", all.get(0).version())).contains(all.get(0));
        assertThat(store.getDataset("b", all.get(0).version())).isEmpty();
    }

    // ---- lineage --------------------------------------------------------------------------------------------------

    @Test
    void linksAreEdgesInTheDirectionDataFlowsAndDuplicatesAreIgnored() {
        String id = Fixtures.createRun(store, "train", T0);
        NodeRef in = NodeRef.dataset("train", "sha256:" + "1".repeat(64));
        NodeRef out = NodeRef.model("rain", 1);
        NodeRef run = NodeRef.run(id);
        store.addLinks(id, List.of(RunLink.input(in), RunLink.output(out)), audit("run.links", id));
        store.addLinks(id, List.of(RunLink.input(in)), audit("run.links", id));
        LineageEdge read = new LineageEdge(in, run, EdgeKind.INPUT);
        LineageEdge wrote = new LineageEdge(run, out, EdgeKind.OUTPUT);
        assertThat(store.getRun(id).orElseThrow().links()).containsExactly(RunLink.input(in), RunLink.output(out));
        assertThat(store.lineageEdges(List.of(run), Direction.UPSTREAM)).containsExactly(read);
        assertThat(store.lineageEdges(List.of(run), Direction.DOWNSTREAM)).containsExactly(wrote);
        assertThat(store.lineageEdges(List.of(run, in), Direction.BOTH)).containsExactly(read, wrote);
        assertThat(store.lineageEdges(List.of(in), Direction.UPSTREAM)).isEmpty();
        assertThat(store.lineageEdges(List.of(), Direction.BOTH)).isEmpty();
    }

    @Test
    void edgesOfManyNodesAreOrderedByFromThenTo() {
        List<NodeRef> runs = new ArrayList<>();
        NodeRef shared = NodeRef.dataset("shared", "sha256:" + "2".repeat(64));
        for (int i = 0; i < 600; i++) {
            String id = Fixtures.createRun(store, "train", T0);
            store.addLinks(id, List.of(RunLink.input(shared), RunLink.output(NodeRef.model("m", i + 1))),
                    audit("run.links", id));
            runs.add(NodeRef.run(id));
        }
        List<LineageEdge> edges = store.lineageEdges(runs, Direction.BOTH);
        assertThat(edges).hasSize(1200);
        assertThat(edges).isSortedAccordingTo(Comparator.comparing((LineageEdge e) -> e.from().id())
                .thenComparing(e -> e.to().id()));
        assertThat(store.lineageEdges(List.of(shared), Direction.DOWNSTREAM)).hasSize(600);
    }

    // ---- audit ----------------------------------------------------------------------------------------------------

    @Test
    void erasingDataKeepsTheDigestAndTheChainAndIsItselfAnEvent() {
        String id = Fixtures.createRun(store, "train", T0);
        store.logParams(id, Map.of("a", "1"), audit("run.params", id));
        AuditEvent original = store.auditEvents(0, 1).get(0);
        AuditEvent returned = store.eraseAuditData(1, audit("audit.erase", "audit:1"));
        assertThat(returned).isEqualTo(original.withDataErased());
        assertThat(store.auditEvents(0, 1)).containsExactly(original.withDataErased());
        Fixtures.assertChainIntact(Fixtures.chain(store));
        AuditEvent erasure = store.auditHead().orElseThrow();
        assertThat(erasure.seq()).isEqualTo(3);
        assertThat(erasure.action()).isEqualTo("audit.erase");
        assertThatThrownBy(() -> store.eraseAuditData(99, audit("audit.erase", "audit:99")))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("99");
        assertThat(events()).isEqualTo(3);
    }

    @Test
    void checkpointsAreKeptInOrderEachWithAnEvent() {
        Fixtures.createRun(store, "train", T0);
        AuditEvent head = store.auditHead().orElseThrow();
        AuditCheckpoint a = new AuditCheckpoint(head.seq(), head.hash(), T0, "k1", "c2ln");
        AuditCheckpoint b = new AuditCheckpoint(head.seq() + 1, "f".repeat(64), T0.plusSeconds(1), "k2", "c2lnMg==");
        store.addCheckpoint(a, audit("audit.checkpoint", "audit"));
        store.addCheckpoint(b, audit("audit.checkpoint", "audit"));
        assertThat(store.checkpoints()).containsExactly(a, b);
        assertThat(events()).isEqualTo(3);
        assertThat(store.auditEvents(1, 1)).extracting(AuditEvent::seq).containsExactly(2L);
        assertThat(store.auditEvents(3, 10)).isEmpty();
    }

    @Test
    void aConstraintViolationMapsToItsErrorCode() {
        Transactions tx = new Transactions("sqlite:test", new SqliteDialect("sqlite:test"),
                new ConnectionPool(new SqliteDialect("sqlite:test").opener(dir.resolve("m.db")), 1));
        try (tx) {
            DatasetVersion d = dataset("train", 1, 10, "alice");
            tx.write("insert", c -> {
                DatasetTable.insert(c, d);
                return null;
            });
            assertThatThrownBy(() -> tx.write("insert it again", c -> {
                DatasetTable.insert(c, d);
                return null;
            })).isInstanceOf(AlreadyExistsException.class).hasMessageContaining("cannot insert it again");
            assertThatThrownBy(() -> tx.write("link to nothing", c -> Jdbc.update(c,
                    "INSERT INTO params (run_id, key, value) VALUES ('nobody', 'k', 'v')", List.of())))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    /** Every item of a paginated listing, read with pages of {@code size}. */
    static <T> List<T> readAll(Function<PageRequest, Page<T>> listing, int size) {
        List<T> all = new ArrayList<>();
        PageRequest request = PageRequest.first(size);
        while (true) {
            Page<T> page = listing.apply(request);
            assertThat(page.items().size()).isLessThanOrEqualTo(size);
            all.addAll(page.items());
            if (page.nextPageToken() == null) {
                return all;
            }
            request = request.next(page);
        }
    }
}
