package dev.mlops.bench;

import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/** What the data generators share: ids, digests, audit events, the marker run. Stateless. */
final class Generators {
    /** The start of generated time: 2024-01-01T00:00:00Z. */
    static final Instant BASE_TIME = Instant.parse("2024-01-01T00:00:00Z");
    static final String ACTOR = "bench";
    static final Map<String, String> ENVIRONMENT = Map.of("java.version", "17", "os.name", "Linux",
            "host", "bench-host", "mlops.version", "0.1.0-SNAPSHOT");

    private Generators() {
    }

    /** A time-ordered run id (UUID version 7 layout) for a run started at {@code start}, random bits from {@code r}. */
    static String runId(Instant start, SplittableRandom r) {
        long msb = (start.toEpochMilli() << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** {@code sha256:HEX} of {@code text}: a well-formed, deterministic dataset digest. */
    static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** An audit event as the API layer would write it: {@code data} is written as canonical JSON. */
    static PendingAuditEvent audit(Instant time, String action, String subject, Map<String, ?> data) {
        return new PendingAuditEvent(time, ACTOR, action, subject, CanonicalJson.write(data));
    }

    /** Registers {@code version} with the audit event {@code Datasets.register} writes. */
    static void register(MetadataStore store, DatasetVersion version) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", version.name());
        data.put("version", version.version());
        data.put("format", version.format());
        data.put("size", version.sizeBytes());
        store.registerDataset(version, audit(version.createdTime(), "dataset.register", version.node().id(), data));
    }

    /** Creates a run with the audit event {@code Tracking.start} writes. */
    static void createRun(MetadataStore store, NewRun run) {
        store.createRun(run, audit(run.startTime(), "run.create", "run:" + run.id(), Map.of("job", run.jobName())));
    }

    /** Ends a run with the audit event {@code ActiveRun.close} writes. */
    static void finishRun(MetadataStore store, String runId, RunStatus status, Instant end, String error) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status.name());
        if (error != null) {
            data.put("error", error);
        }
        store.finishRun(runId, status, end, error, audit(end, "run.finish", "run:" + runId, data));
    }

    /** The run that marks a generated data set as complete; created last. */
    static void createMarkerRun(MetadataStore store, String id, String key) {
        createRun(store, new NewRun(id, "mlops-bench-marker", null, BASE_TIME, Map.of("dataset", key), null,
                ENVIRONMENT));
        finishRun(store, id, RunStatus.COMPLETED, BASE_TIME, null);
    }

    /** Prints progress every tenth of {@code total}. */
    static void progress(String what, long done, long total, long startNanos) {
        if (total >= 10 && done % (total / 10) == 0 && done > 0) {
            BenchStores.log(String.format("%s: %d / %d (%.0f s)", what, done, total,
                    (System.nanoTime() - startNanos) / 1e9));
        }
    }
}
