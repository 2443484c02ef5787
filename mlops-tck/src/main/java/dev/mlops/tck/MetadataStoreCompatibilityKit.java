package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.assertChainIntact;
import static dev.mlops.tck.KitSupport.readAll;
import static dev.mlops.tck.KitSupport.runConcurrently;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.dataset;
import static dev.mlops.tck.TckData.datasetNode;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.run;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tck.KitSupport.Outcome;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricFilter.Comparison;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link MetadataStore} must have, as JUnit 5 tests. Extend this class in a test of your
 * adapter and implement {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends MetadataStoreCompatibilityKit {
 *     @Override
 *     protected MetadataStore createStore() {
 *         return new MyStore(...);   // a new, empty store
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty store from {@link #createStore()} and hands it to {@link #destroyStore} at the end
 * (which closes it; override to also delete files). The tests are grouped in {@link Nested} classes by area, and
 * their display names state the contract they check. They write at most a few hundred changes each, use several
 * threads in the concurrency groups, and finish in seconds on an embedded database.
 *
 * <p>The groups of the model registry, of stored profiles and drift reports, and of the state of retraining
 * policies are inherited from {@link ModelRegistryCompatibilityKit}, {@link ProfileStoreCompatibilityKit} and
 * {@link PolicyStoreCompatibilityKit} (JUnit runs the {@code @Nested} classes of superclasses too), so extending this
 * class runs the whole kit.
 */
public abstract class MetadataStoreCompatibilityKit extends PolicyStoreCompatibilityKit {

    private static final long TIMEOUT_SECONDS = KitSupport.TIMEOUT_SECONDS;

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Run create(NewRun run) {
        Created<Run> c = store.createRun(run, audit("run.create", "run:" + run.id()));
        assertThat(c.created()).as("created flag of a new run " + run.id()).isTrue();
        return c.value();
    }

    private Run create(long n) {
        return create(newRun(n));
    }

    private Run get(String runId) {
        return store.getRun(runId).orElseThrow(() -> new AssertionError("run " + runId + " should exist"));
    }

    private void params(String runId, Map<String, String> params) {
        store.logParams(runId, params, audit("run.params", "run:" + runId));
    }

    private void tags(String runId, Map<String, String> tags) {
        store.setTags(runId, tags, audit("run.tags", "run:" + runId));
    }

    private void metrics(String runId, MetricPoint... points) {
        store.logMetrics(runId, List.of(points), audit("run.metrics", "run:" + runId));
    }

    private void links(String runId, RunLink... links) {
        store.addLinks(runId, List.of(links), audit("run.links", "run:" + runId));
    }

    private Run finish(String runId, RunStatus status) {
        return store.finishRun(runId, status, at(10_000), status == RunStatus.COMPLETED ? null : "boom",
                audit("run.finish", "run:" + runId));
    }

    private Created<DatasetVersion> register(DatasetVersion version) {
        return store.registerDataset(version, audit("dataset.register",
                "dataset:" + version.name() + "@" + version.version()));
    }

    private long auditSize() {
        return KitSupport.auditSize(store);
    }

    private List<AuditEvent> allAuditEvents() {
        return KitSupport.allAuditEvents(store);
    }

    private List<MetricPoint> history(String runId, String key) {
        return readAll(p -> store.metricHistory(runId, key, p), 1000);
    }

    private List<Run> search(RunQuery query) {
        return readAll(p -> store.searchRuns(query, p), 1000);
    }

    private static List<String> ids(List<Run> runs) {
        return runs.stream().map(Run::id).toList();
    }

    /** Everything a client can read about the given runs, datasets and nodes, for "nothing changed" checks. */
    private List<Object> state(List<String> runIds, List<String> metricKeys, List<NodeRef> nodes) {
        List<Object> state = new ArrayList<>();
        for (String id : runIds) {
            state.add(store.getRun(id));
            for (String key : metricKeys) {
                if (store.getRun(id).isPresent()) {
                    state.add(history(id, key));
                }
            }
        }
        state.add(search(RunQuery.all()));
        state.add(readAll(p -> store.listDatasets(null, p), 1000));
        state.add(store.lineageEdges(nodes, Direction.BOTH));
        state.add(allAuditEvents());
        state.add(store.checkpoints());
        return state;
    }

    static List<String> callsAfterClose() {
        return Lifecycle.CALLS_AFTER_CLOSE;
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("creating runs")
    class RunCreation {

        @Test
        @DisplayName("a new run is RUNNING, keeps what it was given, has its start time as last heartbeat and nothing"
                + " logged yet")
        void newRunIsRunning() {
            Run parent = create(1);
            NewRun child = run(2).parent(parent.id()).job("evaluate").tag("team", "vision").tag("empty", "")
                    .env("jvm", "21").build();

            Created<Run> created = store.createRun(child, audit("run.create", "run:" + child.id()));

            assertThat(created.created()).isTrue();
            Run run = created.value();
            assertThat(run.id()).isEqualTo(child.id());
            assertThat(run.jobName()).isEqualTo("evaluate");
            assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
            assertThat(run.startTime()).isEqualTo(at(2));
            assertThat(run.endTime()).isNull();
            assertThat(run.lastHeartbeat()).isEqualTo(at(2));
            assertThat(run.error()).isNull();
            assertThat(run.parentRunId()).isEqualTo(parent.id());
            assertThat(run.tags()).isEqualTo(Map.of("team", "vision", "empty", ""));
            assertThat(run.codeVersion()).isEqualTo(child.codeVersion());
            assertThat(run.environment()).isEqualTo(child.environment());
            assertThat(run.params()).isEmpty();
            assertThat(run.latestMetrics()).isEmpty();
            assertThat(run.links()).isEmpty();
            assertThat(store.getRun(child.id())).contains(run);
        }

        @Test
        @DisplayName("a run without code version, parent or tags keeps them absent")
        void minimalRun() {
            NewRun minimal = new NewRun(runId(5), "job", null, at(5), Map.of(), null, Map.of());
            Run run = create(minimal);
            assertThat(run.codeVersion()).isNull();
            assertThat(run.parentRunId()).isNull();
            assertThat(run.tags()).isEmpty();
            assertThat(run.environment()).isEmpty();
            assertThat(store.getRun(minimal.id())).contains(run);
        }

        @Test
        @DisplayName("a dirty code version without branch or repository is kept as it is")
        void partialCodeVersion() {
            CodeVersion code = new CodeVersion("fedcba9876543210fedcba9876543210fedcba98", null, true, null);
            Run run = create(run(1).codeVersion(code).build());
            assertThat(get(run.id()).codeVersion()).isEqualTo(code);
        }

        @Test
        @DisplayName("creating a run appends one audit event carrying the pending event's time, actor, action,"
                + " subject and data")
        void createAppendsOneEvent() {
            PendingAuditEvent pending = audit("run.create", "run:" + runId(1), "{\"job\":\"train\",\"a\":[1,2]}");
            store.createRun(newRun(1), pending);

            List<AuditEvent> events = allAuditEvents();
            assertThat(events).hasSize(1);
            AuditEvent e = events.get(0);
            assertThat(e.seq()).isEqualTo(1);
            assertThat(e.time()).isEqualTo(pending.time());
            assertThat(e.actor()).isEqualTo(pending.actor());
            assertThat(e.action()).isEqualTo("run.create");
            assertThat(e.subject()).isEqualTo("run:" + runId(1));
            assertThat(e.data()).isEqualTo("{\"a\":[1,2],\"job\":\"train\"}");
            assertThat(e.dataDigest()).isEqualTo("sha256:" + AuditChain.sha256Hex(e.data()));
        }

        @Test
        @DisplayName("creating the same run again with the same content returns the stored run with created=false"
                + " and appends no audit event")
        void idempotentCreate() {
            Run first = create(1);
            AuditEvent head = store.auditHead().orElseThrow();

            Created<Run> again = store.createRun(newRun(1), audit("run.create", "run:" + runId(1)));

            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(first);
            assertThat(store.auditHead()).contains(head);
        }

        @Test
        @DisplayName("re-creating a run that has changed since, with its original content, is created=false and"
                + " returns the run as it is now")
        void idempotentCreateAfterChanges() {
            create(1);
            params(runId(1), Map.of("lr", "0.1"));
            tags(runId(1), Map.of("stage", "two"));
            long events = auditSize();

            Created<Run> again = store.createRun(newRun(1), audit("run.create", "run:" + runId(1)));

            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(get(runId(1)));
            assertThat(again.value().params()).containsEntry("lr", "0.1");
            assertThat(again.value().tags()).containsEntry("stage", "two");
            assertThat(auditSize()).isEqualTo(events);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"job name", "start time", "parent", "tags", "code version", "environment"})
        @DisplayName("the same run id with other content is ALREADY_EXISTS, changes nothing and appends no event")
        void conflictingCreate(String difference) {
            create(50);
            create(1);
            List<Object> before = state(List.of(runId(1)), List.of(), List.of());
            NewRun other = switch (difference) {
                case "job name" -> run(1).job("other").build();
                case "start time" -> run(1).start(at(1).plusMillis(1)).build();
                case "parent" -> run(1).parent(runId(50)).build();
                case "tags" -> run(1).tag("extra", "x").build();
                case "code version" -> run(1).codeVersion(null).build();
                case "environment" -> run(1).env("java.version", "21").build();
                default -> throw new IllegalArgumentException(difference);
            };

            assertThatThrownBy(() -> store.createRun(other, audit("run.create", "run:" + runId(1))))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessageContaining(runId(1));
            assertThat(state(List.of(runId(1)), List.of(), List.of())).isEqualTo(before);
        }

        @Test
        @DisplayName("a run whose parent does not exist is NOT_FOUND and is not created")
        void unknownParent() {
            NewRun orphan = run(2).parent(runId(99)).build();
            assertThatThrownBy(() -> store.createRun(orphan, audit("run.create", "run:" + orphan.id())))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(runId(99));
            assertThat(store.getRun(orphan.id())).isEmpty();
            assertThat(auditSize()).isZero();
        }

        @Test
        @DisplayName("getRun of an unknown id is empty")
        void unknownRunIsEmpty() {
            create(1);
            assertThat(store.getRun(runId(2))).isEmpty();
            assertThat(store.getRun("no-such-run")).isEmpty();
        }
    }

    @Nested
    @DisplayName("unknown run ids")
    class UnknownRuns {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"finishRun", "heartbeat", "logParams", "setTags", "logMetrics", "metricHistory",
                "addLinks"})
        @DisplayName("every run method fails with NOT_FOUND naming the id, and stores nothing")
        void notFound(String method) {
            create(1);
            String missing = runId(2);
            long events = auditSize();
            PendingAuditEvent pending = audit("run." + method, "run:" + missing);

            assertThatThrownBy(() -> {
                switch (method) {
                    case "finishRun" -> store.finishRun(missing, RunStatus.COMPLETED, at(5), null, pending);
                    case "heartbeat" -> store.heartbeat(missing, at(5));
                    case "logParams" -> store.logParams(missing, Map.of("a", "1"), pending);
                    case "setTags" -> store.setTags(missing, Map.of("a", "1"), pending);
                    case "logMetrics" -> store.logMetrics(missing, List.of(point("m", 1, 0, 1)), pending);
                    case "metricHistory" -> store.metricHistory(missing, "m", PageRequest.first());
                    case "addLinks" -> store.addLinks(missing, List.of(RunLink.input(datasetNode("d", "x"))),
                            pending);
                    default -> throw new IllegalArgumentException(method);
                }
            }).isInstanceOf(NotFoundException.class).hasMessageContaining(missing);

            assertThat(store.getRun(missing)).isEmpty();
            assertThat(auditSize()).isEqualTo(events);
            assertThat(store.lineageEdges(List.of(NodeRef.run(missing), datasetNode("d", "x")), Direction.BOTH))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("finishing runs")
    class Finishing {

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = RunStatus.class, names = {"COMPLETED", "FAILED", "ABORTED"})
        @DisplayName("finishing a RUNNING run stores its end state, end time and error, returns the stored run and"
                + " appends one audit event")
        void finishRunning(RunStatus status) {
            create(1);
            long events = auditSize();
            String error = status == RunStatus.COMPLETED ? null : "java.lang.IllegalStateException: boom";

            Run finished = store.finishRun(runId(1), status, at(60), error, audit("run.finish", "run:" + runId(1)));

            assertThat(finished.status()).isEqualTo(status);
            assertThat(finished.endTime()).isEqualTo(at(60));
            assertThat(finished.error()).isEqualTo(error);
            assertThat(finished.startTime()).isEqualTo(at(1));
            assertThat(store.getRun(runId(1))).contains(finished);
            assertThat(auditSize()).isEqualTo(events + 1);
            assertThat(store.auditHead().orElseThrow().action()).isEqualTo("run.finish");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = RunStatus.class, names = {"COMPLETED", "FAILED", "ABORTED"})
        @DisplayName("a finished run cannot be finished again: CONFLICT naming the run, first end state kept")
        void finishTwice(RunStatus second) {
            create(1);
            Run first = store.finishRun(runId(1), RunStatus.FAILED, at(60), "first", audit("run.finish", "r"));
            long events = auditSize();

            assertThatThrownBy(() -> store.finishRun(runId(1), second, at(70), "second", audit("run.finish", "r")))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining(runId(1));

            assertThat(store.getRun(runId(1))).contains(first);
            assertThat(auditSize()).isEqualTo(events);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"logParams", "logMetrics", "addLinks"})
        @DisplayName("params, metrics and links on a finished run are CONFLICT and nothing of them is stored")
        void noChangesAfterFinish(String method) {
            create(1);
            finish(runId(1), RunStatus.COMPLETED);
            NodeRef node = datasetNode("d", "1");
            List<Object> before = state(List.of(runId(1)), List.of("m"), List.of(node));

            assertThatThrownBy(() -> {
                switch (method) {
                    case "logParams" -> params(runId(1), Map.of("late", "1"));
                    case "logMetrics" -> metrics(runId(1), point("m", 1.0, 0, 1));
                    case "addLinks" -> links(runId(1), RunLink.output(node));
                    default -> throw new IllegalArgumentException(method);
                }
            }).isInstanceOf(ConflictException.class).hasMessageContaining(runId(1));

            assertThat(state(List.of(runId(1)), List.of("m"), List.of(node))).isEqualTo(before);
        }

        @Test
        @DisplayName("finishing a run as RUNNING is INVALID_ARGUMENT on field status, changes nothing and appends no"
                + " event")
        void finishAsRunning() {
            create(1);
            params(runId(1), Map.of("lr", "0.1"));
            Run before = get(runId(1));
            long events = auditSize();

            assertThatThrownBy(() -> store.finishRun(runId(1), RunStatus.RUNNING, at(10), null,
                    audit("run.finish", "run:" + runId(1))))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).as("field").contains("status"))
                    .hasMessageContaining("status");

            assertThat(store.getRun(runId(1))).contains(before);
            assertThat(auditSize()).isEqualTo(events);
            assertThat(finish(runId(1), RunStatus.COMPLETED).status()).isEqualTo(RunStatus.COMPLETED);
        }

        @Test
        @DisplayName("tags can still be set on a finished run")
        void tagsAfterFinish() {
            create(1);
            finish(runId(1), RunStatus.FAILED);
            long events = auditSize();

            tags(runId(1), Map.of("reviewed", "yes"));

            assertThat(get(runId(1)).tags()).containsEntry("reviewed", "yes");
            assertThat(get(runId(1)).status()).isEqualTo(RunStatus.FAILED);
            assertThat(auditSize()).isEqualTo(events + 1);
        }

        @Test
        @DisplayName("finishing a run leaves its params, metrics, tags and links as they were")
        void finishKeepsData() {
            create(1);
            params(runId(1), Map.of("lr", "0.1"));
            metrics(runId(1), point("loss", 0.5, 1, 2));
            links(runId(1), RunLink.input(datasetNode("d", "1")));
            Run before = get(runId(1));

            Run after = finish(runId(1), RunStatus.COMPLETED);

            assertThat(after.params()).isEqualTo(before.params());
            assertThat(after.latestMetrics()).isEqualTo(before.latestMetrics());
            assertThat(after.tags()).isEqualTo(before.tags());
            assertThat(after.links()).isEqualTo(before.links());
            assertThat(after.lastHeartbeat()).isEqualTo(before.lastHeartbeat());
        }
    }

    @Nested
    @DisplayName("heartbeats")
    class Heartbeats {

        @Test
        @DisplayName("a heartbeat moves the last heartbeat of a RUNNING run and appends no audit event")
        void heartbeat() {
            create(1);
            long events = auditSize();

            store.heartbeat(runId(1), at(30));
            assertThat(get(runId(1)).lastHeartbeat()).isEqualTo(at(30));
            store.heartbeat(runId(1), at(45));
            assertThat(get(runId(1)).lastHeartbeat()).isEqualTo(at(45));

            assertThat(get(runId(1)).status()).isEqualTo(RunStatus.RUNNING);
            assertThat(auditSize()).isEqualTo(events);
        }

        @Test
        @DisplayName("a heartbeat older than the last heartbeat, or than the start, does not move it back")
        void neverBackwards() {
            create(1);
            store.heartbeat(runId(1), at(45));
            store.heartbeat(runId(1), at(30));
            assertThat(get(runId(1)).lastHeartbeat()).isEqualTo(at(45));
            store.heartbeat(runId(1), at(45));
            assertThat(get(runId(1)).lastHeartbeat()).isEqualTo(at(45));
            store.heartbeat(runId(1), at(45).plusMillis(1));
            assertThat(get(runId(1)).lastHeartbeat()).isEqualTo(at(45).plusMillis(1));

            create(2);
            store.heartbeat(runId(2), at(2).minusMillis(1));
            assertThat(get(runId(2)).lastHeartbeat()).as("a heartbeat before the start").isEqualTo(at(2));
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {5, 17, 2026})
        @DisplayName("after heartbeats in any order the last heartbeat is the latest of them and the start time")
        void latestWins(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            create(1);
            Instant latest = at(1);
            for (int i = 0; i < 25; i++) {
                Instant beat = at(1).plusMillis(random.nextLong(-5_000, 60_000));
                store.heartbeat(runId(1), beat);
                latest = beat.isAfter(latest) ? beat : latest;
                assertThat(get(runId(1)).lastHeartbeat()).as("after heartbeat %d at %s", i, beat).isEqualTo(latest);
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = RunStatus.class, names = {"COMPLETED", "FAILED", "ABORTED"})
        @DisplayName("a heartbeat for a finished run is ignored, without error")
        void heartbeatAfterFinish(RunStatus status) {
            create(1);
            store.heartbeat(runId(1), at(20));
            Run finished = finish(runId(1), status);
            long events = auditSize();

            store.heartbeat(runId(1), at(99_999));

            assertThat(store.getRun(runId(1))).contains(finished);
            assertThat(finished.lastHeartbeat()).isEqualTo(at(20));
            assertThat(auditSize()).isEqualTo(events);
        }
    }

    @Nested
    @DisplayName("params")
    class Params {

        @Test
        @DisplayName("params are stored, one audit event per call")
        void stored() {
            create(1);
            long events = auditSize();

            params(runId(1), Map.of("lr", "0.01", "epochs", "10"));
            params(runId(1), Map.of("optimizer", "adam", "note", ""));

            assertThat(get(runId(1)).params())
                    .isEqualTo(Map.of("lr", "0.01", "epochs", "10", "optimizer", "adam", "note", ""));
            assertThat(auditSize()).isEqualTo(events + 2);
        }

        @Test
        @DisplayName("a param written again with the same value is accepted")
        void sameValueAgain() {
            create(1);
            params(runId(1), Map.of("lr", "0.01"));

            params(runId(1), Map.of("lr", "0.01", "epochs", "3"));

            assertThat(get(runId(1)).params()).isEqualTo(Map.of("lr", "0.01", "epochs", "3"));
        }

        @Test
        @DisplayName("a param written twice with another value is a conflict and is not stored")
        void writeOnce() {
            create(1);
            params(runId(1), Map.of("learning_rate", "0.01"));
            long events = auditSize();

            assertThatThrownBy(() -> params(runId(1), Map.of("learning_rate", "0.02")))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("learning_rate");

            assertThat(get(runId(1)).params()).isEqualTo(Map.of("learning_rate", "0.01"));
            assertThat(auditSize()).isEqualTo(events);
        }

        @Test
        @DisplayName("a write-once conflict names the key and the run but neither value, since a param may be a"
                + " secret")
        void conflictHidesValues() {
            create(1);
            params(runId(1), Map.of("db_password", "old-s3cr3t-" + "x".repeat(150)));

            Throwable thrown = catchThrowable(() -> params(runId(1), Map.of("db_password", "new-s3cr3t-value")));

            assertThat(thrown).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("db_password")
                    .hasMessageContaining(runId(1));
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass().getName())
                        .doesNotContain("s3cr3t").doesNotContain("xxxx");
                for (Throwable suppressed : t.getSuppressed()) {
                    assertThat(String.valueOf(suppressed.getMessage())).doesNotContain("s3cr3t");
                }
            }
        }

        @Test
        @DisplayName("an empty value is a value: replacing it with another is a conflict")
        void emptyValueIsWriteOnce() {
            create(1);
            params(runId(1), Map.of("comment", ""));
            assertThatThrownBy(() -> params(runId(1), Map.of("comment", "x")))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("comment");
            assertThat(get(runId(1)).params()).isEqualTo(Map.of("comment", ""));
        }

        @Test
        @DisplayName("a batch with one conflicting key stores none of its params and appends no event")
        void failingBatchStoresNothing() {
            create(1);
            params(runId(1), Map.of("seed", "1"));
            Run before = get(runId(1));
            long events = auditSize();
            Map<String, String> batch = new LinkedHashMap<>();
            batch.put("alpha", "a");
            batch.put("beta", "b");
            batch.put("seed", "2");
            batch.put("gamma", "c");

            assertThatThrownBy(() -> params(runId(1), batch))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("seed");

            assertThat(store.getRun(runId(1))).contains(before);
            assertThat(auditSize()).isEqualTo(events);
        }

        @Test
        @DisplayName("params belong to their run")
        void perRun() {
            create(1);
            create(2);
            params(runId(1), Map.of("lr", "1"));
            params(runId(2), Map.of("lr", "2"));
            assertThat(get(runId(1)).params()).isEqualTo(Map.of("lr", "1"));
            assertThat(get(runId(2)).params()).isEqualTo(Map.of("lr", "2"));
        }
    }

    @Nested
    @DisplayName("tags")
    class Tags {

        @Test
        @DisplayName("setting tags adds new ones, overwrites existing ones, keeps the others, one event per call")
        void overwrite() {
            create(run(1).tag("team", "a").tag("keep", "me").build());
            long events = auditSize();

            tags(runId(1), Map.of("team", "b", "new", "1"));
            tags(runId(1), Map.of("new", "2"));

            assertThat(get(runId(1)).tags()).isEqualTo(Map.of("team", "b", "keep", "me", "new", "2"));
            assertThat(auditSize()).isEqualTo(events + 2);
        }

        @Test
        @DisplayName("a tag can be set to the empty string")
        void emptyTag() {
            create(1);
            tags(runId(1), Map.of("flag", "x"));
            tags(runId(1), Map.of("flag", ""));
            assertThat(get(runId(1)).tags()).isEqualTo(Map.of("flag", ""));
        }
    }

    @Nested
    @DisplayName("metrics")
    class Metrics {

        @Test
        @DisplayName("a batch of points is stored with one audit event, whatever its size")
        void batchOneEvent() {
            create(1);
            long events = auditSize();
            List<MetricPoint> batch = IntStream.range(0, 50).mapToObj(i -> point("loss", 1.0 / (i + 1), i, i))
                    .toList();

            store.logMetrics(runId(1), batch, audit("run.metrics", "run:" + runId(1)));

            assertThat(auditSize()).isEqualTo(events + 1);
            assertThat(history(runId(1), "loss")).isEqualTo(batch);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1, 2, 3})
        @DisplayName("history is ordered by step, then timestamp, then insertion order; the latest metric is its last"
                + " point")
        void historyOrder(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            create(1);
            List<MetricPoint> inserted = new ArrayList<>();
            for (int batch = 0; batch < 6; batch++) {
                List<MetricPoint> points = new ArrayList<>();
                int size = 1 + random.nextInt(8);
                for (int i = 0; i < size; i++) {
                    String key = random.nextInt(4) == 0 ? "acc" : "loss";
                    points.add(point(key, inserted.size() + points.size(), random.nextInt(4), random.nextInt(3)));
                }
                store.logMetrics(runId(1), points, audit("run.metrics", "run:" + runId(1)));
                inserted.addAll(points);
            }
            Comparator<MetricPoint> order = Comparator.comparingLong(MetricPoint::step)
                    .thenComparing(MetricPoint::timestamp);
            for (String key : List.of("loss", "acc")) {
                // List.sort is stable: equal (step, timestamp) keep insertion order.
                List<MetricPoint> expected = new ArrayList<>(inserted.stream().filter(p -> p.key().equals(key))
                        .toList());
                expected.sort(order);
                assertThat(history(runId(1), key)).as(key).isEqualTo(expected);
                assertThat(readAll(p -> store.metricHistory(runId(1), key, p), 1 + random.nextInt(4)))
                        .as(key + " in small pages").isEqualTo(expected);
                if (expected.isEmpty()) {
                    assertThat(get(runId(1)).latestMetrics()).doesNotContainKey(key);
                } else {
                    assertThat(get(runId(1)).latestMetrics().get(key)).as("latest " + key)
                            .isEqualTo(expected.get(expected.size() - 1));
                }
            }
        }

        @Test
        @DisplayName("the latest metric is the point with the highest step, then the latest timestamp, then the later"
                + " insertion")
        void latest() {
            create(1);
            metrics(runId(1), point("loss", 0.9, 5, 10));
            metrics(runId(1), point("loss", 0.1, 3, 50));
            assertThat(get(runId(1)).latestMetrics().get("loss")).isEqualTo(point("loss", 0.9, 5, 10));

            metrics(runId(1), point("loss", 0.8, 5, 9));
            assertThat(get(runId(1)).latestMetrics().get("loss")).isEqualTo(point("loss", 0.9, 5, 10));

            metrics(runId(1), point("loss", 0.7, 5, 11));
            assertThat(get(runId(1)).latestMetrics().get("loss")).isEqualTo(point("loss", 0.7, 5, 11));

            metrics(runId(1), point("loss", 0.6, 5, 11));
            assertThat(get(runId(1)).latestMetrics().get("loss")).isEqualTo(point("loss", 0.6, 5, 11));

            metrics(runId(1), point("acc", 0.5, 0, 0));
            assertThat(get(runId(1)).latestMetrics()).isEqualTo(Map.of("loss", point("loss", 0.6, 5, 11),
                    "acc", point("acc", 0.5, 0, 0)));
        }

        @Test
        @DisplayName("the same step and timestamp twice keeps both points")
        void duplicatesKept() {
            create(1);
            metrics(runId(1), point("m", 1, 0, 0), point("m", 2, 0, 0));
            metrics(runId(1), point("m", 1, 0, 0));
            assertThat(history(runId(1), "m")).extracting(MetricPoint::value).containsExactly(1.0, 2.0, 1.0);
        }

        @Test
        @DisplayName("values, steps and millisecond timestamps are kept exactly")
        void exactValues() {
            create(1);
            List<MetricPoint> points = List.of(
                    new MetricPoint("v", 0.1, 0, at(0).plusMillis(1)),
                    new MetricPoint("v", Math.PI, 1, at(0).plusMillis(999)),
                    new MetricPoint("v", -42.5, 2, Instant.parse("1999-12-31T23:59:59.123Z")),
                    new MetricPoint("v", 1e-300, 3, at(0)),
                    new MetricPoint("v", Double.MAX_VALUE, 4, at(0)),
                    new MetricPoint("v", Double.MIN_VALUE, 5, at(0)),
                    new MetricPoint("v", 0.0, Long.MAX_VALUE / 2, at(0)));
            store.logMetrics(runId(1), points, audit("run.metrics", "run:" + runId(1)));
            assertThat(history(runId(1), "v")).isEqualTo(points);
        }

        @Test
        @DisplayName("history is per run and per key; a key never logged has an empty history")
        void perRunAndKey() {
            create(1);
            create(2);
            metrics(runId(1), point("loss", 1, 0, 0), point("acc", 2, 0, 0));
            metrics(runId(2), point("loss", 3, 0, 0));

            assertThat(history(runId(1), "loss")).containsExactly(point("loss", 1, 0, 0));
            assertThat(history(runId(1), "acc")).containsExactly(point("acc", 2, 0, 0));
            assertThat(history(runId(2), "loss")).containsExactly(point("loss", 3, 0, 0));
            Page<MetricPoint> none = store.metricHistory(runId(2), "acc", PageRequest.first());
            assertThat(none.items()).isEmpty();
            assertThat(none.nextPageToken()).isNull();
            assertThat(get(runId(2)).latestMetrics()).containsOnlyKeys("loss");
        }

        @Test
        @DisplayName("a batch rejected because the run finished stores none of its points")
        void allOrNone() {
            create(1);
            metrics(runId(1), point("m", 1, 0, 0));
            finish(runId(1), RunStatus.COMPLETED);
            long events = auditSize();

            assertThatThrownBy(() -> metrics(runId(1), point("m", 2, 1, 1), point("n", 3, 1, 1)))
                    .isInstanceOf(ConflictException.class);

            assertThat(history(runId(1), "m")).containsExactly(point("m", 1, 0, 0));
            assertThat(history(runId(1), "n")).isEmpty();
            assertThat(get(runId(1)).latestMetrics()).containsOnlyKeys("m");
            assertThat(auditSize()).isEqualTo(events);
        }
    }

    @Nested
    @DisplayName("links and lineage edges")
    class LinksAndLineage {
        private final NodeRef d1 = datasetNode("raw", "1");
        private final NodeRef d2 = datasetNode("features", "2");
        private final NodeRef m1 = NodeRef.model("churn", 1);
        private final NodeRef a1 = NodeRef.artifact("model.bin", TckData.digest("bin"));

        @Test
        @DisplayName("links are kept in the order they were added, inputs and outputs apart, one event per call")
        void linkOrder() {
            create(1);
            long events = auditSize();

            links(runId(1), RunLink.input(d2), RunLink.output(m1));
            links(runId(1), RunLink.input(d1), RunLink.output(a1));

            Run run = get(runId(1));
            assertThat(run.links()).containsExactly(RunLink.input(d2), RunLink.output(m1), RunLink.input(d1),
                    RunLink.output(a1));
            assertThat(run.inputs()).containsExactly(RunLink.input(d2), RunLink.input(d1));
            assertThat(run.outputs()).containsExactly(RunLink.output(m1), RunLink.output(a1));
            assertThat(auditSize()).isEqualTo(events + 2);
        }

        @Test
        @DisplayName("an input is the edge node -> run of kind INPUT, an output the edge run -> node of kind OUTPUT")
        void edgeKinds() {
            create(1);
            NodeRef r1 = NodeRef.run(runId(1));
            links(runId(1), RunLink.input(d1), RunLink.output(m1));

            assertThat(store.lineageEdges(List.of(r1), Direction.BOTH)).containsExactly(
                    new LineageEdge(d1, r1, EdgeKind.INPUT),
                    new LineageEdge(r1, m1, EdgeKind.OUTPUT));
        }

        @Test
        @DisplayName("UPSTREAM gives the edges that end at a node, DOWNSTREAM those that start at it, BOTH either")
        void directions() {
            // raw -> run1 -> features -> run2 -> model
            create(1);
            create(2);
            NodeRef r1 = NodeRef.run(runId(1));
            NodeRef r2 = NodeRef.run(runId(2));
            links(runId(1), RunLink.input(d1), RunLink.output(d2));
            links(runId(2), RunLink.input(d2), RunLink.output(m1));
            LineageEdge raw = new LineageEdge(d1, r1, EdgeKind.INPUT);
            LineageEdge features = new LineageEdge(r1, d2, EdgeKind.OUTPUT);
            LineageEdge read = new LineageEdge(d2, r2, EdgeKind.INPUT);
            LineageEdge model = new LineageEdge(r2, m1, EdgeKind.OUTPUT);

            assertThat(store.lineageEdges(List.of(r1), Direction.UPSTREAM)).containsExactly(raw);
            assertThat(store.lineageEdges(List.of(r1), Direction.DOWNSTREAM)).containsExactly(features);
            assertThat(store.lineageEdges(List.of(r1), Direction.BOTH)).containsExactly(raw, features);
            assertThat(store.lineageEdges(List.of(d2), Direction.UPSTREAM)).containsExactly(features);
            assertThat(store.lineageEdges(List.of(d2), Direction.DOWNSTREAM)).containsExactly(read);
            // ordered by from id: "dataset:features..." < "run:..."
            assertThat(store.lineageEdges(List.of(d2), Direction.BOTH)).containsExactly(read, features);
            assertThat(store.lineageEdges(List.of(m1), Direction.DOWNSTREAM)).isEmpty();
            assertThat(store.lineageEdges(List.of(m1), Direction.UPSTREAM)).containsExactly(model);
            assertThat(store.lineageEdges(List.of(d1), Direction.UPSTREAM)).isEmpty();
            assertThat(store.lineageEdges(List.of(r1, r2), Direction.DOWNSTREAM)).containsExactly(features, model);
        }

        @Test
        @DisplayName("an edge touching several of the given nodes is returned once")
        void edgeOnce() {
            create(1);
            NodeRef r1 = NodeRef.run(runId(1));
            links(runId(1), RunLink.input(d1));

            assertThat(store.lineageEdges(List.of(d1, r1), Direction.BOTH))
                    .containsExactly(new LineageEdge(d1, r1, EdgeKind.INPUT));
            assertThat(store.lineageEdges(List.of(r1, r1), Direction.UPSTREAM))
                    .containsExactly(new LineageEdge(d1, r1, EdgeKind.INPUT));
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {7, 8})
        @DisplayName("edges are ordered by from id, then to id, whatever the order they were added in")
        void edgeOrder(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Integer> runs = IntStream.rangeClosed(1, 8).boxed().collect(Collectors.toList());
            for (int i = runs.size() - 1; i > 0; i--) {
                Collections.swap(runs, i, random.nextInt(i + 1));
            }
            List<NodeRef> datasets = IntStream.range(0, 4).mapToObj(i -> datasetNode("ds" + i, "c" + i)).toList();
            List<LineageEdge> expected = new ArrayList<>();
            for (int n : runs) {
                create(n);
                NodeRef r = NodeRef.run(runId(n));
                NodeRef in = datasets.get(random.nextInt(datasets.size()));
                NodeRef out = datasets.get(random.nextInt(datasets.size()));
                List<RunLink> linkList = new ArrayList<>(List.of(RunLink.input(in), RunLink.output(out)));
                store.addLinks(runId(n), linkList, audit("run.links", r.id()));
                expected.add(new LineageEdge(in, r, EdgeKind.INPUT));
                expected.add(new LineageEdge(r, out, EdgeKind.OUTPUT));
            }
            expected.sort(Comparator.comparing((LineageEdge e) -> e.from().id()).thenComparing(e -> e.to().id()));

            assertThat(store.lineageEdges(datasets, Direction.BOTH)).isEqualTo(expected);
            assertThat(store.lineageEdges(datasets, Direction.DOWNSTREAM))
                    .isEqualTo(expected.stream().filter(e -> e.kind() == EdgeKind.INPUT).toList());
            assertThat(store.lineageEdges(datasets, Direction.UPSTREAM))
                    .isEqualTo(expected.stream().filter(e -> e.kind() == EdgeKind.OUTPUT).toList());
        }

        @Test
        @DisplayName("a link added twice, in one call or in two, is one link and one edge")
        void duplicatesIgnored() {
            create(1);
            NodeRef r1 = NodeRef.run(runId(1));
            links(runId(1), RunLink.input(d1), RunLink.input(d1), RunLink.output(d2));
            links(runId(1), RunLink.output(d2), RunLink.input(d1), RunLink.output(m1));

            assertThat(get(runId(1)).links()).containsExactly(RunLink.input(d1), RunLink.output(d2),
                    RunLink.output(m1));
            assertThat(store.lineageEdges(List.of(r1), Direction.BOTH)).containsExactly(
                    new LineageEdge(d1, r1, EdgeKind.INPUT),
                    new LineageEdge(r1, d2, EdgeKind.OUTPUT),
                    new LineageEdge(r1, m1, EdgeKind.OUTPUT));
        }

        @Test
        @DisplayName("a node may be both an input and an output of a run: two links, two edges")
        void inputAndOutput() {
            create(1);
            NodeRef r1 = NodeRef.run(runId(1));
            links(runId(1), RunLink.input(d1), RunLink.output(d1));
            assertThat(get(runId(1)).links()).containsExactly(RunLink.input(d1), RunLink.output(d1));
            assertThat(store.lineageEdges(List.of(d1), Direction.BOTH)).containsExactly(
                    new LineageEdge(d1, r1, EdgeKind.INPUT),
                    new LineageEdge(r1, d1, EdgeKind.OUTPUT));
        }

        @Test
        @DisplayName("nodes without edges, and no nodes at all, give no edges")
        void noEdges() {
            create(1);
            assertThat(store.lineageEdges(List.of(NodeRef.run(runId(1)), d1), Direction.BOTH)).isEmpty();
            assertThat(store.lineageEdges(List.of(), Direction.BOTH)).isEmpty();
        }

        @Test
        @DisplayName("a parent-child relation between runs is not a lineage edge")
        void parentIsNotAnEdge() {
            create(1);
            create(run(2).parent(runId(1)).build());
            assertThat(store.lineageEdges(List.of(NodeRef.run(runId(1)), NodeRef.run(runId(2))), Direction.BOTH))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("datasets")
    class Datasets {

        @Test
        @DisplayName("a registered version is created with one audit event and read back as it was given")
        void registered() {
            DatasetVersion v = dataset("iris", "1,2,3");
            Created<DatasetVersion> c = register(v);

            assertThat(c.created()).isTrue();
            assertThat(c.value()).isEqualTo(v);
            assertThat(store.getDataset("iris", v.version())).contains(v);
            assertThat(auditSize()).isEqualTo(1);
            assertThat(store.auditHead().orElseThrow().action()).isEqualTo("dataset.register");
        }

        @Test
        @DisplayName("a version without schema, row count or tags keeps them absent")
        void binary() {
            DatasetVersion v = TckData.binaryDataset("images", "bytes");
            register(v);
            DatasetVersion read = store.getDataset("images", v.version()).orElseThrow();
            assertThat(read).isEqualTo(v);
            assertThat(read.schema()).isNull();
            assertThat(read.rowCount()).isNull();
            assertThat(read.tags()).isEmpty();
        }

        @Test
        @DisplayName("registering the same name and digest again returns the stored version with created=false and"
                + " appends no audit event, whatever its source, tags, time or author")
        void idempotent() {
            DatasetVersion first = dataset("iris", "1,2,3");
            register(first);
            long events = auditSize();
            DatasetVersion again = new DatasetVersion("iris", first.version(), "s3://elsewhere/iris.csv", "csv",
                    first.sizeBytes(), first.schema(), first.rowCount(), Map.of("other", "tag"), at(5000), "carol");

            Created<DatasetVersion> c = register(again);

            assertThat(c.created()).isFalse();
            assertThat(c.value()).isEqualTo(first);
            assertThat(store.getDataset("iris", first.version())).contains(first);
            assertThat(auditSize()).isEqualTo(events);
            assertThat(readAll(p -> store.listDatasets("iris", p), 10)).containsExactly(first);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"source URI", "format", "size", "schema", "no schema", "row count", "no row count",
                "tags", "created time", "created by", "all of them"})
        @DisplayName("a (name, digest) that exists is the same version whatever else a new registration says: the"
                + " stored version, created=false, no audit event")
        void identityIsNameAndDigest(String difference) {
            DatasetVersion first = dataset("iris", "1,2,3");
            register(first);
            long events = auditSize();
            DatasetSchema otherSchema = new DatasetSchema(List.of(new Column("other", ColumnType.CATEGORICAL)));
            boolean all = difference.equals("all of them");
            DatasetVersion again = new DatasetVersion("iris", first.version(),
                    all || difference.equals("source URI") ? "s3://elsewhere/iris.csv" : first.sourceUri(),
                    all || difference.equals("format") ? "binary" : first.format(),
                    all || difference.equals("size") ? first.sizeBytes() + 1 : first.sizeBytes(),
                    all || difference.equals("schema") ? otherSchema
                            : difference.equals("no schema") ? null : first.schema(),
                    all || difference.equals("row count") ? Long.valueOf(first.rowCount() + 7)
                            : difference.equals("no row count") ? null : first.rowCount(),
                    all || difference.equals("tags") ? Map.of("other", "tag") : first.tags(),
                    all || difference.equals("created time") ? at(5000) : first.createdTime(),
                    all || difference.equals("created by") ? "carol" : first.createdBy());
            assertThat(again).as("the registration differs").isNotEqualTo(first);

            Created<DatasetVersion> c = register(again);

            assertThat(c.created()).isFalse();
            assertThat(c.value()).isEqualTo(first);
            assertThat(store.getDataset("iris", first.version())).contains(first);
            assertThat(readAll(p -> store.listDatasets(null, p), 10)).containsExactly(first);
            assertThat(auditSize()).isEqualTo(events);
        }

        @Test
        @DisplayName("the same digest under another name, and another digest under the same name, are other versions")
        void identity() {
            DatasetVersion a = dataset("a", "content");
            DatasetVersion b = dataset("b", "content");
            DatasetVersion a2 = dataset("a", "content v2");
            assertThat(register(a).created()).isTrue();
            assertThat(register(b).created()).isTrue();
            assertThat(register(a2).created()).isTrue();

            assertThat(store.getDataset("a", a.version())).contains(a);
            assertThat(store.getDataset("b", b.version())).contains(b);
            assertThat(store.getDataset("a", a2.version())).contains(a2);
            assertThat(auditSize()).isEqualTo(3);
        }

        @Test
        @DisplayName("an unknown name or version is empty")
        void unknown() {
            DatasetVersion a = dataset("a", "content");
            register(a);
            assertThat(store.getDataset("a", TckData.digest("other"))).isEmpty();
            assertThat(store.getDataset("b", a.version())).isEmpty();
        }

        @Test
        @DisplayName("versions are listed in registration order, of one name or of all")
        void listing() {
            List<DatasetVersion> all = new ArrayList<>();
            // digests in an order unlike the registration order
            for (String content : List.of("9", "3", "7", "1", "5")) {
                all.add(dataset(content.compareTo("5") < 0 ? "small" : "large", content));
            }
            all.add(dataset("zeta", "0"));
            all.add(dataset("alpha", "0"));
            for (DatasetVersion v : all) {
                register(v);
            }

            assertThat(readAll(p -> store.listDatasets(null, p), 100)).isEqualTo(all);
            assertThat(readAll(p -> store.listDatasets("small", p), 100))
                    .isEqualTo(all.stream().filter(v -> v.name().equals("small")).toList());
            assertThat(readAll(p -> store.listDatasets("large", p), 2))
                    .isEqualTo(all.stream().filter(v -> v.name().equals("large")).toList());
            assertThat(readAll(p -> store.listDatasets(null, p), 3)).isEqualTo(all);
            Page<DatasetVersion> none = store.listDatasets("missing", PageRequest.first());
            assertThat(none.items()).isEmpty();
            assertThat(none.nextPageToken()).isNull();
        }
    }

    @Nested
    @DisplayName("searching runs")
    class Search {

        /** r1 train/a COMPLETED, r2 train/b RUNNING, r3 eval child of r1 FAILED, r4 train RUNNING (same start). */
        private void fixture() {
            create(run(1).tag("team", "a").build());
            params(runId(1), Map.of("lr", "0.1"));
            metrics(runId(1), point("acc", 0.5, 0, 0), point("acc", 0.8, 1, 1));
            finish(runId(1), RunStatus.COMPLETED);

            create(run(2).tag("team", "b").build());
            params(runId(2), Map.of("lr", "0.2"));
            metrics(runId(2), point("acc", 0.9, 0, 0));

            create(run(3).job("eval").parent(runId(1)).tag("team", "a").build());
            params(runId(3), Map.of("lr", "0.1"));
            metrics(runId(3), point("acc", 0.95, 0, 0), point("acc", 0.7, 1, 0));
            finish(runId(3), RunStatus.FAILED);

            create(run(4).start(at(3)).build());
        }

        @Test
        @DisplayName("all runs come newest start time first, then by id descending")
        void order() {
            List<Integer> order = new ArrayList<>(List.of(5, 1, 4, 2, 3, 6));
            for (int n : order) {
                create(run(n).start(at(n <= 3 ? 100 : n)).build());
            }
            assertThat(ids(search(RunQuery.all()))).containsExactly(runId(3), runId(2), runId(1), runId(6), runId(5),
                    runId(4));
        }

        @Test
        @DisplayName("job, status, tag, param and parent filters select the runs with those exact values")
        void filters() {
            fixture();
            assertThat(ids(search(RunQuery.builder().jobName("train").build())))
                    .containsExactly(runId(4), runId(2), runId(1));
            assertThat(ids(search(RunQuery.builder().jobName("eval").build()))).containsExactly(runId(3));
            assertThat(ids(search(RunQuery.builder().jobName("nope").build()))).isEmpty();
            assertThat(ids(search(RunQuery.builder().status(RunStatus.RUNNING).build())))
                    .containsExactly(runId(4), runId(2));
            assertThat(ids(search(RunQuery.builder().status(RunStatus.FAILED).build()))).containsExactly(runId(3));
            assertThat(ids(search(RunQuery.builder().status(RunStatus.ABORTED).build()))).isEmpty();
            assertThat(ids(search(RunQuery.builder().tag("team", "a").build()))).containsExactly(runId(3), runId(1));
            assertThat(ids(search(RunQuery.builder().tag("team", "c").build()))).isEmpty();
            assertThat(ids(search(RunQuery.builder().param("lr", "0.1").build())))
                    .containsExactly(runId(3), runId(1));
            assertThat(ids(search(RunQuery.builder().param("lr", "0.10").build()))).isEmpty();
            assertThat(ids(search(RunQuery.builder().parentRunId(runId(1)).build()))).containsExactly(runId(3));
            assertThat(ids(search(RunQuery.builder().jobName("train").tag("team", "a").param("lr", "0.1")
                    .status(RunStatus.COMPLETED).build()))).containsExactly(runId(1));
            assertThat(ids(search(RunQuery.builder().tag("team", "a").tag("other", "x").build()))).isEmpty();
        }

        @Test
        @DisplayName("metric filters compare the latest value of the metric; runs without it never match")
        void metricFilters() {
            fixture();
            // latest acc: r1 0.8, r2 0.9, r3 0.7 (0.95 earlier), r4 none
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.GE, 0.8).build())))
                    .containsExactly(runId(2), runId(1));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.GT, 0.8).build())))
                    .containsExactly(runId(2));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.EQ, 0.8).build())))
                    .containsExactly(runId(1));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.LT, 0.8).build())))
                    .containsExactly(runId(3));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.LE, 0.8).build())))
                    .containsExactly(runId(3), runId(1));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.GE, 0.9).build())))
                    .containsExactly(runId(2));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.LT, 1e9).build())))
                    .containsExactly(runId(3), runId(2), runId(1));
            assertThat(ids(search(RunQuery.builder().metric("acc", Comparison.GE, 0.5)
                    .metric("acc", Comparison.LE, 0.85).build()))).containsExactly(runId(3), runId(1));
            assertThat(ids(search(RunQuery.builder().metric("loss", Comparison.GE, -1e9).build()))).isEmpty();
        }

        @Test
        @DisplayName("startedAfter is inclusive, startedBefore exclusive")
        void timeRange() {
            fixture();
            assertThat(ids(search(RunQuery.builder().startedAfter(at(2)).build())))
                    .containsExactly(runId(4), runId(3), runId(2));
            assertThat(ids(search(RunQuery.builder().startedBefore(at(3)).build())))
                    .containsExactly(runId(2), runId(1));
            assertThat(ids(search(RunQuery.builder().startedAfter(at(2)).startedBefore(at(3)).build())))
                    .containsExactly(runId(2));
            assertThat(ids(search(RunQuery.builder().startedAfter(at(2).plusMillis(1)).build())))
                    .containsExactly(runId(4), runId(3));
            assertThat(ids(search(RunQuery.builder().startedAfter(at(3)).startedBefore(at(3)).build()))).isEmpty();
        }

        @Test
        @DisplayName("a search sees later changes: a finished run leaves the RUNNING results, a new tag joins")
        void seesChanges() {
            fixture();
            finish(runId(2), RunStatus.ABORTED);
            tags(runId(4), Map.of("team", "a"));
            assertThat(ids(search(RunQuery.builder().status(RunStatus.RUNNING).build()))).containsExactly(runId(4));
            assertThat(ids(search(RunQuery.builder().tag("team", "a").build())))
                    .containsExactly(runId(4), runId(3), runId(1));
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {11, 12, 13})
        @DisplayName("random searches return exactly the runs RunQuery.matches accepts, in order, in any page size")
        void randomSearches(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<String> jobs = List.of("a", "b", "c");
            List<String> created = new ArrayList<>();
            for (int n = 1; n <= 24; n++) {
                String parent = created.isEmpty() || random.nextInt(3) > 0 ? null
                        : created.get(random.nextInt(created.size()));
                NewRun r = run(n).job(jobs.get(random.nextInt(3))).start(at(random.nextInt(10))).parent(parent)
                        .tag("t", "v" + random.nextInt(3)).build();
                create(r);
                created.add(r.id());
                if (random.nextBoolean()) {
                    params(r.id(), Map.of("p", "v" + random.nextInt(3)));
                }
                if (random.nextBoolean()) {
                    metrics(r.id(), point("m", random.nextInt(5), random.nextInt(3), 0),
                            point("m", random.nextInt(5), random.nextInt(3), 1));
                }
                int end = random.nextInt(4);
                if (end > 0) {
                    finish(r.id(), RunStatus.values()[end]);
                }
            }
            List<Run> all = created.stream().map(MetadataStoreCompatibilityKit.this::get).toList();
            Comparator<Run> order = Comparator.comparing(Run::startTime).thenComparing(Run::id).reversed();

            for (int q = 0; q < 25; q++) {
                RunQuery.Builder b = RunQuery.builder();
                if (random.nextInt(3) == 0) {
                    b.jobName(jobs.get(random.nextInt(3)));
                }
                if (random.nextInt(3) == 0) {
                    b.status(RunStatus.values()[random.nextInt(4)]);
                }
                if (random.nextInt(3) == 0) {
                    b.tag("t", "v" + random.nextInt(3));
                }
                if (random.nextInt(3) == 0) {
                    b.param("p", "v" + random.nextInt(3));
                }
                if (random.nextInt(3) == 0) {
                    b.metric("m", Comparison.values()[random.nextInt(5)], random.nextInt(5));
                }
                if (random.nextInt(4) == 0) {
                    b.startedAfter(at(random.nextInt(10)));
                }
                if (random.nextInt(4) == 0) {
                    b.startedBefore(at(random.nextInt(10)));
                }
                if (random.nextInt(5) == 0) {
                    b.parentRunId(created.get(random.nextInt(created.size())));
                }
                RunQuery query = b.build();
                List<Run> expected = all.stream().filter(query::matches).sorted(order).toList();
                int pageSize = 1 + random.nextInt(7);
                assertThat(readAll(p -> store.searchRuns(query, p), pageSize))
                        .as("query %s in pages of %d", query, pageSize).isEqualTo(expected);
            }
        }
    }

    @Nested
    @DisplayName("pagination")
    class Pagination {

        @Test
        @DisplayName("pages of any size concatenate to the whole listing, each page at most the page size")
        void pageSizes() {
            for (int n = 1; n <= 23; n++) {
                create(run(n).start(at(n % 5)).build());
            }
            List<Run> whole = search(RunQuery.all());
            assertThat(whole).hasSize(23);
            for (int size : new int[] {1, 2, 5, 22, 23, 24}) {
                assertThat(readAll(p -> store.searchRuns(RunQuery.all(), p), size)).as("size %d", size)
                        .isEqualTo(whole);
            }
        }

        @Test
        @DisplayName("a full first page of a longer listing has a next page token; the first page of an empty"
                + " listing has no items")
        void tokens() {
            create(1);
            create(2);
            Page<Run> first = store.searchRuns(RunQuery.all(), PageRequest.first(1));
            assertThat(first.items()).hasSize(1);
            assertThat(first.nextPageToken()).isNotNull();
            Page<Run> empty = store.searchRuns(RunQuery.builder().jobName("none").build(), PageRequest.first(5));
            assertThat(empty.items()).isEmpty();
        }

        @Test
        @DisplayName("runs inserted between pages, older and newer, neither make the listing skip nor repeat a run")
        void searchWithInsertsBetweenPages() throws Exception {
            for (int n = 0; n < 40; n++) {
                create(run(1000 + n).start(at(n * 10L)).build());
            }
            Set<String> initial = new HashSet<>(ids(search(RunQuery.all())));
            AtomicInteger next = new AtomicInteger();
            List<Run> seen = pagedWithInsertsBetweenPages(p -> store.searchRuns(RunQuery.all(), p), 6, () -> {
                // around the listing's position: one older, one newer, one with an equal start time
                int i = next.getAndAdd(3);
                create(run(2000 + i).start(at((40 - i) * 10L + 5)).build());
                create(run(2001 + i).start(at(500 + i)).build());
                create(run(2002 + i).start(at((40 - i) * 10L)).build());
            });
            assertExactlyOnce(ids(seen), initial);
        }

        @Test
        @DisplayName("dataset versions registered between pages neither make the listing skip nor repeat one")
        void datasetsWithInsertsBetweenPages() throws Exception {
            for (int n = 0; n < 30; n++) {
                register(dataset(n % 2 == 0 ? "even" : "odd", "v" + n));
            }
            List<String> initialAll = readAll(p -> store.listDatasets(null, p), 100).stream()
                    .map(DatasetVersion::version).toList();
            AtomicInteger next = new AtomicInteger(100);
            List<DatasetVersion> seen = pagedWithInsertsBetweenPages(p -> store.listDatasets(null, p), 4, () -> {
                int i = next.getAndIncrement();
                register(dataset(i % 2 == 0 ? "even" : "odd", "v" + i));
            });
            assertExactlyOnce(seen.stream().map(DatasetVersion::version).toList(), new HashSet<>(initialAll));
        }

        @Test
        @DisplayName("metric points logged between pages neither make the history skip nor repeat one")
        void historyWithInsertsBetweenPages() throws Exception {
            create(1);
            List<MetricPoint> initial = IntStream.range(0, 30).mapToObj(i -> point("m", i, i, i)).toList();
            store.logMetrics(runId(1), initial, audit("run.metrics", "run:" + runId(1)));
            AtomicInteger next = new AtomicInteger();
            List<MetricPoint> seen = pagedWithInsertsBetweenPages(
                    p -> store.metricHistory(runId(1), "m", p), 4, () -> {
                        int i = next.getAndIncrement();
                        metrics(runId(1), point("m", 1000 + i, 29 - i, 0), point("m", 2000 + i, 29 - i, 100),
                                point("m", 3000 + i, 100 + i, 0));
                    });
            List<Double> initialValues = initial.stream().map(MetricPoint::value).toList();
            List<Double> seenInitial = seen.stream().map(MetricPoint::value).filter(initialValues::contains)
                    .toList();
            assertThat(seenInitial).isEqualTo(initialValues);
            assertThat(new HashSet<>(seen)).hasSize(seen.size());
        }

        @Test
        @DisplayName("while another thread inserts runs, a paged search returns every earlier run exactly once")
        void searchWithConcurrentWriter() throws Exception {
            for (int n = 0; n < 50; n++) {
                create(run(n).start(at(n * 2L)).build());
            }
            Set<String> initial = new HashSet<>(ids(search(RunQuery.all())));
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                CountDownLatch started = new CountDownLatch(1);
                Future<Integer> inserts = writer.submit(() -> {
                    started.countDown();
                    for (int i = 0; i < 60; i++) {
                        create(run(10_000 + i).start(at(i % 2 == 0 ? 1 + 2L * (i % 50) : 1000 + i)).build());
                    }
                    return 60;
                });
                started.await();
                List<String> seen = new ArrayList<>();
                PageRequest request = PageRequest.first(3);
                while (true) {
                    Page<Run> page = store.searchRuns(RunQuery.all(), request);
                    seen.addAll(ids(page.items()));
                    if (page.nextPageToken() == null) {
                        break;
                    }
                    request = request.next(page);
                    assertThat(seen.size()).as("pages end").isLessThan(10_000);
                }
                assertThat(inserts.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(60);
                assertExactlyOnce(seen, initial);
            } finally {
                writer.shutdownNow();
                assertThat(writer.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"not a token", "%%%", "AAAA", "eyJ4IjoxfQ", "////", "Zm9v"})
        @DisplayName("a malformed page token is INVALID_ARGUMENT on field pageToken, for every listing")
        void badTokens(String token) {
            create(1);
            metrics(runId(1), point("m", 1, 0, 0), point("m", 2, 1, 0));
            register(dataset("d", "1"));
            register(dataset("d", "2"));
            PageRequest bad = new PageRequest(1, token);

            List<Runnable> calls = List.of(
                    () -> store.searchRuns(RunQuery.all(), bad),
                    () -> store.metricHistory(runId(1), "m", bad),
                    () -> store.listDatasets(null, bad),
                    () -> store.listDatasets("d", bad));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run)
                        .isInstanceOf(InvalidArgumentException.class)
                        .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("pageToken"));
            }
        }

        /**
         * Pages through a listing on this thread while a second thread runs {@code insert} after every page (the
         * listing waits for it), so every page boundary sees new items.
         */
        private <T> List<T> pagedWithInsertsBetweenPages(Function<PageRequest, Page<T>> lister, int pageSize,
                ThrowingRunnable insert) throws Exception {
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Semaphore pageRead = new Semaphore(0);
            Semaphore inserted = new Semaphore(0);
            AtomicBoolean listingDone = new AtomicBoolean();
            try {
                Future<Integer> inserts = writer.submit(() -> {
                    int rounds = 0;
                    while (true) {
                        if (!pageRead.tryAcquire(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                            throw new AssertionError("the listing stalled");
                        }
                        if (listingDone.get()) {
                            return rounds;
                        }
                        insert.run();
                        rounds++;
                        inserted.release();
                    }
                });
                List<T> all = new ArrayList<>();
                PageRequest request = PageRequest.first(pageSize);
                int pages = 0;
                while (true) {
                    Page<T> page = lister.apply(request);
                    all.addAll(page.items());
                    pages++;
                    if (page.nextPageToken() == null) {
                        break;
                    }
                    assertThat(pages).as("pages end").isLessThan(10_000);
                    pageRead.release();
                    awaitInsert(inserted, inserts);
                    request = request.next(page);
                }
                listingDone.set(true);
                pageRead.release();
                assertThat(inserts.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("insert rounds")
                        .isEqualTo(pages - 1).isPositive();
                return all;
            } finally {
                writer.shutdownNow();
                assertThat(writer.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }
        }

        /** Waits for the writer's next insert; surfaces the writer's failure if it stopped. */
        private void awaitInsert(Semaphore inserted, Future<Integer> writer) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!inserted.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                if (writer.isDone()) {
                    writer.get();
                    throw new AssertionError("the writer stopped early");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the writer did not insert within " + TIMEOUT_SECONDS + " s");
                }
            }
        }

        private void assertExactlyOnce(List<String> seen, Set<String> initial) {
            assertThat(new HashSet<>(seen)).as("no item repeated").hasSize(seen.size());
            assertThat(seen).as("every item present from the start").containsAll(initial);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        private static final int THREADS = 8;
        private static final int ROUNDS = 8;

        @Test
        @DisplayName("8 threads writing to their own runs lose no update, and the audit chain has seq 1..N without"
                + " gaps and verifies")
        void ownRuns() throws Exception {
            runConcurrently(THREADS, t -> {
                String id = runId(t + 1);
                create(run(t + 1).build());
                for (int i = 0; i < ROUNDS; i++) {
                    params(id, Map.of("p" + i, "v" + t));
                    metrics(id, point("m", i, i, i));
                    tags(id, Map.of("t" + i, "v" + t));
                }
                return null;
            });

            for (int t = 0; t < THREADS; t++) {
                Run r = get(runId(t + 1));
                for (int i = 0; i < ROUNDS; i++) {
                    assertThat(r.params()).containsEntry("p" + i, "v" + t);
                    assertThat(r.tags()).containsEntry("t" + i, "v" + t);
                }
                assertThat(history(r.id(), "m")).hasSize(ROUNDS);
            }
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).hasSize(THREADS * (1 + 3 * ROUNDS));
            assertChainIntact(events);
        }

        @Test
        @DisplayName("8 threads writing to one run lose no param, tag or metric point and duplicate none")
        void sharedRun() throws Exception {
            create(1);
            String id = runId(1);
            runConcurrently(THREADS, t -> {
                for (int i = 0; i < ROUNDS; i++) {
                    params(id, Map.of("p" + t + "." + i, "v"));
                    tags(id, Map.of("t" + t + "." + i, "v"));
                    metrics(id, point("m", t * ROUNDS + i, t * ROUNDS + i, 0));
                    store.heartbeat(id, at(1000 + i));
                }
                return null;
            });

            Run r = get(id);
            assertThat(r.params()).hasSize(THREADS * ROUNDS);
            assertThat(r.tags()).hasSize(THREADS * ROUNDS);
            assertThat(history(id, "m")).extracting(MetricPoint::step)
                    .containsExactlyElementsOf(IntStream.range(0, THREADS * ROUNDS).mapToObj(i -> (long) i).toList());
            assertThat(r.latestMetrics().get("m").step()).isEqualTo(THREADS * ROUNDS - 1);
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).hasSize(1 + THREADS * ROUNDS * 3);
            assertChainIntact(events);
        }

        @Test
        @DisplayName("concurrent creates of the same run: exactly one is created, one audit event")
        void sameRun() throws Exception {
            List<Created<Run>> results = runConcurrently(THREADS,
                    t -> store.createRun(newRun(1), audit("run.create", "run:" + runId(1))));
            assertThat(results).filteredOn(Created::created).hasSize(1);
            assertThat(results).extracting(Created::value).containsOnly(get(runId(1)));
            assertThat(auditSize()).isEqualTo(1);
        }

        @Test
        @DisplayName("concurrent registrations of the same dataset version: exactly one is created, one audit event")
        void sameDataset() throws Exception {
            DatasetVersion v = dataset("d", "x");
            List<Created<DatasetVersion>> results = runConcurrently(THREADS, t -> register(v));
            assertThat(results).filteredOn(Created::created).hasSize(1);
            assertThat(results).extracting(Created::value).containsOnly(v);
            assertThat(readAll(p -> store.listDatasets(null, p), 100)).containsExactly(v);
            assertThat(auditSize()).isEqualTo(1);
        }

        @Test
        @DisplayName("concurrent writes of one param with different values: exactly one wins, the others are"
                + " CONFLICT")
        void paramRace() throws Exception {
            create(1);
            List<Outcome<Integer>> results = runConcurrently(THREADS, t -> Outcome.of(() -> {
                params(runId(1), Map.of("seed", "s" + t));
                return t;
            }));
            List<Integer> winners = results.stream().filter(o -> o.error() == null).map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(results).filteredOn(o -> o.error() != null).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT).hasSize(THREADS - 1);
            assertThat(get(runId(1)).params()).isEqualTo(Map.of("seed", "s" + winners.get(0)));
            assertThat(auditSize()).isEqualTo(2);
        }

        @Test
        @DisplayName("concurrent finishes of one run: exactly one succeeds, the others are CONFLICT")
        void finishRace() throws Exception {
            create(1);
            List<Outcome<Run>> results = runConcurrently(THREADS, t -> Outcome.of(() -> store.finishRun(runId(1),
                    RunStatus.values()[1 + t % 3], at(100 + t), "t" + t, audit("run.finish", "run:" + runId(1)))));
            List<Run> winners = results.stream().filter(o -> o.error() == null).map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(results).filteredOn(o -> o.error() != null).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT);
            assertThat(store.getRun(runId(1))).contains(winners.get(0));
            assertThat(auditSize()).isEqualTo(2);
        }

        @Test
        @DisplayName("readers running beside writers always see whole batches and an intact chain prefix")
        void readersSeeWholeBatches() throws Exception {
            create(1);
            String id = runId(1);
            List<Object> results = runConcurrently(4, t -> {
                if (t == 0) {
                    for (int i = 0; i < 30; i++) {
                        metrics(id, point("a", i, i, 0), point("b", i, i, 0));
                        params(id, Map.of("x" + i, "1", "y" + i, "1"));
                    }
                    return "writer";
                }
                for (int i = 0; i < 30; i++) {
                    Run r = get(id);
                    long a = r.latestMetrics().containsKey("a") ? r.latestMetrics().get("a").step() : -1;
                    long b = r.latestMetrics().containsKey("b") ? r.latestMetrics().get("b").step() : -1;
                    assertThat(a).as("metrics a and b come in one batch").isEqualTo(b);
                    for (String k : r.params().keySet()) {
                        String pair = (k.startsWith("x") ? "y" : "x") + k.substring(1);
                        assertThat(r.params()).as("params come in pairs").containsKey(pair);
                    }
                    if (i % 5 == 0) {
                        assertChainIntact(store.auditEvents(0, 10_000));
                    }
                }
                return "reader";
            });
            assertThat(results).containsExactly("writer", "reader", "reader", "reader");
        }
    }

    @Nested
    @DisplayName("atomicity")
    class Atomicity {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"conflicting param batch", "metrics on a finished run", "links on a finished run",
                "params on a finished run", "finishing twice", "re-creating with other content",
                "creating with an unknown parent", "erasing an unknown event"})
        @DisplayName("a rejected mutation changes nothing and appends no audit event")
        void rejectedMutationChangesNothing(String mutation) {
            NodeRef node = datasetNode("d", "1");
            create(1);
            params(runId(1), Map.of("seed", "1"));
            metrics(runId(1), point("m", 1, 0, 0));
            links(runId(1), RunLink.input(node));
            create(2);
            finish(runId(2), RunStatus.COMPLETED);
            register(dataset("d", "1"));
            List<String> runs = List.of(runId(1), runId(2), runId(3));
            List<Object> before = state(runs, List.of("m"), List.of(node, NodeRef.run(runId(2))));

            assertThatThrownBy(() -> {
                switch (mutation) {
                    case "conflicting param batch" -> params(runId(1), Map.of("a", "1", "seed", "2", "z", "3"));
                    case "metrics on a finished run" -> metrics(runId(2), point("m", 5, 5, 5));
                    case "links on a finished run" -> links(runId(2), RunLink.output(node));
                    case "params on a finished run" -> params(runId(2), Map.of("a", "1"));
                    case "finishing twice" -> finish(runId(2), RunStatus.FAILED);
                    case "re-creating with other content" -> store.createRun(run(1).job("other").build(),
                            audit("run.create", "run:" + runId(1)));
                    case "creating with an unknown parent" -> store.createRun(run(3).parent(runId(9)).build(),
                            audit("run.create", "run:" + runId(3)));
                    case "erasing an unknown event" -> store.eraseAuditData(auditSize() + 1,
                            audit("audit.erase", "audit:x"));
                    default -> throw new IllegalArgumentException(mutation);
                }
            }).isInstanceOf(MlopsException.class);

            assertThat(state(runs, List.of("m"), List.of(node, NodeRef.run(runId(2))))).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("the audit chain")
    class AuditTrail {

        private void workload() {
            create(1);
            params(runId(1), Map.of("lr", "0.1"));
            metrics(runId(1), point("loss", 0.5, 0, 0), point("loss", 0.4, 1, 1));
            tags(runId(1), Map.of("k", "v"));
            links(runId(1), RunLink.input(datasetNode("d", "1")));
            register(dataset("d", "1"));
            finish(runId(1), RunStatus.COMPLETED);
        }

        @Test
        @DisplayName("an empty store has no events, no head and no checkpoints")
        void empty() {
            assertThat(store.auditHead()).isEmpty();
            assertThat(store.auditEvents(0, 100)).isEmpty();
            assertThat(store.checkpoints()).isEmpty();
        }

        @Test
        @DisplayName("events are numbered from 1, the first chained to GENESIS, each to its predecessor, and every"
                + " hash can be recomputed")
        void chain() {
            workload();
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).extracting(AuditEvent::action).containsExactly("run.create", "run.params",
                    "run.metrics", "run.tags", "run.links", "dataset.register", "run.finish");
            assertThat(events.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
            assertChainIntact(events);
            assertThat(store.auditHead()).contains(events.get(events.size() - 1));
        }

        @Test
        @DisplayName("each event is exactly what AuditChain.seal makes of the pending event and the previous head")
        void sealed() {
            PendingAuditEvent p1 = audit("run.create", "run:" + runId(1), "{\"z\":1,\"a\":\"\\u00e9\"}");
            store.createRun(newRun(1), p1);
            PendingAuditEvent p2 = audit("run.params", "run:" + runId(1), "{\"params\":{\"lr\":\"0.1\"}}");
            store.logParams(runId(1), Map.of("lr", "0.1"), p2);

            AuditEvent e1 = AuditChain.seal(null, p1);
            AuditEvent e2 = AuditChain.seal(e1, p2);
            assertThat(allAuditEvents()).containsExactly(e1, e2);
        }

        @Test
        @DisplayName("auditEvents returns up to limit events after a seq, in seq order")
        void window() {
            workload();
            List<AuditEvent> all = allAuditEvents();
            assertThat(store.auditEvents(2, 3)).isEqualTo(all.subList(2, 5));
            assertThat(store.auditEvents(0, 1)).isEqualTo(all.subList(0, 1));
            assertThat(store.auditEvents(5, 100)).isEqualTo(all.subList(5, all.size()));
            assertThat(store.auditEvents(all.size(), 10)).isEmpty();
            assertThat(store.auditEvents(all.size() + 10L, 10)).isEmpty();
        }

        @Test
        @DisplayName("erasing an event's data sets it to null, keeps its digest and hash, keeps the chain valid and"
                + " appends the erasure as an event")
        void erasure() {
            workload();
            List<AuditEvent> before = allAuditEvents();
            AuditEvent target = before.get(1);
            PendingAuditEvent erasure = audit("audit.erase", "audit:" + target.seq(), "{\"reason\":\"gdpr\"}");

            AuditEvent erased = store.eraseAuditData(target.seq(), erasure);

            assertThat(erased).isEqualTo(target.withDataErased());
            List<AuditEvent> after = allAuditEvents();
            assertThat(after).hasSize(before.size() + 1);
            assertThat(after.get(1).data()).isNull();
            assertThat(after.get(1).dataDigest()).isEqualTo(target.dataDigest());
            assertThat(after.get(1).hash()).isEqualTo(target.hash());
            for (int i = 0; i < before.size(); i++) {
                if (i != 1) {
                    assertThat(after.get(i)).isEqualTo(before.get(i));
                }
            }
            assertThat(after.get(after.size() - 1)).isEqualTo(AuditChain.seal(before.get(before.size() - 1),
                    erasure));
            assertChainIntact(after);
        }

        @Test
        @DisplayName("erasing twice keeps the data erased and records both erasures")
        void eraseTwice() {
            workload();
            long n = auditSize();
            store.eraseAuditData(3, audit("audit.erase", "audit:3"));
            store.eraseAuditData(3, audit("audit.erase", "audit:3"));
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).hasSize((int) n + 2);
            assertThat(events.get(2).data()).isNull();
            assertChainIntact(events);
        }

        @Test
        @DisplayName("the erasure event itself can be erased")
        void eraseErasure() {
            create(1);
            AuditEvent erasure = store.eraseAuditData(1, audit("audit.erase", "audit:1"));
            assertThat(erasure.seq()).isEqualTo(1);
            store.eraseAuditData(2, audit("audit.erase", "audit:2"));
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).hasSize(3);
            assertThat(events.get(0).data()).isNull();
            assertThat(events.get(1).data()).isNull();
            assertThat(events.get(2).data()).isNotNull();
            assertChainIntact(events);
        }

        @ParameterizedTest(name = "seq {0}")
        @ValueSource(longs = {0, -1, 4, 1000})
        @DisplayName("erasing a seq that does not exist is NOT_FOUND naming the seq and appends nothing")
        void eraseUnknown(long seq) {
            create(1);
            create(2);
            create(3);
            List<AuditEvent> before = allAuditEvents();
            assertThatThrownBy(() -> store.eraseAuditData(seq, audit("audit.erase", "audit:" + seq)))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(String.valueOf(seq));
            assertThat(allAuditEvents()).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("checkpoints")
    class Checkpoints {

        @Test
        @DisplayName("checkpoints are stored as given, in the order added, each with one audit event")
        void storedInOrder() {
            create(1);
            AuditCheckpoint c1 = TckData.checkpoint(store.auditHead().orElseThrow(), at(10));
            store.addCheckpoint(c1, audit("audit.checkpoint", "audit:" + c1.seq()));
            create(2);
            create(3);
            AuditCheckpoint c2 = TckData.checkpoint(store.auditHead().orElseThrow(), at(5));
            store.addCheckpoint(c2, audit("audit.checkpoint", "audit:" + c2.seq()));

            assertThat(store.checkpoints()).containsExactly(c1, c2);
            assertThat(store.checkpoints()).allMatch(TckData::signatureValid);
            List<AuditEvent> events = allAuditEvents();
            assertThat(events).extracting(AuditEvent::action).containsExactly("run.create", "audit.checkpoint",
                    "run.create", "run.create", "audit.checkpoint");
            assertChainIntact(events);
            assertThat(c2.hash()).isEqualTo(events.get(3).hash());
        }
    }

    @Nested
    @DisplayName("the store itself")
    class Lifecycle {

        @Test
        @DisplayName("describe() names the store without secrets")
        void describe() {
            assertThat(store.describe()).isNotBlank();
            assertThat(store.describe().toLowerCase(java.util.Locale.ROOT)).doesNotContain("password=");
        }

        @Test
        @DisplayName("close() is idempotent")
        void closeTwice() {
            create(1);
            store.close();
            store.close();
        }

        /** One call of every method but close() and describe(), some with arguments a store might answer early. */
        private static final List<String> CALLS_AFTER_CLOSE = List.of("createRun", "getRun", "searchRuns",
                "searchRuns with a malformed page token", "finishRun", "finishRun as RUNNING", "heartbeat",
                "logParams", "setTags", "logMetrics", "metricHistory", "addLinks", "registerDataset", "getDataset",
                "listDatasets", "lineageEdges", "lineageEdges of no nodes", "auditEvents",
                "auditEvents with limit 0", "auditHead", "eraseAuditData", "addCheckpoint", "checkpoints");

        @Test
        @DisplayName("the calls after close() checked below and in the registry, profile and policy groups cover"
                + " every method of MetadataStore but close() and describe()")
        void everyMethodCoveredAfterClose() {
            Set<String> methods = new TreeSet<>();
            for (Method m : MetadataStore.class.getDeclaredMethods()) {
                if (!Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
                    methods.add(m.getName());
                }
            }
            methods.removeAll(Set.of("close", "describe"));
            Set<String> covered = new TreeSet<>();
            CALLS_AFTER_CLOSE.forEach(call -> covered.add(call.split(" ")[0]));
            registryCallsAfterClose().forEach(call -> covered.add(call.split(" ")[0]));
            profileCallsAfterClose().forEach(call -> covered.add(call.split(" ")[0]));
            policyCallsAfterClose().forEach(call -> covered.add(call.split(" ")[0]));
            assertThat(covered).isEqualTo(methods);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.MetadataStoreCompatibilityKit#callsAfterClose")
        @DisplayName("after close() every call but close() and describe() fails with STORAGE")
        void closedStoreRefusesEverything(String call) {
            create(1);
            params(runId(1), Map.of("lr", "0.1"));
            DatasetVersion d = dataset("d", "1");
            register(d);
            AuditEvent head = store.auditHead().orElseThrow();
            AuditCheckpoint checkpoint = TckData.checkpoint(head, at(10));
            String description = store.describe();
            store.close();
            PendingAuditEvent pending = audit("after.close", "run:" + runId(1));

            Throwable thrown = catchThrowable(() -> {
                switch (call) {
                    case "createRun" -> store.createRun(newRun(2), pending);
                    case "getRun" -> store.getRun(runId(1));
                    case "searchRuns" -> store.searchRuns(RunQuery.all(), PageRequest.first());
                    case "searchRuns with a malformed page token" -> store.searchRuns(RunQuery.all(),
                            new PageRequest(10, "%%%"));
                    case "finishRun" -> store.finishRun(runId(1), RunStatus.COMPLETED, at(10), null, pending);
                    case "finishRun as RUNNING" -> store.finishRun(runId(1), RunStatus.RUNNING, at(10), null, pending);
                    case "heartbeat" -> store.heartbeat(runId(1), at(20));
                    case "logParams" -> store.logParams(runId(1), Map.of("a", "1"), pending);
                    case "setTags" -> store.setTags(runId(1), Map.of("a", "1"), pending);
                    case "logMetrics" -> store.logMetrics(runId(1), List.of(point("m", 1, 0, 1)), pending);
                    case "metricHistory" -> store.metricHistory(runId(1), "m", PageRequest.first());
                    case "addLinks" -> store.addLinks(runId(1), List.of(RunLink.input(d.node())), pending);
                    case "registerDataset" -> store.registerDataset(dataset("d", "2"), pending);
                    case "getDataset" -> store.getDataset("d", d.version());
                    case "listDatasets" -> store.listDatasets(null, PageRequest.first());
                    case "lineageEdges" -> store.lineageEdges(List.of(d.node()), Direction.BOTH);
                    case "lineageEdges of no nodes" -> store.lineageEdges(List.of(), Direction.BOTH);
                    case "auditEvents" -> store.auditEvents(0, 10);
                    case "auditEvents with limit 0" -> store.auditEvents(0, 0);
                    case "auditHead" -> store.auditHead();
                    case "eraseAuditData" -> store.eraseAuditData(1, pending);
                    case "addCheckpoint" -> store.addCheckpoint(checkpoint, pending);
                    case "checkpoints" -> store.checkpoints();
                    default -> throw new IllegalArgumentException(call);
                }
            });

            assertThat(thrown).as("what %s threw after close()", call).isInstanceOf(StorageException.class);
            assertThat(((MlopsException) thrown).code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(store.describe()).isEqualTo(description);
            store.close();
        }
    }
}
