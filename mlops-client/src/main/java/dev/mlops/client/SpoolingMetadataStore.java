package dev.mlops.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store whose metric logging never waits for the network: {@link #logMetrics} writes the batch to a local spool
 * file and returns, and a background thread delivers the batches to the wrapped store in the order they were logged.
 * When the store is unreachable the batches stay in the spool, also across restarts of the process (a new
 * {@code SpoolingMetadataStore} on the same file delivers what the last one left), and are delivered when it returns.
 *
 * <p>Nothing is delivered twice: a batch whose delivery failed without an answer (the request may or may not have
 * reached the store), and a batch read back from the file, are looked up in the store's metric history before they
 * are sent, and skipped when all their points are there (a store appends a batch whole or not at all; so a batch is
 * also skipped when the same points, same step, value and millisecond, were logged before by another batch). A batch the store refuses with an answer (the run
 * does not exist or is finished, a bad point) cannot succeed later: it is dropped, logged without its content, and
 * counted in {@link #droppedBatches()}.
 *
 * <p>Every other call first waits until the spool is delivered (up to the flush timeout), so that a run is never
 * finished, and never read, before the metrics logged before it arrived; when the spool cannot be delivered in time
 * the call fails with {@link StorageException} and changes nothing. The spool holds at most
 * {@code maxPendingBatches} batches; {@link #logMetrics} waits for room up to the flush timeout, then fails with
 * {@link StorageException}. {@link #close()} waits for the spool up to the flush timeout, leaves what is left in the
 * file, and closes the wrapped store.
 *
 * <p>Errors that {@code logMetrics} of the wrapped store would report at once (an unknown or finished run) are thus
 * only logged: use this store for telemetry, where losing the call's answer is better than waiting for it.
 * Thread-safe.
 */
public final class SpoolingMetadataStore extends ForwardingMetadataStore {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingMetadataStore.class);

    private final MetadataStore target;
    private final Path file;
    private final int maxPendingBatches;
    private final Duration flushTimeout;
    private final Duration retryDelay;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Batch> pending = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private BufferedWriter writer;
    private FileChannel channel;
    private long nextSeq;
    private boolean closed;

    /**
     * A batch of the spool: its sequence number, the arguments of {@code logMetrics}, and whether it was read back
     * from the file (then an earlier instance may have delivered it without recording so).
     */
    private record Batch(long seq, String runId, List<MetricPoint> points, PendingAuditEvent audit,
            boolean recovered) {
    }

    private SpoolingMetadataStore(MetadataStore target, Path file, int maxPendingBatches, Duration flushTimeout,
            Duration retryDelay) {
        this.target = target;
        this.file = file;
        this.maxPendingBatches = maxPendingBatches;
        this.flushTimeout = flushTimeout;
        this.retryDelay = retryDelay;
        load();
        this.sender = new Thread(this::deliverLoop, "mlops-metric-spool");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Wraps {@code store}, spooling metric batches to {@code file} (created when missing; batches another instance
     * left in it are delivered first).
     *
     * @param maxPendingBatches how many undelivered batches the spool holds, at least 1
     * @param flushTimeout      how long a call waits for the spool to be delivered (or for room in it)
     * @throws StorageException when the spool file cannot be read or written
     */
    public static SpoolingMetadataStore wrap(MetadataStore store, Path file, int maxPendingBatches,
            Duration flushTimeout) {
        return wrap(store, file, maxPendingBatches, flushTimeout, Duration.ofMillis(200));
    }

    static SpoolingMetadataStore wrap(MetadataStore store, Path file, int maxPendingBatches, Duration flushTimeout,
            Duration retryDelay) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(file, "file");
        if (maxPendingBatches < 1) {
            throw new InvalidArgumentException("maxPendingBatches", "maxPendingBatches must be at least 1, was "
                    + maxPendingBatches);
        }
        if (flushTimeout == null || flushTimeout.isNegative()) {
            throw new InvalidArgumentException("flushTimeout", "flushTimeout must be zero or positive, was "
                    + flushTimeout);
        }
        return new SpoolingMetadataStore(store, file, maxPendingBatches, flushTimeout, retryDelay);
    }

    /** How many batches the store refused for good (and were dropped) since this instance was made. */
    public long droppedBatches() {
        return dropped.get();
    }

    /** How many batches wait in the spool. */
    public int pendingBatches() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Every call but {@code logMetrics}, {@code describe} and {@code close} waits for the spool first. */
    @Override
    protected MetadataStore delegate() {
        awaitDelivered();
        return target;
    }

    @Override
    public String describe() {
        return target.describe() + " (metrics spooled to " + file + ")";
    }

    /**
     * Writes the batch to the spool and returns; it is delivered in the background, in order.
     *
     * @throws StorageException when the spool is full for longer than the flush timeout, or cannot be written
     */
    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(audit, "audit");
        List<MetricPoint> copy = List.copyOf(Objects.requireNonNull(points, "points"));
        lock.lock();
        try {
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (!closed && pending.size() >= maxPendingBatches) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageException("the metric spool " + file + " holds " + maxPendingBatches
                            + " undelivered batches; " + target.describe() + " may be unreachable", null);
                }
                changed.awaitNanos(left);
            }
            if (closed) {
                throw new StorageException(describe() + " is closed", null);
            }
            ensureOpen();
            Batch batch = new Batch(nextSeq++, runId, copy, audit, false);
            ObjectNode line = Wire.object();
            line.put("seq", batch.seq());
            line.put("run_id", runId);
            line.set("points", MetricBatchWire.write(copy));
            line.set("audit", AuditWire.write(audit));
            append(line, true);
            pending.addLast(batch);
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for room in the metric spool", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the spool to be delivered (up to the flush timeout), stops the sender, leaves what was not delivered
     * in the spool file, and closes the wrapped store. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                changed.awaitNanos(deadline - System.nanoTime());
            }
            closed = true;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
        sender.interrupt();
        try {
            sender.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            closeFile();
        } finally {
            lock.unlock();
            target.close();
        }
    }

    // ---- delivery ---------------------------------------------------------------------------------------------------

    private void awaitDelivered() {
        lock.lock();
        try {
            if (closed) {
                throw new StorageException(describe() + " is closed", null);
            }
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (!pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageException(pending.size() + " metric batches are not delivered yet; "
                            + target.describe() + " may be unreachable", null);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the metric spool", e);
        } finally {
            lock.unlock();
        }
    }

    private void deliverLoop() {
        boolean uncertain = false;
        while (true) {
            Batch batch;
            lock.lock();
            try {
                while (!closed && pending.isEmpty()) {
                    changed.await();
                }
                if (closed) {
                    return;
                }
                batch = pending.peekFirst();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                if (!(uncertain || batch.recovered()) || !delivered(batch)) {
                    target.logMetrics(batch.runId(), batch.points(), batch.audit());
                }
                uncertain = false;
                done(batch, false);
            } catch (StorageException e) {
                // No answer: the batch may have arrived. Look before sending it again.
                uncertain = true;
                try {
                    Thread.sleep(retryDelay.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (MlopsException e) {
                LOG.warn("dropping metric batch {} of run {}: the store refused it ({})", batch.seq(),
                        batch.runId(), e.code());
                uncertain = false;
                done(batch, true);
            } catch (RuntimeException e) {
                LOG.warn("dropping metric batch {} of run {}: {}", batch.seq(), batch.runId(),
                        e.getClass().getSimpleName());
                uncertain = false;
                done(batch, true);
            }
        }
    }

    /** Whether every point of {@code batch} is in the store's history (a batch is stored whole or not at all). */
    private boolean delivered(Batch batch) {
        Map<String, Map<List<Object>, Integer>> wanted = new HashMap<>();
        for (MetricPoint p : batch.points()) {
            wanted.computeIfAbsent(p.key(), k -> new HashMap<>()).merge(identity(p), 1, Integer::sum);
        }
        for (Map.Entry<String, Map<List<Object>, Integer>> e : wanted.entrySet()) {
            Map<List<Object>, Integer> missing = new HashMap<>(e.getValue());
            PageRequest page = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
            while (!missing.isEmpty()) {
                dev.mlops.Page<MetricPoint> p = target.metricHistory(batch.runId(), e.getKey(), page);
                for (MetricPoint stored : p.items()) {
                    missing.computeIfPresent(identity(stored), (k, n) -> n == 1 ? null : n - 1);
                }
                if (p.nextPageToken() == null) {
                    break;
                }
                page = page.next(p);
            }
            if (!missing.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static List<Object> identity(MetricPoint p) {
        return List.of(p.step(), p.value(), p.timestamp().truncatedTo(ChronoUnit.MILLIS));
    }

    private void done(Batch batch, boolean wasDropped) {
        lock.lock();
        try {
            if (wasDropped) {
                dropped.incrementAndGet();
            }
            if (closed) {
                // close() gave up waiting: the batch stays in the file, and the next instance looks it up first.
                return;
            }
            ObjectNode line = Wire.object();
            line.put("done", batch.seq());
            try {
                ensureOpen();
                append(line, false);
            } catch (StorageException e) {
                LOG.warn("the metric spool {} could not record a delivery: {}", file, e.getMessage());
            }
            pending.pollFirst();
            if (pending.isEmpty()) {
                compact();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- the spool file ---------------------------------------------------------------------------------------------

    /** Reads the batches a previous instance left undelivered; a torn last line is ignored. */
    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        Map<Long, Batch> open = new java.util.TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StorageException("the metric spool " + file + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node;
            try {
                node = Wire.parse(lines.get(i));
            } catch (InvalidArgumentException torn) {
                if (i == lines.size() - 1) {
                    break;
                }
                throw new StorageException("the metric spool " + file + " is damaged at line " + (i + 1), torn);
            }
            if (node.has("done")) {
                open.remove(node.get("done").asLong());
                continue;
            }
            try {
                Wire.Fields f = Wire.fields(node, "", "seq", "run_id", "points", "audit");
                long seq = f.longValue("seq");
                open.put(seq, new Batch(seq, f.string("run_id"), f.required("points",
                        SpoolingMetadataStore::readPoints, "metric columns"), f.object("audit",
                        AuditWire::readPending), true));
            } catch (InvalidArgumentException e) {
                throw new StorageException("the metric spool " + file + " is damaged at line " + (i + 1), e);
            }
        }
        pending.addAll(open.values());
        nextSeq = open.isEmpty() ? 0 : pending.peekLast().seq() + 1;
        if (pending.isEmpty()) {
            compact();
        }
    }

    /**
     * A spooled batch's points: metric columns ({@link MetricBatchWire}), or, in a spool file an earlier version
     * wrote, an array of point objects.
     */
    private static List<MetricPoint> readPoints(JsonNode node, String path) {
        return node.isArray() ? Wire.readList(node, path, RunWire::readMetricPoint) : MetricBatchWire.read(node, path);
    }

    private void ensureOpen() {
        if (writer != null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            writer = new BufferedWriter(java.nio.channels.Channels.newWriter(channel, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StorageException("the metric spool " + file + " cannot be opened: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Appends one line; a batch is forced to disk, so that a crash loses nothing {@code logMetrics} confirmed. A
     * delivery record is not: one lost in a crash only makes the next instance look the batch up before sending it.
     */
    private void append(JsonNode line, boolean durable) {
        try {
            writer.write(Wire.toJson(line));
            writer.write('\n');
            writer.flush();
            if (durable) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new StorageException("the metric spool " + file + " cannot be written: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Empties the file once everything in it is delivered. */
    private void compact() {
        closeFile();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("the delivered metric spool {} could not be removed: {}", file, e.getClass().getSimpleName());
        }
    }

    private void closeFile() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("the metric spool {} did not close cleanly: {}", file, e.getClass().getSimpleName());
            }
            writer = null;
            channel = null;
        }
    }
}
