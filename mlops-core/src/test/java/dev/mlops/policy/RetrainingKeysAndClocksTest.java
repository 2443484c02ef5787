package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.policy.StorePolicyStateStore;
import dev.mlops.policy.RetrainingRequest.Status;
import dev.mlops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys of names with {@code /}, the clock results are reported at, and a handler that never gives its
 * thread back: through {@code Mlops.retraining()} on a SQLite file.
 */
@DisplayName("Retraining: unambiguous keys, one time base, no lost requests")
class RetrainingKeysAndClocksTest {
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    Path dir;

    Mlops open(MutableClock clock) {
        return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db")).artifactUri("memory:").actor("svc")
                .clock(clock).build();
    }

    static Observation low(String model, String window, Instant time) {
        return Observation.builder(window, time, model).metric("accuracy", 0.5).rows(100).build();
    }

    static final class Recording implements RetrainingHandler {
        final List<RetrainingRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            return Optional.empty();
        }
    }

    @Test
    void namesWithSlashesGetTheirOwnRequests() {
        MutableClock clock = new MutableClock(T0);
        Mlops mlops = open(clock);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 2);
        Recording handler = new Recording();

        Retraining.Outcome first = retraining.evaluateAndAct(p, low("m", "x/y", T0), handler);
        clock.advance(Duration.ofMinutes(1));
        Retraining.Outcome second = retraining.evaluateAndAct(p, low("m/x", "y", T0.plusSeconds(60)), handler);

        assertThat(first.decision().retrain()).isTrue();
        assertThat(second.decision().retrain()).isTrue();
        assertThat(first.decision().idempotencyKey()).isNotEqualTo(second.decision().idempotencyKey());
        assertThat(handler.calls).extracting(RetrainingRequest::model).containsExactly("m", "m/x");
        assertThat(retraining.requests("p", "m/x")).extracting(RetrainingRequest::status)
                .containsExactly(Status.COMPLETED);
        assertThat(retraining.requests("p", "m")).extracting(RetrainingRequest::windowId).containsExactly("x/y");
        assertThat(retraining.resumePending(p, "m/x", handler)).isEmpty();
        assertThat(handler.calls).hasSize(2);
        assertThat(retraining.request(second.decision().idempotencyKey()).orElseThrow().model()).isEqualTo("m/x");

        // the audit subjects of the two windows differ too
        String s1 = StorePolicyStateStore.subject("p", "m", "x/y");
        String s2 = StorePolicyStateStore.subject("p", "m/x", "y");
        assertThat(s1).isNotEqualTo(s2);
        List<AuditEvent> events = mlops.audit().events(0, dev.mlops.PageRequest.first(1000)).items();
        assertThat(events).filteredOn(e -> e.subject().equals(s1)).extracting(AuditEvent::action)
                .contains("policy.decided", "retraining.requested", "retraining.completed");
        assertThat(events).filteredOn(e -> e.subject().equals(s2)).extracting(AuditEvent::action)
                .contains("policy.decided", "retraining.requested", "retraining.completed");
    }

    @Test
    void keysOfNamesWithoutSlashOrPercentAreUnchanged() {
        assertThat(Decision.idempotencyKey("nightly", "churn", "2024-05-01")).isEqualTo("nightly/churn/2024-05-01");
        assertThat(Decision.idempotencyKey("p", "m/x", "50%")).isEqualTo("p/m%2Fx/50%25");
    }

    @RepeatedTest(20)
    void differentTriplesNeverShareAKey(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(7919L * info.getCurrentRepetition());
        Map<String, List<String>> seen = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            List<String> triple = List.of(part(random), part(random), part(random));
            // every other triple with the same parts joined by '/': the ones a plain join would confuse with it
            String joined = String.join("/", triple);
            List<Integer> slashes = new java.util.ArrayList<>();
            for (int c = 0; c < joined.length(); c++) {
                if (joined.charAt(c) == '/') {
                    slashes.add(c);
                }
            }
            for (int x = 0; x < slashes.size(); x++) {
                for (int y = x + 1; y < slashes.size(); y++) {
                    List<String> other = List.of(joined.substring(0, slashes.get(x)),
                            joined.substring(slashes.get(x) + 1, slashes.get(y)), joined.substring(slashes.get(y) + 1));
                    check(seen, other);
                }
            }
            check(seen, triple);
        }
    }

    private static void check(Map<String, List<String>> seen, List<String> triple) {
        String key = Decision.idempotencyKey(triple.get(0), triple.get(1), triple.get(2));
        List<String> before = seen.putIfAbsent(key, triple);
        assertThat(before == null || before.equals(triple)).as("%s and %s share key %s", before, triple, key)
                .isTrue();
    }

    private static String part(SplittableRandom random) {
        String alphabet = "a/%2F5";
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** A handler that fails its first call and records all. */
    static final class FailingFirst implements RetrainingHandler {
        final List<RetrainingRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            if (calls.size() == 1) {
                throw new IllegalStateException("training data missing");
            }
            return Optional.empty();
        }
    }

    @Test
    void resultsAreReportedAtTheEvaluationClock() {
        MutableClock wall = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        Mlops mlops = open(wall);
        MutableClock replay = new MutableClock(T0);
        RetrainingPolicies policies = mlops.policies(DetectorFactory.standard(), replay);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8))
                .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).build();
        Retraining retraining = mlops.retraining(policies, Duration.ofSeconds(30), 1);
        FailingFirst handler = new FailingFirst();

        Retraining.Outcome w1 = retraining.evaluateAndAct(p, low("m", "w1", T0), handler);
        assertThat(w1.request().orElseThrow().status()).isEqualTo(Status.FAILED);
        replay.advance(Duration.ofMinutes(30));
        Decision w2 = retraining.evaluateAndAct(p, low("m", "w2", replay.instant()), handler).decision();
        assertThat(w2.status()).isEqualTo(Decision.Status.HELD);
        assertThat(w2.heldBy()).contains(Guards.Guard.BACKOFF);
        assertThat(w2.guard(Guards.Guard.BACKOFF).orElseThrow().reason()).contains("the last at " + T0, "1800 s");
        replay.advance(Duration.ofMinutes(31));
        Retraining.Outcome w3 = retraining.evaluateAndAct(p, low("m", "w3", replay.instant()), handler);
        assertThat(w3.decision().status()).isEqualTo(Decision.Status.RETRAIN);
        assertThat(w3.request().orElseThrow().status()).isEqualTo(Status.COMPLETED);
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w3");
    }

    @Test
    void aFailureRecordedLaterThanNowIsClockSkewNotAnEndlessBackoff() {
        MutableClock wall = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        Mlops mlops = open(wall);
        MutableClock replay = new MutableClock(T0);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8))
                .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).cooldown(Duration.ofHours(1), 0).build();
        RetrainingPolicies replayed = mlops.policies(DetectorFactory.standard(), replay);
        assertThat(replayed.evaluate(p, low("m", "w1", T0)).retrain()).isTrue();
        // the result reported at the instance's clock, years after the replayed decision
        mlops.policies().recordResult(p, "m", "w1", false);
        replay.advance(Duration.ofHours(2));
        Decision w2 = replayed.evaluate(p, low("m", "w2", replay.instant()));
        assertThat(w2.status()).isEqualTo(Decision.Status.RETRAIN);
        assertThat(w2.guard(Guards.Guard.BACKOFF).orElseThrow().held()).isFalse();
        assertThat(w2.guard(Guards.Guard.BACKOFF).orElseThrow().reason()).contains("clock skew");
    }

    /** A handler whose first call ignores interruption until released; later calls return at once. */
    static final class Hanging implements RetrainingHandler {
        final CountDownLatch release = new CountDownLatch(1);
        final List<RetrainingRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            if (calls.size() == 1) {
                while (true) {
                    try {
                        if (release.await(10, TimeUnit.SECONDS)) {
                            break;
                        }
                    } catch (InterruptedException ignored) {
                        // a hung handler: ignores interruption
                    }
                }
            }
            return Optional.empty();
        }
    }

    @Test
    void aRequestThatGotNoThreadIsNotFailed() {
        MutableClock clock = new MutableClock(T0);
        Mlops mlops = open(clock);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8))
                .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).build();
        Retraining retraining = mlops.retraining(Duration.ofMillis(300), 1);
        Hanging handler = new Hanging();
        try {
            Retraining.Outcome w1 = retraining.evaluateAndAct(p, low("m", "w1", T0), handler);
            assertThat(w1.request().orElseThrow().status()).isEqualTo(Status.FAILED);
            clock.advance(Duration.ofHours(2));
            Retraining.Outcome w2 = retraining.evaluateAndAct(p, low("m", "w2", clock.instant()), handler);
            assertThat(w2.decision().retrain()).isTrue();
            assertThat(w2.handled()).isFalse();
            assertThat(w2.request().orElseThrow().status()).isEqualTo(Status.REQUESTED);
            assertThat(w2.request().orElseThrow().attempt()).isZero();
            assertThat(retraining.request(w2.decision().idempotencyKey()).orElseThrow().status())
                    .isEqualTo(Status.REQUESTED);
            assertThat(handler.calls).hasSize(1);
        } finally {
            handler.release.countDown();
        }
        List<RetrainingRequest> resumed = awaitResumed(retraining, p, handler);
        assertThat(resumed)
                .extracting(RetrainingRequest::windowId, RetrainingRequest::status, RetrainingRequest::attempt)
                .containsExactly(org.assertj.core.api.Assertions.tuple("w2", Status.COMPLETED, 1));
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2");
    }

    @Test
    void anOlderRetrainWithoutRequestIsHandedOutAlthoughANewerOneHasARequest() {
        MutableClock clock = new MutableClock(T0);
        Mlops mlops = open(clock);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
        Recording handler = new Recording();
        // w0 requested and completed; w1 decided, then the process died before its request; w2 requested
        retraining.evaluateAndAct(p, low("m", "w0", T0), handler);
        clock.advance(Duration.ofMinutes(1));
        assertThat(mlops.policies().evaluate(p, low("m", "w1", clock.instant())).retrain()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        retraining.evaluateAndAct(p, low("m", "w2", clock.instant()), handler);
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w0", "w2");

        List<RetrainingRequest> resumed = mlops.retraining(Duration.ofSeconds(30), 1).resumePending(p, "m", handler);
        assertThat(resumed).extracting(RetrainingRequest::windowId, RetrainingRequest::status)
                .containsExactly(org.assertj.core.api.Assertions.tuple("w1", Status.COMPLETED));
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w0", "w2", "w1");
        assertThat(retraining.resumePending(p, "m", handler)).isEmpty();
    }

    @Test
    void aLiveRunningRequestIsNotTakenOverByAnInstanceWithAShorterTimeout() throws Exception {
        MutableClock clock = new MutableClock(T0);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Retraining patient = open(clock).retraining(Duration.ofMinutes(10), 1);
        Retraining hasty = open(clock).retraining(Duration.ofSeconds(1), 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Retraining.Outcome> live = caller.submit(() -> patient.evaluateAndAct(p,
                    low("m", "w1", T0), r -> {
                        started.countDown();
                        release.await(30, TimeUnit.SECONDS);
                        return Optional.empty();
                    }));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            String key = Decision.idempotencyKey("p", "m", "w1");
            assertThat(hasty.request(key).orElseThrow().leaseUntil())
                    .contains(T0.plus(Duration.ofMinutes(10)).plus(Retraining.LEASE_MARGIN));
            Recording other = new Recording();

            // past the hasty instance's timeout, within the running caller's lease: not taken over
            clock.advance(Duration.ofMinutes(5));
            assertThat(hasty.resumePending(p, "m", other)).isEmpty();
            assertThat(other.calls).isEmpty();
            assertThat(hasty.request(key).orElseThrow().attempt()).isEqualTo(1);

            release.countDown();
            Retraining.Outcome o = live.get(30, TimeUnit.SECONDS);
            assertThat(o.request().orElseThrow().status()).isEqualTo(Status.COMPLETED);
            assertThat(o.request().orElseThrow().leaseUntil()).isEmpty();
            assertThat(other.calls).isEmpty();
        } finally {
            release.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void aRunningRequestIsTakenOverOnceItsLeasePassed() throws Exception {
        MutableClock clock = new MutableClock(T0);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Retraining dying = open(clock).retraining(Duration.ofMinutes(10), 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            caller.submit(() -> dying.evaluateAndAct(p, low("m", "w1", T0), r -> {
                started.countDown();
                release.await(30, TimeUnit.SECONDS);
                return Optional.empty();
            }));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            Recording other = new Recording();
            // at the caller's timeout it may still be checking and writing its result: not yet taken over
            clock.advance(Duration.ofMinutes(10));
            assertThat(open(clock).retraining(Duration.ofSeconds(1), 1).resumePending(p, "m", other)).isEmpty();
            clock.advance(Retraining.LEASE_MARGIN);
            List<RetrainingRequest> taken = open(clock).retraining(Duration.ofSeconds(1), 1)
                    .resumePending(p, "m", other);
            assertThat(taken).extracting(RetrainingRequest::status, RetrainingRequest::attempt)
                    .containsExactly(org.assertj.core.api.Assertions.tuple(Status.COMPLETED, 2));
            assertThat(other.calls).hasSize(1);
        } finally {
            release.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void aRunIdIsCheckedToExistInTheTrackingStore() {
        MutableClock clock = new MutableClock(T0);
        Mlops mlops = open(clock);
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);

        RetrainingRequest missing = retraining.evaluateAndAct(p, low("m", "w1", T0), r -> Optional.of("no-such-run"))
                .request().orElseThrow();
        assertThat(missing.status()).isEqualTo(Status.FAILED);
        assertThat(missing.error()).contains(
                "the handler returned run id 'no-such-run', which is not a run in the tracking store");

        clock.advance(Duration.ofMinutes(1));
        RetrainingRequest real = retraining.evaluateAndAct(p, low("m", "w2", clock.instant()), r -> {
            var starter = mlops.tracking().starter("retrain");
            r.runTags().forEach(starter::tag);
            try (var run = starter.start()) {
                return Optional.of(run.id());
            }
        }).request().orElseThrow();
        assertThat(real.status()).isEqualTo(Status.COMPLETED);
        String runId = real.runId().orElseThrow();
        assertThat(mlops.tracking().get(runId).orElseThrow().tags())
                .containsEntry(RetrainingRequest.KEY_TAG, real.idempotencyKey());
        assertThat(mlops.audit().events(0, dev.mlops.PageRequest.first(1000)).items())
                .filteredOn(e -> e.action().equals("retraining.completed"))
                .anySatisfy(e -> assertThat(e.data()).contains("\"run_id\":\"" + runId + "\""));
    }

    /** resumePending until the released thread is free again (it may still be finishing the hung call). */
    private static List<RetrainingRequest> awaitResumed(Retraining retraining, RetrainingPolicy p, Hanging handler) {
        for (int i = 0; i < 50; i++) {
            List<RetrainingRequest> r = retraining.resumePending(p, "m", handler);
            if (!r.isEmpty()) {
                return r;
            }
        }
        return List.of();
    }
}
