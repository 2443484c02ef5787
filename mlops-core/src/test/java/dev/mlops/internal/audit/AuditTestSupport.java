package dev.mlops.internal.audit;

import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.Context;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.PendingAuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Shared pieces of the audit tests: a context over {@link AuditTestStore}, a stepping clock, sample events. */
final class AuditTestSupport {
    static final Instant START = Instant.parse("2026-01-31T12:00:00Z");

    private AuditTestSupport() {
    }

    /** A clock that starts at {@link #START} and moves 1.5 seconds further on every reading. */
    static Clock steppingClock() {
        return new Clock() {
            private long readings;

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException("fixed zone");
            }

            @Override
            public synchronized Instant instant() {
                return START.plusMillis(1500 * readings++);
            }
        };
    }

    static Context context(AuditTestStore store, Clock clock) {
        return new Context(store, new NoArtifacts(), clock, "alice", Duration.ofSeconds(30), Duration.ofMinutes(5),
                100, Path.of("."), null);
    }

    /** Appends {@code n} varied events through the context, as the API layer would. */
    static List<PendingAuditEvent> appendSamples(AuditTestStore store, Context context, int n) {
        List<PendingAuditEvent> made = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("index", i);
            data.put("job", "train-" + (i % 3));
            data.put("lr", 0.1 * i);
            data.put("note", i % 4 == 0 ? "ünïcödé \u20ac \uD83D\uDE00 \"quoted\"\n" : "plain");
            PendingAuditEvent pending = context.audit(i % 2 == 0 ? "run.log_params" : "run.create",
                    "run:0190a0b0-0000-7000-8000-" + String.format("%012d", i), data);
            store.append(pending);
            made.add(pending);
        }
        return made;
    }

    static String export(DefaultAuditLog log) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.export(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Artifacts are not part of the audit trail; the context requires a store, this one holds nothing. */
    static final class NoArtifacts implements ArtifactStore {
        @Override
        public ArtifactRef put(InputStream content, String expectedDigest) {
            throw new UnsupportedOperationException("no artifacts in audit tests");
        }

        @Override
        public InputStream open(String digest) {
            throw new UnsupportedOperationException("no artifacts in audit tests");
        }

        @Override
        public Optional<ArtifactRef> stat(String digest) {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "no-artifacts";
        }

        @Override
        public void close() {
        }
    }
}
