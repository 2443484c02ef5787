package dev.mlops.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.ProfileWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.tracking.MetricPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store whose telemetry never waits for the network: {@link #logMetrics}, {@link #saveProfile} and
 * {@link #saveDriftReport} write their arguments to a local spool file and return, and a background thread delivers
 * them to the wrapped store strictly in the order they were written, whatever their kind. When the store is
 * unreachable the entries stay in the spool, also across restarts of the process (a new
 * {@code SpoolingMetadataStore} on the same file delivers what the last one left), and are delivered when it returns.
 *
 * <p><b>A file, or a directory.</b> {@link #wrap} spools to one given file. {@link #inDirectory} spools to a file of
 * the instance's own in a directory that many instances and processes share (what {@code Mlops.open("http://...")}
 * uses by default, see {@link RemoteStoreProvider}), and takes over, on start, the files there that no live instance
 * holds (left by a crashed process, or by one that closed while the store was unreachable): their entries are
 * delivered first, each file in its order, and each file is deleted once delivered. Order is kept within each file;
 * the order of entries of different files (different processes) is not defined beyond that.
 *
 * <p><b>Metric batches.</b> Metric appends are not idempotent, so a batch whose delivery failed without an answer
 * (the request may or may not have reached the store), and a batch read back from the file, are looked up in the
 * store's metric history before they are sent, and skipped when all their points are there (a store appends a batch
 * whole or not at all; so a batch is also skipped when the same points, same step, value and millisecond, were logged
 * before by another batch).
 *
 * <p><b>Profiles and drift reports</b> (monitor reports, {@code Mlops.profiles()}). {@code saveProfile} and
 * {@code saveDriftReport} return at once {@code new Created<>(entry, true)}: the entry as given, with the id the
 * caller chose. They are idempotent on (subject, key), so they are simply sent again after a failure without an
 * answer. When the store answers a profile with {@code created = false} and another id (it kept the same content
 * under an id of its own), this instance remembers that its id stands for the stored one: drift reports delivered
 * later that link to it (reference or current profile, in the entry and in its audit event) are rewritten to the
 * stored id before they are sent, and {@link #getProfile} with it returns the stored profile (likewise
 * {@link #getDriftReport} for a report stored under another id). The mapping is kept in memory for the life of the
 * instance and written to the spool file with the profile's delivery record; a later instance on the file knows it
 * as long as the file still holds that record, that is until everything in the file was delivered (then the file is
 * emptied). After that, a drift report spooled by a later process that links to the earlier process's id of such a
 * profile is refused by the store ({@code NOT_FOUND}) and dropped: link to ids read from the store
 * ({@code ProfileStore.find}, {@code getOrCompute}), which wait for the spool and return the stored id.
 *
 * <p><b>Refusals.</b> An entry the store refuses with an answer (an unknown or finished run, a bad point, a profile
 * or report whose (subject, key) holds other content, a link to a profile that is not stored) cannot succeed later:
 * it is dropped, logged without its content, and counted in {@link #droppedBatches()}. A {@code STORAGE} failure is
 * taken as no answer, and the entry is tried again after a pause.
 *
 * <p><b>Waiting.</b> Every other call (reads of runs, profiles and reports included) first waits until the spool is
 * delivered (up to the flush timeout), so that a run is never finished, and nothing is read, before the telemetry
 * written before it arrived; when the spool cannot be delivered in time the call fails with {@link StorageException}
 * and changes nothing. The spool holds at most {@code maxPending} entries; a spooling call waits for room up to the
 * flush timeout, then fails with {@link StorageException}. {@link #close()} waits for the spool up to the flush
 * timeout, leaves what is left in the file, and closes the wrapped store.
 *
 * <p><b>One owner.</b> An instance holds an exclusive lock on its spool file, and on each file it took over
 * ({@link FileChannel#tryLock()}, and a guard against a second instance in the same JVM) until it is delivered or
 * {@link #close()}; a second instance on the same file, in this process or another, fails with
 * {@link StorageException} naming the file ({@link #inDirectory} skips the files it cannot lock, so two instances
 * starting together never both take over one file). Do not open a spool file in the same process while an instance
 * holds it: on POSIX systems closing any other descriptor of the file releases the process's lock.
 *
 * <p>Errors that the spooled calls of the wrapped store would report at once are thus only logged: use this store
 * for telemetry, where losing the call's answer is better than waiting for it. Thread-safe.
 */
public final class SpoolingMetadataStore extends ForwardingMetadataStore {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingMetadataStore.class);
    /** The spool files held by an instance in this JVM, by file identity (see {@link #identity}). */
    private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();
    /** How the spool files of {@link #inDirectory} are named: {@code <uuid>.spool}. */
    static final String SPOOL_SUFFIX = ".spool";
    private static final String METRICS = "metrics";
    private static final String PROFILE = "profile";
    private static final String DRIFT_REPORT = "drift_report";

    private final MetadataStore target;
    /** The spool file, or the spool directory of {@link #inDirectory}. */
    private final Path location;
    private final int maxPending;
    private final Duration flushTimeout;
    private final Duration retryDelay;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong dropped = new AtomicLong();
    /** Profile ids of this instance's entries to the ids the store keeps the same content under. */
    private final Map<String, String> profileIds = new ConcurrentHashMap<>();
    /** Likewise for drift reports. */
    private final Map<String, String> reportIds = new ConcurrentHashMap<>();
    private final Thread sender;
    /** This instance's spool file: what it spools is written there. */
    private final SpoolFile own;
    /**
     * Spool files that other instances left and this one took over, in the order they are delivered (before its
     * own); each is removed from here, and deleted, once delivered.
     */
    private final ArrayDeque<SpoolFile> adopted = new ArrayDeque<>();
    private boolean closed;

    /** An open, locked spool file and its undelivered entries, in order. Guarded by {@link #lock}. */
    private static final class SpoolFile {
        final Path path;
        final FileChannel channel;
        final FileLock fileLock;
        final Object key;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long nextSeq;

        SpoolFile(Path path, FileChannel channel, FileLock fileLock, Object key) {
            this.path = path;
            this.channel = channel;
            this.fileLock = fileLock;
            this.key = key;
        }
    }

    /**
     * An entry of the spool: its sequence number, the arguments of the spooled call, and whether it was read back
     * from the file (then an earlier instance may have delivered it without recording so).
     */
    private sealed interface Entry permits MetricBatch, Profile, Report {
        long seq();

        boolean recovered();
    }

    private record MetricBatch(long seq, String runId, List<MetricPoint> points, PendingAuditEvent audit,
            boolean recovered) implements Entry {
    }

    private record Profile(long seq, ProfileEntry entry, PendingAuditEvent audit, boolean recovered)
            implements Entry {
    }

    private record Report(long seq, DriftReportEntry entry, PendingAuditEvent audit, boolean recovered)
            implements Entry {
    }

    private SpoolingMetadataStore(MetadataStore target, Path location, boolean directory, int maxPending,
            Duration flushTimeout, Duration retryDelay) {
        this.target = target;
        this.location = location;
        this.maxPending = maxPending;
        this.flushTimeout = flushTimeout;
        this.retryDelay = retryDelay;
        if (directory) {
            this.own = createOwn(location);
            try {
                adoptAll();
            } catch (RuntimeException e) {
                for (SpoolFile f : adopted) {
                    release(f);
                }
                discard(own);
                throw e;
            }
        } else {
            this.own = acquire(location, true);
            try {
                load(own);
            } catch (RuntimeException e) {
                release(own);
                throw e;
            }
        }
        this.sender = new Thread(this::deliverLoop, "mlops-telemetry-spool");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Wraps {@code store}, spooling metric batches, profiles and drift reports to {@code file} (created when
     * missing; entries another instance left in it are delivered first).
     *
     * @param maxPending   how many undelivered entries (metric batches, profiles, drift reports) the spool holds,
     *                     at least 1
     * @param flushTimeout how long a call waits for the spool to be delivered (or for room in it)
     * @throws StorageException when the spool file cannot be read or written, or another instance (in this process
     *                          or another) holds it; the message names the file
     */
    public static SpoolingMetadataStore wrap(MetadataStore store, Path file, int maxPending, Duration flushTimeout) {
        return wrap(store, file, maxPending, flushTimeout, Duration.ofMillis(200));
    }

    static SpoolingMetadataStore wrap(MetadataStore store, Path file, int maxPending, Duration flushTimeout,
            Duration retryDelay) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(file, "file");
        checkLimits(maxPending, flushTimeout);
        return new SpoolingMetadataStore(store, file, false, maxPending, flushTimeout, retryDelay);
    }

    private static void checkLimits(int maxPending, Duration flushTimeout) {
        if (maxPending < 1) {
            throw new InvalidArgumentException("maxPending", "maxPending must be at least 1, was " + maxPending);
        }
        if (flushTimeout == null || flushTimeout.isNegative()) {
            throw new InvalidArgumentException("flushTimeout", "flushTimeout must be zero or positive, was "
                    + flushTimeout);
        }
    }

    /**
     * Wraps {@code store}, spooling metric batches, profiles and drift reports to a new file of its own in
     * {@code directory} (created when missing, owner-only where the file system has POSIX permissions), named by a
     * random UUID ({@code <uuid>.spool}) and locked from here to {@link #close()}. Many instances, in this process and
     * in others, may share the directory. On start the instance also takes over every {@code *.spool} file in the
     * directory that no live instance holds (its lock can be taken: the file of a process that crashed, or that
     * closed while the store was unreachable): it delivers their entries before its own, each file in its order, and
     * deletes each file once delivered. The lock decides which instance takes a file, so two that start together never
     * both deliver it. The order of entries of different files is not defined beyond each file's own order. A file
     * that cannot be read is renamed to {@code <name>.damaged}, logged without its content, and left alone.
     *
     * @param maxPending   how many undelivered entries this instance's own spool holds, at least 1 (entries of files
     *                     it took over do not count)
     * @param flushTimeout how long a call waits for the spool to be delivered (or for room in it)
     * @throws StorageException when the directory or the instance's file cannot be created or written; the message
     *                          names the directory
     */
    public static SpoolingMetadataStore inDirectory(MetadataStore store, Path directory, int maxPending,
            Duration flushTimeout) {
        return inDirectory(store, directory, maxPending, flushTimeout, Duration.ofMillis(200));
    }

    static SpoolingMetadataStore inDirectory(MetadataStore store, Path directory, int maxPending,
            Duration flushTimeout, Duration retryDelay) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(directory, "directory");
        checkLimits(maxPending, flushTimeout);
        return new SpoolingMetadataStore(store, directory, true, maxPending, flushTimeout, retryDelay);
    }

    /**
     * How many entries (metric batches, profiles, drift reports) the store refused for good, and were dropped, since
     * this instance was made.
     */
    public long droppedBatches() {
        return dropped.get();
    }

    /** How many entries (metric batches, profiles, drift reports) wait in the spool. */
    public int pendingBatches() {
        lock.lock();
        try {
            return pendingCount();
        } finally {
            lock.unlock();
        }
    }

    /** Every call but the spooled ones, {@code describe} and {@code close} waits for the spool first. */
    @Override
    protected MetadataStore delegate() {
        awaitDelivered();
        return target;
    }

    @Override
    public String describe() {
        return target.describe() + " (telemetry spooled to " + location + ")";
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
        spool(seq -> new MetricBatch(seq, runId, copy, audit, false));
    }

    /**
     * Writes the profile to the spool and returns it as created; it is delivered in the background, in order (see
     * the class comment for a profile the store already keeps under another id).
     *
     * @throws StorageException when the spool is full for longer than the flush timeout, or cannot be written
     */
    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(audit, "audit");
        spool(seq -> new Profile(seq, profile, audit, false));
        return new Created<>(profile, true);
    }

    /**
     * Writes the drift report to the spool and returns it as created; it is delivered in the background, in order,
     * with its links to profiles rewritten as the class comment says.
     *
     * @throws StorageException when the spool is full for longer than the flush timeout, or cannot be written
     */
    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(audit, "audit");
        spool(seq -> new Report(seq, report, audit, false));
        return new Created<>(report, true);
    }

    /**
     * The profile with {@code id}, or, when the store keeps the content of this instance's profile {@code id} under
     * another id, that one.
     */
    @Override
    public Optional<ProfileEntry> getProfile(String id) {
        MetadataStore store = delegate();
        return store.getProfile(id == null ? null : profileIds.getOrDefault(id, id));
    }

    /** The drift report with {@code id}, or the stored one this instance's report {@code id} stands for. */
    @Override
    public Optional<DriftReportEntry> getDriftReport(String id) {
        MetadataStore store = delegate();
        return store.getDriftReport(id == null ? null : reportIds.getOrDefault(id, id));
    }

    /**
     * Waits for the spool to be delivered (up to the flush timeout), stops the sender, leaves what was not delivered
     * in the spool files (its own is removed when empty; a file it took over and did not deliver whole is left for
     * a later instance), releases them, and closes the wrapped store. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (pendingCount() > 0 && System.nanoTime() < deadline) {
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
            for (SpoolFile f : adopted) {
                release(f); // what is left in it is taken over by a later instance
            }
            adopted.clear();
            if (own.entries.isEmpty()) {
                discard(own);
            } else {
                release(own);
            }
        } finally {
            lock.unlock();
            target.close();
        }
    }

    // ---- spooling ---------------------------------------------------------------------------------------------------

    private interface EntryMaker {
        Entry make(long seq);
    }

    private void spool(EntryMaker maker) {
        lock.lock();
        try {
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (!closed && own.entries.size() >= maxPending) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageException("the telemetry spool " + own.path + " holds " + maxPending
                            + " undelivered entries; " + target.describe() + " may be unreachable", null);
                }
                changed.awaitNanos(left);
            }
            if (closed) {
                throw new StorageException(describe() + " is closed", null);
            }
            Entry entry = maker.make(own.nextSeq);
            append(own, line(entry), true);
            own.nextSeq++;
            own.entries.addLast(entry);
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for room in the telemetry spool " + own.path, e);
        } finally {
            lock.unlock();
        }
    }

    private static ObjectNode line(Entry entry) {
        ObjectNode line = Wire.object();
        line.put("seq", entry.seq());
        if (entry instanceof MetricBatch b) {
            line.put("kind", METRICS);
            line.put("run_id", b.runId());
            line.set("points", MetricBatchWire.write(b.points()));
            line.set("audit", AuditWire.write(b.audit()));
        } else if (entry instanceof Profile p) {
            line.put("kind", PROFILE);
            line.set(PROFILE, ProfileWire.write(p.entry()));
            line.set("audit", AuditWire.write(p.audit()));
        } else {
            Report r = (Report) entry;
            line.put("kind", DRIFT_REPORT);
            line.set(DRIFT_REPORT, ProfileWire.write(r.entry()));
            line.set("audit", AuditWire.write(r.audit()));
        }
        return line;
    }

    // ---- delivery ---------------------------------------------------------------------------------------------------

    private void awaitDelivered() {
        lock.lock();
        try {
            if (closed) {
                throw new StorageException(describe() + " is closed", null);
            }
            long deadline = System.nanoTime() + flushTimeout.toNanos();
            while (pendingCount() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageException(pendingCount() + " spooled telemetry entries are not delivered yet; "
                            + target.describe() + " may be unreachable", null);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the telemetry spool", e);
        } finally {
            lock.unlock();
        }
    }

    private void deliverLoop() {
        boolean uncertain = false;
        while (true) {
            SpoolFile from;
            Entry entry;
            lock.lock();
            try {
                while (!closed && pendingCount() == 0) {
                    changed.await();
                }
                if (closed) {
                    return;
                }
                from = adopted.isEmpty() ? own : adopted.peekFirst();
                entry = from.entries.peekFirst();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                String storedId = deliver(entry, uncertain);
                uncertain = false;
                done(from, entry, false, storedId);
            } catch (StorageException e) {
                // No answer: the entry may have arrived. A batch is looked up before it is sent again.
                uncertain = true;
                try {
                    Thread.sleep(retryDelay.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (MlopsException e) {
                LOG.warn("dropping spooled {}: the store refused it ({})", what(entry), e.code());
                uncertain = false;
                done(from, entry, true, null);
            } catch (RuntimeException e) {
                LOG.warn("dropping spooled {}: {}", what(entry), e.getClass().getSimpleName());
                uncertain = false;
                done(from, entry, true, null);
            }
        }
    }

    /** Names an entry for the log, without its content. */
    private static String what(Entry entry) {
        if (entry instanceof MetricBatch b) {
            return "metric batch " + b.seq() + " of run " + b.runId();
        }
        if (entry instanceof Profile p) {
            return "profile " + p.seq() + " (id " + p.entry().id() + ")";
        }
        return "drift report " + entry.seq() + " (id " + ((Report) entry).entry().id() + ")";
    }

    /**
     * Delivers one entry.
     *
     * @return the id the store keeps a profile or report under when it is not the entry's own, else null
     */
    private String deliver(Entry entry, boolean uncertain) {
        if (entry instanceof MetricBatch b) {
            if (!(uncertain || b.recovered()) || !delivered(b)) {
                target.logMetrics(b.runId(), b.points(), b.audit());
            }
            return null;
        }
        if (entry instanceof Profile p) {
            String stored = target.saveProfile(p.entry(), p.audit()).value().id();
            return stored.equals(p.entry().id()) ? null : stored;
        }
        Report r = (Report) entry;
        String stored = target.saveDriftReport(relink(r.entry()), relink(r.audit())).value().id();
        return stored.equals(r.entry().id()) ? null : stored;
    }

    private String profileId(String id) {
        return id == null ? null : profileIds.getOrDefault(id, id);
    }

    /** The report with its links to profiles the store keeps under other ids rewritten to those. */
    private DriftReportEntry relink(DriftReportEntry r) {
        String reference = profileId(r.referenceProfileId());
        String current = profileId(r.currentProfileId());
        if (Objects.equals(reference, r.referenceProfileId()) && Objects.equals(current, r.currentProfileId())) {
            return r;
        }
        return new DriftReportEntry(r.id(), r.subject(), r.key(), r.kind(), r.windowStart(), r.windowEnd(),
                reference, current, r.datasetDrift(), r.driftShare(), r.digest(), r.body(), r.createdTime(),
                r.createdBy());
    }

    /** The report's audit event with the profile ids in its data rewritten as {@link #relink(DriftReportEntry)}. */
    private PendingAuditEvent relink(PendingAuditEvent audit) {
        if (profileIds.isEmpty()) {
            return audit;
        }
        JsonNode data;
        try {
            data = Wire.parse(audit.data());
        } catch (InvalidArgumentException e) {
            return audit;
        }
        if (!(data instanceof ObjectNode object)) {
            return audit;
        }
        boolean changedAny = false;
        for (String name : List.of("reference_profile_id", "current_profile_id")) {
            JsonNode value = object.get(name);
            if (value != null && value.isTextual() && profileIds.containsKey(value.asText())) {
                object.put(name, profileIds.get(value.asText()));
                changedAny = true;
            }
        }
        return changedAny ? new PendingAuditEvent(audit.time(), audit.actor(), audit.action(), audit.subject(),
                Wire.toJson(object)) : audit;
    }

    /** Whether every point of {@code batch} is in the store's history (a batch is stored whole or not at all). */
    private boolean delivered(MetricBatch batch) {
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

    /** How many entries wait, in this instance's file and in those it took over. Call with {@link #lock} held. */
    private int pendingCount() {
        int n = own.entries.size();
        for (SpoolFile f : adopted) {
            n += f.entries.size();
        }
        return n;
    }

    private void done(SpoolFile from, Entry entry, boolean wasDropped, String storedId) {
        lock.lock();
        try {
            if (wasDropped) {
                dropped.incrementAndGet();
            }
            if (storedId != null) {
                remember(entry, storedId);
            }
            if (closed) {
                // close() gave up waiting: the entry stays in the file, and the next instance delivers it again.
                return;
            }
            ObjectNode line = Wire.object();
            line.put("done", entry.seq());
            if (storedId != null) {
                line.put("stored_id", storedId);
            }
            try {
                append(from, line, false);
            } catch (StorageException e) {
                LOG.warn("the telemetry spool {} could not record a delivery: {}", from.path, e.getMessage());
            }
            from.entries.pollFirst();
            if (from.entries.isEmpty()) {
                if (from == own) {
                    compact(own);
                } else {
                    adopted.remove(from);
                    discard(from);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void remember(Entry entry, String storedId) {
        if (entry instanceof Profile p) {
            profileIds.put(p.entry().id(), storedId);
        } else if (entry instanceof Report r) {
            reportIds.put(r.entry().id(), storedId);
        }
    }

    // ---- the spool file ---------------------------------------------------------------------------------------------

    /**
     * The identity of the file at {@code path}: its file key (device and inode) where there is one, else its real
     * path.
     */
    private static Object identity(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return key != null ? key : path.toRealPath();
    }

    /**
     * Opens and locks the spool file at {@code file} and returns it (its identity held in {@link #HELD}). The file is
     * locked only if it is still the file at its path once locked: an earlier owner removes the file it delivered
     * completely before it lets go of the lock, and the file opened before that is then not the spool.
     *
     * @param create whether to create the file when missing and fail when another instance holds it (an instance's
     *               own file); else (a file to take over) null is returned when the file is gone or held
     */
    private static SpoolFile acquire(Path file, boolean create) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Object key;
            try {
                if (create) {
                    Path parent = file.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    try {
                        Files.createFile(file);
                    } catch (FileAlreadyExistsException exists) {
                        // the spool of an earlier instance, or of another one now (then the lock below fails)
                    }
                }
                key = identity(file);
            } catch (NoSuchFileException gone) {
                if (!create) {
                    return null;
                }
                continue;
            } catch (IOException e) {
                throw new StorageException("the telemetry spool " + file + " cannot be created: "
                        + e.getClass().getSimpleName(), e);
            }
            if (!HELD.add(key)) {
                if (!create) {
                    return null;
                }
                throw new StorageException("the telemetry spool " + file + " is in use by another"
                        + " SpoolingMetadataStore in this process", null);
            }
            FileChannel ch = null;
            boolean ok = false;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l == null) {
                    if (!create) {
                        return null;
                    }
                    throw new StorageException("the telemetry spool " + file + " is locked by another process (or"
                            + " another SpoolingMetadataStore): one spool file serves one store at a time", null);
                }
                Object now;
                try {
                    now = identity(file);
                } catch (NoSuchFileException gone) {
                    now = null;
                }
                if (!key.equals(now)) {
                    if (!create) {
                        return null; // delivered and removed by its owner meanwhile
                    }
                    continue; // replaced meanwhile: the finally block lets go of it
                }
                ok = true;
                return new SpoolFile(file, ch, l, key);
            } catch (NoSuchFileException gone) {
                if (!create) {
                    return null;
                }
                // removed between its creation and its opening: try again
            } catch (IOException e) {
                throw new StorageException("the telemetry spool " + file + " cannot be opened: "
                        + e.getClass().getSimpleName(), e);
            } finally {
                if (!ok) {
                    if (ch != null) {
                        try {
                            ch.close();
                        } catch (IOException ignored) {
                            // nothing was written
                        }
                    }
                    HELD.remove(key);
                }
            }
        }
        throw new StorageException("the telemetry spool " + file + " kept being replaced while it was opened", null);
    }

    /**
     * Creates this instance's own file in {@code directory}: made, owner-only where there are POSIX permissions, and
     * locked under a hidden name that no other instance takes over, then renamed to {@code <uuid>.spool} (a lock
     * stays with the file), so that no other instance can take it over between its creation and its locking.
     */
    private static SpoolFile createOwn(Path directory) {
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path temp = null;
        FileChannel ch = null;
        Object key = null;
        boolean ok = false;
        try {
            if (posix) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
            String name = UUID.randomUUID() + SPOOL_SUFFIX;
            temp = directory.resolve("." + name + ".new");
            Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ch = posix ? FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))) : FileChannel.open(temp, options);
            key = identity(temp);
            if (!HELD.add(key)) {
                throw new IOException("a new file has the identity of a held one");
            }
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new IOException("a new file is locked");
            }
            Path file = directory.resolve(name);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            Object moved = identity(file);
            if (!moved.equals(key)) {
                // no file keys here (the identity is the path): hold the file under its new one
                HELD.add(moved);
                HELD.remove(key);
                key = moved;
            }
            ok = true;
            return new SpoolFile(file, ch, l, key);
        } catch (IOException | UnsupportedOperationException | OverlappingFileLockException e) {
            throw new StorageException("the telemetry spool directory " + directory + " cannot be used: "
                    + e.getClass().getSimpleName(), e);
        } finally {
            if (!ok) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // nothing was written
                    }
                }
                if (key != null) {
                    HELD.remove(key);
                }
                if (temp != null) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // an empty hidden file, never taken over
                    }
                }
            }
        }
    }

    /**
     * Takes over the spool files in the directory that no live instance holds, oldest first (by modification time,
     * then name), reading their undelivered entries; a file with none left is deleted at once.
     */
    private void adoptAll() {
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(location, "*" + SPOOL_SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && !p.equals(own.path)) {
                    candidates.add(p);
                }
            }
        } catch (IOException e) {
            throw new StorageException("the telemetry spool directory " + location + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
        Map<Path, FileTime> times = new HashMap<>();
        for (Path p : candidates) {
            try {
                times.put(p, Files.getLastModifiedTime(p));
            } catch (IOException e) {
                times.put(p, FileTime.fromMillis(0)); // gone meanwhile: acquire skips it
            }
        }
        candidates.sort(Comparator.comparing((Path p) -> times.get(p)).thenComparing(p -> p.getFileName().toString()));
        for (Path p : candidates) {
            SpoolFile f;
            try {
                f = acquire(p, false);
            } catch (StorageException e) {
                LOG.warn("the telemetry spool {} cannot be taken over: {}", p, e.getCause() == null ? e.getMessage()
                        : e.getCause().getClass().getSimpleName());
                continue;
            }
            if (f == null) {
                continue; // held by a live instance, or delivered and removed meanwhile
            }
            try {
                load(f);
            } catch (StorageException e) {
                f.entries.clear();
                Path aside = p.resolveSibling(p.getFileName() + ".damaged");
                LOG.warn("the telemetry spool {} cannot be read; it is set aside as {}", p, aside.getFileName());
                try {
                    Files.move(p, aside, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException moveFailed) {
                    LOG.warn("the damaged telemetry spool {} could not be set aside: {}", p,
                            moveFailed.getClass().getSimpleName());
                }
                release(f);
                continue;
            }
            if (f.entries.isEmpty()) {
                discard(f);
            } else {
                adopted.addLast(f);
            }
        }
    }

    /** Empties and deletes the file while it is still locked (see {@link #acquire}), then lets go of it. */
    private static void discard(SpoolFile f) {
        try {
            f.channel.truncate(0);
            Files.deleteIfExists(f.path);
        } catch (IOException e) {
            LOG.warn("the delivered spool {} could not be removed: {}", f.path, e.getClass().getSimpleName());
        }
        release(f);
    }

    /** Unlocks and closes the file and lets another instance have it. */
    private static void release(SpoolFile f) {
        try {
            if (f.fileLock.isValid()) {
                f.fileLock.release();
            }
            f.channel.close();
        } catch (IOException e) {
            LOG.warn("the telemetry spool {} did not close cleanly: {}", f.path, e.getClass().getSimpleName());
        } finally {
            HELD.remove(f.key);
        }
    }

    /**
     * Reads the entries a previous instance left undelivered. A last line without its line break was never
     * confirmed (a crash while it was written): it is cut off. Any other damaged line fails the load.
     */
    private void load(SpoolFile f) {
        FileChannel channel = f.channel;
        Path file = f.path;
        byte[] bytes;
        try {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new StorageException("the telemetry spool " + file + " is too large to read (" + size
                        + " bytes)", null);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                // reads until full
            }
            bytes = buffer.array();
        } catch (IOException e) {
            throw new StorageException("the telemetry spool " + file + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
        Map<Long, Entry> open = new TreeMap<>();
        int start = 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            if (end == bytes.length) {
                LOG.warn("the telemetry spool {} ends in an unfinished line {}; it is cut off", file, lineNumber);
                break;
            }
            String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            start = end + 1;
            if (text.isBlank()) {
                continue;
            }
            try {
                read(Wire.parse(text), open);
            } catch (InvalidArgumentException e) {
                throw new StorageException("the telemetry spool " + file + " is damaged at line " + lineNumber
                        + ": " + e.getMessage(), e);
            }
        }
        try {
            channel.truncate(start);
            channel.position(start);
        } catch (IOException e) {
            throw new StorageException("the telemetry spool " + file + " cannot be written: "
                    + e.getClass().getSimpleName(), e);
        }
        f.entries.addAll(open.values());
        f.nextSeq = open.isEmpty() ? 0 : f.entries.peekLast().seq() + 1;
        if (f.entries.isEmpty()) {
            compact(f);
        }
    }

    /**
     * Reads one line into {@code open}: an entry (its {@code kind} {@code metrics}, {@code profile} or
     * {@code drift_report}; a line without one is a metric batch as the version before profiles wrote it), or the
     * delivery record of one, with the id the store keeps it under when that is not its own.
     */
    private void read(JsonNode node, Map<Long, Entry> open) {
        if (node.has("done")) {
            Wire.Fields f = Wire.fields(node, "", "done", "stored_id");
            Entry delivered = open.remove(f.longValue("done"));
            String storedId = f.optString("stored_id");
            if (delivered != null && storedId != null) {
                remember(delivered, storedId);
            }
            return;
        }
        String kind = node.has("kind") ? Wire.readString(node.get("kind"), "kind") : METRICS;
        Entry entry;
        switch (kind) {
            case METRICS -> {
                Wire.Fields f = node.has("kind") ? Wire.fields(node, "", "seq", "kind", "run_id", "points", "audit")
                        : Wire.fields(node, "", "seq", "run_id", "points", "audit");
                entry = new MetricBatch(f.longValue("seq"), f.string("run_id"), f.required("points",
                        SpoolingMetadataStore::readPoints, "metric columns"), f.object("audit",
                        AuditWire::readPending), true);
            }
            case PROFILE -> {
                Wire.Fields f = Wire.fields(node, "", "seq", "kind", PROFILE, "audit");
                entry = new Profile(f.longValue("seq"), f.object(PROFILE, ProfileWire::readProfile),
                        f.object("audit", AuditWire::readPending), true);
            }
            case DRIFT_REPORT -> {
                Wire.Fields f = Wire.fields(node, "", "seq", "kind", DRIFT_REPORT, "audit");
                entry = new Report(f.longValue("seq"), f.object(DRIFT_REPORT, ProfileWire::readDriftReport),
                        f.object("audit", AuditWire::readPending), true);
            }
            default -> throw new InvalidArgumentException("kind", "unknown kind of spooled entry (the kinds are "
                    + METRICS + ", " + PROFILE + ", " + DRIFT_REPORT + ")");
        }
        open.put(entry.seq(), entry);
    }

    /**
     * A spooled batch's points: metric columns ({@link MetricBatchWire}), or, in a spool file an earlier version
     * wrote, an array of point objects.
     */
    private static List<MetricPoint> readPoints(JsonNode node, String path) {
        return node.isArray() ? Wire.readList(node, path, RunWire::readMetricPoint) : MetricBatchWire.read(node, path);
    }

    /**
     * Appends one line; an entry is forced to disk, so that a crash loses nothing a spooling call confirmed. A
     * delivery record is not: one lost in a crash only makes the next instance look the entry up, or send it again.
     */
    private static void append(SpoolFile f, JsonNode line, boolean durable) {
        FileChannel channel = f.channel;
        byte[] text = (Wire.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8);
        long at = -1;
        try {
            at = channel.position();
            ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(false);
            }
        } catch (IOException e) {
            if (at >= 0) {
                try {
                    // No part of a line that failed may stay before the next one.
                    channel.truncate(at);
                    channel.position(at);
                } catch (IOException ignored) {
                    // the load of a later instance cuts off an unfinished last line
                }
            }
            throw new StorageException("the telemetry spool " + f.path + " cannot be written: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Empties the file once everything in it is delivered (it stays, locked, until {@link #close()}). */
    private static void compact(SpoolFile f) {
        try {
            f.channel.truncate(0);
            f.channel.position(0);
        } catch (IOException e) {
            LOG.warn("the delivered telemetry spool {} could not be emptied: {}", f.path,
                    e.getClass().getSimpleName());
        }
    }
}
