package dev.mlops.it;

import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The program the multi-process and crash tests run in child JVMs: {@code ChildMain MODE key=value...}.
 *
 * <p>It reports on standard output, one line per fact, each printed (and flushed) only after the call it reports
 * has returned, so a line means "this change was committed": {@code READY} (the stores are open), {@code RUN id},
 * {@code PARAMS id n}, {@code BATCH id key n ms} (a metric batch of n points under one key, sent in ms
 * milliseconds), {@code DATASET name version created}, {@code FINISHED id}, {@code SHARED tag},
 * {@code PUT digest size}, {@code STREAMED bytes}, {@code DONE}; and {@code BEGIN id key n} just before a metric
 * batch is sent, so that a test can aim a kill at the write. Failures print {@code ERROR ...} (stack trace on
 * standard error) and exit with 1.
 *
 * <p>Modes: {@link #writer}, {@link #crashWriter}, {@link #put}, {@link #slowPut}, {@link #slowRegister}. Options are {@code key=value};
 * {@code uri=env:NAME} takes the store URI from environment variable NAME.
 */
public final class ChildMain {
    /** Metric points carry timestamps from here on, one millisecond a step. */
    static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");

    private ChildMain() {
    }

    public static void main(String[] args) {
        try {
            Map<String, String> o = options(args);
            switch (args[0]) {
                case "writer" -> writer(o);
                case "crash-writer" -> crashWriter(o);
                case "put" -> put(o);
                case "slow-put" -> slowPut(o);
                case "slow-register" -> slowRegister(o);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
            say("DONE");
            System.exit(0);
        } catch (Throwable t) {
            say("ERROR " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return o;
    }

    private static String need(Map<String, String> o, String key) {
        String value = o.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing option " + key);
        }
        return value;
    }

    private static int number(Map<String, String> o, String key) {
        return Integer.parseInt(need(o, key));
    }

    /** The store URI: option {@code uri}, or for {@code uri=env:NAME} the environment variable NAME. */
    private static String uri(Map<String, String> o) {
        String uri = need(o, "uri");
        if (uri.startsWith("env:")) {
            String value = System.getenv(uri.substring(4));
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + uri.substring(4) + " is not set");
            }
            return value;
        }
        return uri;
    }

    /** Opens the facade on the store URI with long heartbeats and batches that are sent only on flush(). */
    private static Mlops open(Map<String, String> o, Path scratch) {
        return Mlops.builder().storeUri(uri(o)).artifactUri("file:" + need(o, "artifacts"))
                .actor(need(o, "name")).metricBatchSize(100_000).heartbeatInterval(Duration.ofMinutes(10))
                .heartbeatTimeout(Duration.ofMinutes(20)).workingDirectory(scratch).build();
    }

    /** Waits (at most a minute) for a file the test creates to let children go on. */
    private static void awaitGo(Path go) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no start signal " + go + " within a minute");
            }
            Thread.sleep(3);
        }
    }

    /** n points of {@code key} at steps {@code from .. from + n - 1}; the value is a function of the step. */
    static List<MetricPoint> points(String key, long from, int n) {
        List<MetricPoint> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long step = from + i;
            points.add(new MetricPoint(key, value(step), step, T0.plusMillis(step)));
        }
        return points;
    }

    static double value(long step) {
        return 1.0 / (1 + step);
    }

    private static void logBatch(ActiveRun run, String key, int n) {
        for (int step = 0; step < n; step++) {
            run.logMetric(key, value(step), step);
        }
        say("BEGIN " + run.id() + " " + key + " " + n);
        long start = System.nanoTime();
        run.flush();
        say("BATCH " + run.id() + " " + key + " " + n + " " + (System.nanoTime() - start) / 1_000_000);
    }

    private static void finish(Mlops mlops, ActiveRun run) {
        run.close();
        // close() never throws (it must not hide a training result); a run it could not finish is a failure here.
        Run stored = mlops.tracking().get(run.id()).orElseThrow();
        if (stored.status() != RunStatus.COMPLETED) {
            throw new IllegalStateException("run " + run.id() + " is " + stored.status() + " after close()");
        }
        say("FINISHED " + run.id());
    }

    /**
     * Many writers: {@code threads} threads share one {@link Mlops}; each writes {@code runs} runs of job
     * {@code mw-TOKEN} (params, two metric batches of {@code points} points under keys {@code loss} and
     * {@code acc}, the shared dataset as input), registers the dataset {@code shared-TOKEN} from
     * {@code shared-file} (the same bytes in every child) and one version of {@code own-TOKEN} with bytes of its
     * own, and, through a second store instance on the same database, adds a param and a batch of 100 points to the
     * run {@code shared-run} that every child writes to.
     */
    static void writer(Map<String, String> o) throws Exception {
        Path dir = Path.of(need(o, "dir"));
        String name = need(o, "name");
        String token = need(o, "token");
        int threads = number(o, "threads");
        int runs = number(o, "runs");
        int points = number(o, "points");
        String sharedRun = need(o, "shared-run");
        Path sharedFile = Path.of(need(o, "shared-file"));
        Files.createDirectories(dir);
        try (Mlops mlops = open(o, dir); MetadataStore raw = StoreResolver.open(uri(o), true)) {
            say("READY");
            awaitGo(Path.of(need(o, "go")));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < runs; i++) {
                            writeOne(mlops, raw, dir, name + "-t" + thread + "-" + i, token, points, sharedRun,
                                    sharedFile);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void writeOne(Mlops mlops, MetadataStore raw, Path dir, String tag, String token, int points,
            String sharedRun, Path sharedFile) throws IOException {
        Created<DatasetVersion> shared = mlops.datasets().register("shared-" + token, sharedFile);
        say("DATASET " + shared.value().name() + " " + shared.value().version() + " " + shared.created());
        Path own = dir.resolve(tag + ".csv");
        Files.writeString(own, "tag,n\n" + tag + ",1\n", StandardCharsets.UTF_8);
        Created<DatasetVersion> mine = mlops.datasets().register("own-" + token, own);
        say("DATASET " + mine.value().name() + " " + mine.value().version() + " " + mine.created());

        ActiveRun run = mlops.tracking().starter("mw-" + token).codeVersion(null).start();
        say("RUN " + run.id());
        run.logParams(Map.of("tag", tag, "token", token));
        say("PARAMS " + run.id() + " 2");
        logBatch(run, "loss", points);
        logBatch(run, "acc", points);
        run.logInput(shared.value());
        finish(mlops, run);

        // The run every child writes to: a lost update would lose a param or a batch of another child.
        String subject = "run:" + sharedRun;
        raw.logParams(sharedRun, Map.of("p-" + tag, tag), new PendingAuditEvent(Instant.now(), tag,
                "run.log_params", subject, "{\"param\":\"p-" + tag + "\"}"));
        raw.logMetrics(sharedRun, points("m-" + tag, 0, 100), new PendingAuditEvent(Instant.now(), tag,
                "run.log_metrics", subject, "{\"keys\":[\"m-" + tag + "\"],\"points\":100}"));
        say("SHARED " + tag);
    }

    /**
     * Writes until killed, in a loop: registers a version of dataset {@code crash-TOKEN} with bytes of its own,
     * starts a run of job {@code crash-TOKEN}, logs {@code params} params in one call, one metric batch of
     * {@code big} points (key {@code b}), three of {@code small} points (keys {@code s0..s2}), and finishes the
     * run. Each metric batch is one {@code logMetrics} call: one transaction with one audit event. With option
     * {@code gate=PREFIX}, the big batch of iteration i waits until the file {@code PREFIX-i} exists, so that the
     * test can let one child at a time write its big batch.
     */
    static void crashWriter(Map<String, String> o) throws Exception {
        Path dir = Path.of(need(o, "dir"));
        String name = need(o, "name");
        String token = need(o, "token");
        int big = number(o, "big");
        int small = number(o, "small");
        int params = number(o, "params");
        String gate = o.get("gate");
        Files.createDirectories(dir);
        try (Mlops mlops = open(o, dir)) {
            say("READY");
            for (int iteration = 0; ; iteration++) {
                Path file = dir.resolve(name + "-" + iteration + ".csv");
                Files.writeString(file, "child,iteration\n" + name + "," + iteration + "\n", StandardCharsets.UTF_8);
                Created<DatasetVersion> dataset = mlops.datasets().register("crash-" + token, file);
                say("DATASET " + dataset.value().name() + " " + dataset.value().version() + " "
                        + dataset.created());
                ActiveRun run = mlops.tracking().starter("crash-" + token).codeVersion(null).start();
                say("RUN " + run.id());
                Map<String, String> values = new TreeMap<>();
                for (int p = 0; p < params; p++) {
                    values.put(String.format("p%04d", p), name + "/" + iteration + "/" + p);
                }
                run.logParams(values);
                say("PARAMS " + run.id() + " " + params);
                if (gate != null) {
                    awaitGo(Path.of(gate + "-" + iteration));
                }
                logBatch(run, "b", big);
                for (int s = 0; s < 3; s++) {
                    logBatch(run, "s" + s, small);
                }
                finish(mlops, run);
            }
        }
    }

    /** Waits for the start signal, then puts {@code size} bytes of {@code seed} into the artifact store. */
    static void put(Map<String, String> o) throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(Path.of(need(o, "root")));
        say("READY");
        if (o.containsKey("go")) {
            awaitGo(Path.of(o.get("go")));
        }
        ArtifactRef ref = store.put(new SeededBytes(Long.parseLong(need(o, "seed")), Long.parseLong(need(o, "size"))),
                null);
        say("PUT " + ref.digest() + " " + ref.sizeBytes());
    }

    /**
     * Puts {@code size} bytes of {@code seed}, but the stream stops after {@code pause-after} bytes, prints
     * {@code STREAMED n} and blocks, so the test can kill the writer in the middle of the upload.
     */
    static void slowPut(Map<String, String> o) throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(Path.of(need(o, "root")));
        long pauseAfter = Long.parseLong(need(o, "pause-after"));
        InputStream content = stalling(Long.parseLong(need(o, "seed")), Long.parseLong(need(o, "size")), pauseAfter);
        say("READY");
        ArtifactRef ref = store.put(content, null);
        say("PUT " + ref.digest() + " " + ref.sizeBytes());
    }

    /**
     * Registers a model version whose upload stalls after {@code pause-after} bytes (printing {@code STREAMED n}),
     * so that a test can kill the process between registration and the end of the upload.
     */
    static void slowRegister(Map<String, String> o) throws Exception {
        long pauseAfter = Long.parseLong(need(o, "pause-after"));
        long seed = Long.parseLong(need(o, "seed"));
        long size = Long.parseLong(need(o, "size"));
        InputStream content = stalling(seed, size, pauseAfter);
        try (Mlops mlops = open(o, Path.of(need(o, "scratch")))) {
            say("READY");
            var v = mlops.registry().newVersion(need(o, "model")).expectedDigest(SeededBytes.digest(seed, size))
                    .idempotencyKey(need(o, "key")).upload(content);
            say("REGISTERED " + v.version() + " " + v.status());
        }
    }

    /** Seeded bytes that stall after {@code pauseAfter} bytes (printing {@code STREAMED n}) for the test to kill. */
    private static InputStream stalling(long seed, long size, long pauseAfter) {
        return new SeededBytes(seed, size) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position() >= pauseAfter) {
                    say("STREAMED " + position());
                    try {
                        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("the test should have killed this writer");
                }
                return super.read(b, off, (int) Math.min(len, pauseAfter - position()));
            }
        };
    }
}
