package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test data and checks shared by the JDBC store tests. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-01-31T12:00:00.000Z");

    /** Audit events that {@link #writeOneRun} appends. */
    static final int EVENTS_PER_RUN = 5;
    /** Metric points that {@link #writeOneRun} logs. */
    static final int POINTS_PER_RUN = 10;

    private Fixtures() {
    }

    /** Creates a run of {@code job} and gives it params, metrics and tags, then completes it: {@value #EVENTS_PER_RUN} audit events. */
    static String writeOneRun(MetadataStore store, String job, int i) {
        NewRun run = Fixtures.newRun(job, T0.plusMillis(i));
        String id = run.id();
        String subject = "run:" + id;
        store.createRun(run, audit(job, "run.create", subject));
        store.logParams(id, Map.of("i", Integer.toString(i)), audit(job, "run.params", subject));
        List<MetricPoint> points = new ArrayList<>();
        for (int step = 0; step < POINTS_PER_RUN; step++) {
            points.add(new MetricPoint("loss", 1.0 / (step + 1), step, T0.plusMillis(step)));
        }
        store.logMetrics(id, points, audit(job, "run.metrics", subject));
        store.setTags(id, Map.of("writer", job), audit(job, "run.tags", subject));
        store.finishRun(id, RunStatus.COMPLETED, T0.plusSeconds(1), null, audit(job, "run.finish", subject));
        return id;
    }

    static PendingAuditEvent audit(String action, String subject) {
        return audit("tester", action, subject);
    }

    static PendingAuditEvent audit(String actor, String action, String subject) {
        return new PendingAuditEvent(T0, actor, action, subject, "{\"n\":1}");
    }

    static NewRun newRun(String job, Instant start) {
        return new NewRun(UUID.randomUUID().toString(), job, null, start, Map.of(), null, Map.of("jvm", "17"));
    }

    static String createRun(MetadataStore store, String job, Instant start) {
        NewRun run = newRun(job, start);
        store.createRun(run, audit("run.create", "run:" + run.id()));
        return run.id();
    }

    /** Every event of the store's chain, read in pages. */
    static List<AuditEvent> chain(MetadataStore store) {
        List<AuditEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<AuditEvent> page = store.auditEvents(after, 1000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
    }

    /** Asserts that the chain has seq 1..n without gaps and that every hash and link is right. */
    static void assertChainIntact(List<AuditEvent> chain) {
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < chain.size(); i++) {
            AuditEvent e = chain.get(i);
            assertThat(e.seq()).as("seq of event %d", i).isEqualTo(i + 1L);
            assertThat(e.prevHash()).as("prev_hash of event %d", e.seq()).isEqualTo(prev);
            assertThat(AuditChain.computeHash(e)).as("hash of event %d", e.seq()).isEqualTo(e.hash());
            prev = e.hash();
        }
    }
}
