package dev.mlops.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.data.DatasetVersion;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a store through the public API, page by page, for the checks of the multi-process and crash tests. */
final class StoreChecks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = PageRequest.MAX_PAGE_SIZE;

    private StoreChecks() {
    }

    /** The seq of the last audit event, 0 for an empty chain. */
    static long headSeq(Mlops mlops) {
        return mlops.audit().head().map(AuditEvent::seq).orElse(0L);
    }

    /** Asserts that {@code mlops.audit().verify()} finds the whole chain intact. */
    static AuditVerification assertChainVerifies(Mlops mlops) {
        AuditVerification v = mlops.audit().verify();
        assertThat(v.ok()).as("audit chain verification: first bad seq %s, %s", v.firstBadSeq(), v.reason())
                .isTrue();
        return v;
    }

    /** Every audit event after {@code afterSeq}, asserted to be numbered {@code afterSeq + 1, + 2, ...}. */
    static List<AuditEvent> eventsAfter(Mlops mlops, long afterSeq) {
        List<AuditEvent> all = new ArrayList<>();
        PageRequest request = PageRequest.first(PAGE);
        while (true) {
            Page<AuditEvent> page = mlops.audit().events(afterSeq, request);
            all.addAll(page.items());
            if (page.next().isEmpty()) {
                break;
            }
            request = request.next(page);
        }
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).seq()).as("seq of the %d-th event after %d", i + 1, afterSeq)
                    .isEqualTo(afterSeq + i + 1);
        }
        return all;
    }

    /** The data of an audit event as a JSON object. */
    static Map<String, Object> data(AuditEvent event) {
        try {
            return JSON.readValue(event.data(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("audit event " + event.seq() + " has data that is not JSON", e);
        }
    }

    /** Every run of {@code job}. */
    static List<Run> runsOf(Mlops mlops, String job) {
        List<Run> all = new ArrayList<>();
        RunQuery query = RunQuery.builder().jobName(job).build();
        PageRequest request = PageRequest.first(PAGE);
        while (true) {
            Page<Run> page = mlops.tracking().search(query, request);
            all.addAll(page.items());
            if (page.next().isEmpty()) {
                return all;
            }
            request = request.next(page);
        }
    }

    /** How many points the series {@code key} of run {@code runId} has. */
    static long points(Mlops mlops, String runId, String key) {
        long count = 0;
        PageRequest request = PageRequest.first(PAGE);
        while (true) {
            Page<MetricPoint> page = mlops.tracking().metricHistory(runId, key, request);
            count += page.items().size();
            if (page.next().isEmpty()) {
                return count;
            }
            request = request.next(page);
        }
    }

    /** Every version of dataset {@code name}, in registration order. */
    static List<DatasetVersion> versions(Mlops mlops, String name) {
        List<DatasetVersion> all = new ArrayList<>();
        PageRequest request = PageRequest.first(PAGE);
        while (true) {
            Page<DatasetVersion> page = mlops.datasets().list(name, request);
            all.addAll(page.items());
            if (page.next().isEmpty()) {
                return all;
            }
            request = request.next(page);
        }
    }
}
