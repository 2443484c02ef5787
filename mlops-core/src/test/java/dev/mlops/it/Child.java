package dev.mlops.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link ChildMain} running in a JVM of its own. Its standard output is read line by line on a daemon thread (the
 * protocol of {@link ChildMain}); its standard error goes to a file beside the test's data, quoted in failure
 * messages. Every wait is bounded; {@link #close()} kills the process if it still runs.
 */
final class Child implements AutoCloseable {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final String name;
    private final Process process;
    private final Path stderr;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private boolean eof;

    private Child(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readOutput, "child-output-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code ChildMain mode args...} in a new JVM with this test's class path. The JVM extracts SQLite's
     * native library into {@code scratch} (so that killed children leave nothing in the system's temp folder).
     */
    static Child start(Path scratch, String name, String mode, String... args) throws IOException {
        Files.createDirectories(scratch);
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + scratch, "-Djava.io.tmpdir=" + scratch,
                "-cp", classPath(), ChildMain.class.getName(), mode));
        command.addAll(List.of(args));
        Path err = scratch.resolve(name + ".stderr.txt");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return new Child(name, process, err);
    }

    /**
     * The class path of this test run: surefire's explicit list when present, else the JVM's (which under surefire
     * may be a manifest-only jar that names the same entries).
     */
    private static String classPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path == null || path.isBlank() ? System.getProperty("java.class.path") : path;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line);
                    arrivals.add(System.nanoTime());
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process was killed while we read; what was read is kept
        } finally {
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for a line matching {@code what} and returns it.
     *
     * @throws AssertionError when the child ends (or {@code timeout} passes) without printing one; the message
     *                        holds the child's output and error stream
     */
    synchronized String await(Predicate<String> what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < lines.size(); seen++) {
                String line = lines.get(seen);
                if (line.startsWith("ERROR")) {
                    throw new AssertionError(describe("reported an error"));
                }
                if (what.test(line)) {
                    return line;
                }
            }
            long left = deadline - System.nanoTime();
            if (eof) {
                throw new AssertionError(describe("ended without the expected line"));
            }
            if (left <= 0) {
                throw new AssertionError(describe("did not print the expected line within " + timeout));
            }
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    /** Waits for the line {@code line} exactly. */
    String await(String line, Duration timeout) throws InterruptedException {
        return await(line::equals, timeout);
    }

    /** Waits for the child to end by itself and returns its exit code; kills it after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError(describe("did not end within " + timeout + " and was killed"));
        }
        drain();
        return process.exitValue();
    }

    /** Kills the child with SIGKILL ({@link Process#destroyForcibly()} on Linux) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
        drain();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits (bounded) until every line the child printed has been read. */
    private void drain() throws InterruptedException {
        reader.join(10_000);
    }

    /** Every line printed so far. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** When (System.nanoTime()) the parent read each line of {@link #lines()}, in the same order. */
    synchronized List<Long> arrivals() {
        return List.copyOf(arrivals);
    }

    /** The last line printed so far, or "" when none. */
    synchronized String lastLine() {
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** The child's error stream (stack traces), for messages. */
    String stderr() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A failure message with what the child printed on both streams. */
    synchronized String describe(String problem) {
        List<String> tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
        return "child " + name + " (pid " + process.pid() + ") " + problem + "\n-- last output lines:\n"
                + String.join("\n", tail) + "\n-- stderr:\n" + stderr();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
