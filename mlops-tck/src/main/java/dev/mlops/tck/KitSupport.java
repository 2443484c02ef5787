package dev.mlops.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mlops.ErrorCode;
import dev.mlops.MlopsException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.MetadataStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Helpers of the kits: listings, the audit chain, threads. */
final class KitSupport {
    /** How long a kit waits for a thread or a future before failing. */
    static final long TIMEOUT_SECONDS = 60;

    private KitSupport() {
    }

    /** Reads every page of a listing, checking that no page is larger than asked. */
    static <T> List<T> readAll(Function<PageRequest, Page<T>> lister, int pageSize) {
        List<T> all = new ArrayList<>();
        PageRequest request = PageRequest.first(pageSize);
        for (int pages = 0; pages < 100_000; pages++) {
            Page<T> page = lister.apply(request);
            assertThat(page.items().size()).as("page size").isLessThanOrEqualTo(pageSize);
            all.addAll(page.items());
            if (page.nextPageToken() == null) {
                return all;
            }
            request = request.next(page);
        }
        throw new AssertionError("a listing did not end after 100000 pages");
    }

    /** Every audit event of {@code store}, in seq order. */
    static List<AuditEvent> allAuditEvents(MetadataStore store) {
        List<AuditEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<AuditEvent> batch = store.auditEvents(after, 50);
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            after = batch.get(batch.size() - 1).seq();
            if (all.size() > 1_000_000) {
                fail("auditEvents never ends");
            }
        }
    }

    /** The seq of the head, 0 for an empty chain. */
    static long auditSize(MetadataStore store) {
        return store.auditHead().map(AuditEvent::seq).orElse(0L);
    }

    /** Checks seq 1..N, GENESIS, prev-hash links, recomputed hashes and data digests. */
    static void assertChainIntact(List<AuditEvent> events) {
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < events.size(); i++) {
            AuditEvent e = events.get(i);
            assertThat(e.seq()).as("seq of event #%d", i + 1).isEqualTo(i + 1);
            assertThat(e.prevHash()).as("prevHash of event %d", e.seq()).isEqualTo(prev);
            assertThat(e.hash()).as("hash of event %d", e.seq()).matches("[0-9a-f]{64}")
                    .isEqualTo(AuditChain.computeHash(e));
            if (e.data() != null) {
                assertThat(e.dataDigest()).as("dataDigest of event %d", e.seq())
                        .isEqualTo("sha256:" + AuditChain.sha256Hex(e.data()));
            }
            prev = e.hash();
        }
    }

    /** Runs {@code task} on {@code threads} threads released at once; returns their results in thread order. */
    static <T> List<T> runConcurrently(int threads, ThreadTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call(thread);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("threads ended").isTrue();
        }
    }

    /** The work of one thread of {@link #runConcurrently}. */
    @FunctionalInterface
    interface ThreadTask<T> {
        T call(int thread) throws Exception;
    }

    /** The outcome of a call that may fail with an MlopsException: its value or its error code. */
    record Outcome<T>(T value, ErrorCode error) {
        static <T> Outcome<T> of(Callable<T> call) throws Exception {
            try {
                return new Outcome<>(call.call(), null);
            } catch (MlopsException e) {
                return new Outcome<>(null, e.code());
            }
        }

        boolean succeeded() {
            return error == null;
        }
    }
}
