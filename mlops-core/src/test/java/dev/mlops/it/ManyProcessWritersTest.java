package dev.mlops.it;

import static dev.mlops.it.StoreTargets.POSTGRESQL;
import static dev.mlops.it.StoreTargets.SQLITE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.data.Digests;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVM processes, each with several threads, write to one store at the same time: runs with params and
 * metric batches, registrations of one dataset with the same bytes everywhere and of versions with bytes of their
 * own, and params and metrics of one run that all of them share. Afterwards nothing is lost, nothing is duplicated,
 * the audit chain is numbered without gaps and verifies, and no child saw an error ("database is locked" least of
 * all: a child that sees any error prints it and exits with 1).
 */
class ManyProcessWritersTest {
    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Child child : children) {
            child.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SQLITE, POSTGRESQL})
    void fourProcessesOfTwoThreadsWritingAtOnceLoseNothingDuplicateNothingAndKeepOneChain(String kind)
            throws Exception {
        writeAtOnce(StoreTargets.uri(kind, dir), 4, 2, 5, 2_000);
    }

    @Tag("soak")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SQLITE, POSTGRESQL})
    void soakEightProcessesOfThreeThreadsWritingAtOnce(String kind) throws Exception {
        writeAtOnce(StoreTargets.uri(kind, dir), 8, 3, 25, 5_000);
    }

    /**
     * Twelve processes that each write 50,000-point batches without pause overload the store (on two cores, each
     * waits for about eleven others' transactions before its own): for a minute none sees an error, because every
     * wait stays inside the write-lock budget; then they are killed and the store is checked as after a crash.
     */
    @Tag("soak")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SQLITE, POSTGRESQL})
    void soakTwelveProcessesOverloadingTheStoreForAMinuteSeeNoError(String kind) throws Exception {
        String uri = StoreTargets.uri(kind, dir);
        String token = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path artifacts = dir.resolve("artifacts");
        long baseline;
        try (Mlops mlops = CrashConsistencyTest.open(uri, artifacts)) {
            baseline = StoreChecks.headSeq(mlops);
        }
        for (int i = 0; i < 12; i++) {
            String name = "w" + i;
            children.add(Child.start(dir.resolve(name), name, "crash-writer", StoreTargets.childOption(uri),
                    "artifacts=" + artifacts, "name=" + name, "token=" + token, "big=" + CrashConsistencyTest.BIG,
                    "small=" + CrashConsistencyTest.SMALL, "params=" + CrashConsistencyTest.PARAMS,
                    "dir=" + dir.resolve(name)));
        }
        Thread.sleep(Duration.ofMinutes(1).toMillis());
        List<CrashConsistencyTest.Killed> killed = new ArrayList<>();
        long batches = 0;
        for (Child child : children) {
            assertThat(child.isAlive()).as(child.describe("ended early")).isTrue();
            child.kill();
            assertThat(child.lines()).as(child.describe("wrote nothing")).anyMatch(l -> l.startsWith("BATCH "));
            batches += child.lines().stream().filter(l -> l.startsWith("BATCH ")).count();
            killed.add(new CrashConsistencyTest.Killed(child.name(), false, child.lines(), child.arrivals()));
        }
        try (Mlops mlops = CrashConsistencyTest.open(uri, artifacts)) {
            CrashConsistencyTest.check(mlops, token, baseline, killed, Set.of());
        }
        System.out.printf("12 overloading writers wrote %d metric batches in a minute without an error%n", batches);
    }

    private void writeAtOnce(String uri, int processes, int threads, int runsPerThread, int points)
            throws Exception {
        String token = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String job = "mw-" + token;
        Path sharedFile = dir.resolve("shared.csv");
        StringBuilder csv = new StringBuilder("id,value\n");
        for (int i = 0; i < 500; i++) {
            csv.append(i).append(',').append(i * 0.25).append('\n');
        }
        Files.writeString(sharedFile, csv, StandardCharsets.UTF_8);
        String sharedDigest;
        try (InputStream in = Files.newInputStream(sharedFile)) {
            sharedDigest = Digests.of(in).digest();
        }
        Path go = dir.resolve("go");
        int units = processes * threads * runsPerThread;

        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("file:" + dir.resolve("artifacts"))
                .actor("parent").workingDirectory(dir).build()) {
            long baseline = StoreChecks.headSeq(mlops);
            ActiveRun shared = mlops.tracking().starter("mw-shared-" + token).codeVersion(null).start();

            for (int p = 0; p < processes; p++) {
                String name = "c" + p;
                children.add(Child.start(dir.resolve(name), name, "writer", StoreTargets.childOption(uri),
                        "artifacts=" + dir.resolve("artifacts"), "name=" + name, "token=" + token,
                        "threads=" + threads, "runs=" + runsPerThread, "points=" + points,
                        "shared-run=" + shared.id(), "shared-file=" + sharedFile, "dir=" + dir.resolve(name),
                        "go=" + go));
            }
            for (Child child : children) {
                child.await("READY", Duration.ofSeconds(90));
            }
            Files.createFile(go);
            // Read while they write: every head seen is at least the one seen before.
            long lastHead = baseline;
            while (children.stream().anyMatch(Child::isAlive)) {
                long head = StoreChecks.headSeq(mlops);
                assertThat(head).isGreaterThanOrEqualTo(lastHead);
                lastHead = head;
                Thread.sleep(50);
            }
            List<String> lines = new ArrayList<>();
            for (Child child : children) {
                assertThat(child.awaitExit(Duration.ofMinutes(3))).as(child.describe("failed")).isZero();
                assertThat(child.lastLine()).as(child.describe("did not finish")).isEqualTo("DONE");
                assertThat(String.join("\n", child.lines()) + child.stderr()).doesNotContainIgnoringCase("locked")
                        .doesNotContain("SQLITE_BUSY");
                lines.addAll(child.lines());
            }

            // The audit chain: intact, numbered on from the baseline, exactly the events of these changes.
            StoreChecks.assertChainVerifies(mlops);
            List<AuditEvent> events = StoreChecks.eventsAfter(mlops, baseline);
            Map<String, Long> byAction = events.stream()
                    .collect(Collectors.groupingBy(AuditEvent::action, TreeMap::new, Collectors.counting()));
            assertThat(byAction).isEqualTo(new TreeMap<>(Map.of(
                    "dataset.register", 1L + units,
                    "run.create", 1L + units,
                    "run.log_params", 2L * units,
                    "run.log_metrics", 3L * units,
                    "run.add_links", (long) units,
                    "run.finish", (long) units)));

            // Datasets: the same bytes registered units times by every process are one version, created once.
            List<DatasetVersion> sharedVersions = StoreChecks.versions(mlops, "shared-" + token);
            assertThat(sharedVersions).extracting(DatasetVersion::version).containsExactly(sharedDigest);
            assertThat(lines.stream().filter(l -> l.startsWith("DATASET shared-" + token + " ")))
                    .hasSize(units)
                    .allMatch(l -> l.startsWith("DATASET shared-" + token + " " + sharedDigest + " "))
                    .filteredOn(l -> l.endsWith(" true")).hasSize(1);
            List<DatasetVersion> own = StoreChecks.versions(mlops, "own-" + token);
            assertThat(own).hasSize(units);
            assertThat(own.stream().map(DatasetVersion::version).distinct()).hasSize(units);
            assertThat(lines.stream().filter(l -> l.startsWith("DATASET own-" + token + " ")))
                    .hasSize(units).allMatch(l -> l.endsWith(" true"));

            // Runs: every run a child reported is there, once, complete.
            Set<String> reported = new HashSet<>();
            for (String line : lines) {
                if (line.startsWith("RUN ")) {
                    assertThat(reported.add(line.substring(4))).as("run id reported twice: %s", line).isTrue();
                }
            }
            assertThat(reported).hasSize(units);
            List<Run> runs = StoreChecks.runsOf(mlops, job);
            assertThat(runs).extracting(Run::id).containsExactlyInAnyOrderElementsOf(reported);
            NodeRef sharedNode = sharedVersions.get(0).node();
            for (Run run : runs) {
                assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(run.params()).containsEntry("token", token).containsKey("tag").hasSize(2);
                assertThat(run.latestMetrics()).containsOnlyKeys("loss", "acc");
                for (String key : List.of("loss", "acc")) {
                    MetricPoint last = run.latestMetrics().get(key);
                    assertThat(last.step()).isEqualTo(points - 1L);
                    assertThat(last.value()).isEqualTo(ChildMain.value(points - 1L));
                    assertThat(StoreChecks.points(mlops, run.id(), key)).as("points of %s in run %s", key, run.id())
                            .isEqualTo(points);
                }
                assertThat(run.links()).containsExactly(RunLink.input(sharedNode));
            }

            // The run every process wrote to has every param and every series of every writer.
            Set<String> tags = lines.stream().filter(l -> l.startsWith("SHARED ")).map(l -> l.substring(7))
                    .collect(Collectors.toSet());
            assertThat(tags).hasSize(units);
            Run sharedRun = mlops.tracking().get(shared.id()).orElseThrow();
            assertThat(sharedRun.params().keySet())
                    .isEqualTo(tags.stream().map(t -> "p-" + t).collect(Collectors.toSet()));
            assertThat(sharedRun.latestMetrics().keySet())
                    .isEqualTo(tags.stream().map(t -> "m-" + t).collect(Collectors.toSet()));
            for (String tag : tags) {
                assertThat(sharedRun.params()).containsEntry("p-" + tag, tag);
                assertThat(sharedRun.latestMetrics().get("m-" + tag).step()).isEqualTo(99);
                assertThat(StoreChecks.points(mlops, shared.id(), "m-" + tag)).isEqualTo(100);
            }
            shared.close();
            assertThat(mlops.tracking().get(shared.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            StoreChecks.assertChainVerifies(mlops);
        }
    }
}
