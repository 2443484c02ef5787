package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Acting on decisions: the handler once per retrain decision, failures, time-outs and crashes. */
class RetrainingServiceTest {
    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8))
            .backoff(Duration.ofHours(6), 2, Duration.ofDays(1))
            .build();

    final InMemoryPolicyStateStore states = new InMemoryPolicyStateStore();
    final List<RetrainingRequestJson.Event> events = Collections.synchronizedList(new ArrayList<>());
    final InMemoryRetrainingRequestStore requests = new InMemoryRetrainingRequestStore(events::add);
    final TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);

    RetrainingPolicies policies() {
        return new PolicyEvaluator(states, clock, TestDetectors.factory());
    }

    Retraining service(Duration timeout) {
        return new RetrainingService(policies(), requests, clock, timeout, 4);
    }

    static Observation low(String window) {
        return Observation.builder(window, T0, "churn").metric("accuracy", 0.5).rows(100).build();
    }

    /** A handler that counts its calls and keeps the requests it got. */
    static final class Recording implements RetrainingHandler {
        final List<RetrainingRequest> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            return Optional.of("run-" + calls.size());
        }
    }

    @Test
    void aRetrainDecisionCallsTheHandlerOnceHoweverOftenTheWindowIsEvaluated() {
        Retraining service = service(Duration.ofMinutes(10));
        Recording handler = new Recording();
        Retraining.Outcome first = service.evaluateAndAct(POLICY, low("w1"), handler);
        assertThat(first.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(first.handled()).isTrue();
        RetrainingRequest done = first.request().orElseThrow();
        assertThat(done.status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.runId()).contains("run-1");
        assertThat(done.idempotencyKey()).isEqualTo("nightly/churn/w1").isEqualTo(first.decision().idempotencyKey());
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(1));
            Retraining.Outcome again = service.evaluateAndAct(POLICY, low("w1"), handler);
            assertThat(again.handled()).isFalse();
            assertThat(again.decision()).isEqualTo(first.decision());
            assertThat(again.request()).contains(done);
        }
        // a new instance over the same stores does not call it again either
        assertThat(service(Duration.ofMinutes(10)).evaluateAndAct(POLICY, low("w1"), handler).handled()).isFalse();
        assertThat(service.resumePending(POLICY, "churn", handler)).isEmpty();
        assertThat(handler.calls).hasSize(1);
        RetrainingRequest given = handler.calls.get(0);
        assertThat(given.status()).isEqualTo(RetrainingRequest.Status.RUNNING);
        assertThat(given.attempt()).isEqualTo(1);
        assertThat(given.decision().reasons()).containsExactly("conditions[0] accuracy < 0.8: 0.5");
        assertThat(given.runTags()).containsEntry(RetrainingRequest.KEY_TAG, "nightly/churn/w1")
                .containsEntry(RetrainingRequest.WINDOW_TAG, "w1").containsEntry(RetrainingRequest.POLICY_TAG, "nightly");
        assertThat(service.request("nightly/churn/w1")).contains(done);
        assertThat(service.requests("nightly", "churn")).containsExactly(done);
        // a window that does not retrain has no request
        Retraining.Outcome quiet = service.evaluateAndAct(POLICY,
                Observation.builder("w2", T0, "churn").metric("accuracy", 0.9).build(), handler);
        assertThat(quiet.decision().status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(quiet.request()).isEmpty();
        assertThat(handler.calls).hasSize(1);
    }

    @RepeatedTest(10)
    void eightThreadsEvaluatingOneWindowAtOnceCallTheHandlerOnce() throws Exception {
        Retraining service = service(Duration.ofMinutes(10));
        Recording handler = new Recording();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Retraining.Outcome>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return service.evaluateAndAct(POLICY, low("w1"), handler);
                }));
            }
            start.countDown();
            int handled = 0;
            Decision decision = null;
            for (Future<Retraining.Outcome> f : futures) {
                Retraining.Outcome o = f.get(10, TimeUnit.SECONDS);
                handled += o.handled() ? 1 : 0;
                assertThat(o.request()).isPresent();
                assertThat(o.request().get().idempotencyKey()).isEqualTo("nightly/churn/w1");
                if (decision != null) {
                    assertThat(o.decision()).isEqualTo(decision);
                }
                decision = o.decision();
            }
            assertThat(handled).isEqualTo(1);
            assertThat(handler.calls).hasSize(1);
            assertThat(service.request("nightly/churn/w1").orElseThrow().status())
                    .isEqualTo(RetrainingRequest.Status.COMPLETED);
            assertThat(policies().decisions("nightly", "churn")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aHandlerThatThrowsGivesAFailedRequestAndTheBackoffHoldsTheNextTrigger() {
        Retraining service = service(Duration.ofMinutes(10));
        AtomicInteger calls = new AtomicInteger();
        Retraining.Outcome o = service.evaluateAndAct(POLICY, low("w1"), r -> {
            calls.incrementAndGet();
            throw new IllegalStateException("out of GPUs");
        });
        RetrainingRequest failed = o.request().orElseThrow();
        assertThat(failed.status()).isEqualTo(RetrainingRequest.Status.FAILED);
        assertThat(failed.error()).contains("java.lang.IllegalStateException: out of GPUs");
        assertThat(failed.runId()).isEmpty();
        // the decision is recorded
        assertThat(policies().decision("nightly", "churn", "w1").orElseThrow().retrain()).isTrue();
        clock.advance(Duration.ofHours(1));
        Retraining.Outcome next = service.evaluateAndAct(POLICY, low("w2"), r -> {
            calls.incrementAndGet();
            return Optional.empty();
        });
        assertThat(next.decision().status()).isEqualTo(Status.HELD);
        assertThat(next.decision().heldBy()).contains(Guard.BACKOFF);
        assertThat(next.decision().guard(Guard.BACKOFF).orElseThrow().reason()).startsWith("1 failed retrain in a row");
        assertThat(next.request()).isEmpty();
        // a failed request is final: never handed out again
        clock.advance(Duration.ofHours(1));
        assertThat(service.resumePending(POLICY, "churn", r -> {
            calls.incrementAndGet();
            return Optional.empty();
        })).isEmpty();
        assertThat(calls).hasValue(1);
        // after the back-off, a trigger retrains again
        clock.advance(Duration.ofHours(5));
        Retraining.Outcome later = service.evaluateAndAct(POLICY, low("w3"), r -> Optional.of("run-9"));
        assertThat(later.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(later.request().orElseThrow().runId()).contains("run-9");
    }

    @Test
    void aHandlerThatHangsIsTimeBoxedInterruptedAndRecordedAsFailed() throws Exception {
        Retraining service = service(Duration.ofMillis(200));
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        long started = System.nanoTime();
        Retraining.Outcome o = service.evaluateAndAct(POLICY, low("w1"), r -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return Optional.empty();
        });
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(elapsedMs).isBetween(200L, 2000L);
        RetrainingRequest failed = o.request().orElseThrow();
        assertThat(failed.status()).isEqualTo(RetrainingRequest.Status.FAILED);
        assertThat(failed.error().orElseThrow()).startsWith("timed out after PT0.2S (attempt 1)");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(o.decision().retrain()).isTrue();
        assertThat(policies().decision("nightly", "churn", "w1")).contains(o.decision());
        // the failure was reported to the policy
        Decision next = policies().evaluate(POLICY, low("w2"));
        assertThat(next.heldBy()).contains(Guard.BACKOFF);
    }

    @Test
    void aCallThatFindsEveryHandlerThreadBusyLeavesTheRequestRequestedWithinItsTimeout() throws Exception {
        Retraining service = new RetrainingService(policies(), requests, clock, Duration.ofMillis(200), 1);
        RetrainingPolicy plain = RetrainingPolicy.builder("plain").anyOf(Condition.metricBelow("accuracy", 0.8))
                .build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        // a handler that ignores interruption keeps the only thread
        Retraining.Outcome stuck = service.evaluateAndAct(plain, low("w1"), r -> {
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        finished.countDown();
                        return Optional.of("late");
                    }
                } catch (InterruptedException ignored) {
                    // keeps running, as a badly written handler would
                }
            }
        });
        assertThat(stuck.request().orElseThrow().error().orElseThrow()).endsWith("the handler was interrupted");
        AtomicInteger called = new AtomicInteger();
        Retraining.Outcome waiting = service.evaluateAndAct(plain, low("w2"), r -> {
            called.incrementAndGet();
            return Optional.empty();
        });
        // the handler was not called: not a failure, the request waits for resumePending
        assertThat(waiting.handled()).isFalse();
        assertThat(waiting.request().orElseThrow().status()).isEqualTo(RetrainingRequest.Status.REQUESTED);
        assertThat(service.request("plain/churn/w2").orElseThrow().attempt()).isZero();
        assertThat(called).hasValue(0);
        release.countDown();
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        // the late result of the first call changed nothing
        assertThat(service.request("plain/churn/w1").orElseThrow().status()).isEqualTo(RetrainingRequest.Status.FAILED);
        List<RetrainingRequest> resumed = List.of();
        for (int i = 0; i < 50 && resumed.isEmpty(); i++) {
            resumed = service.resumePending(plain, "churn", r -> {
                called.incrementAndGet();
                return Optional.empty();
            });
        }
        assertThat(resumed).extracting(RetrainingRequest::windowId, RetrainingRequest::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("w2", RetrainingRequest.Status.COMPLETED));
        assertThat(called).hasValue(1);
    }

    @Test
    void aHandlerThatReturnsNullOrABadRunIdFails() {
        Retraining service = service(Duration.ofMinutes(1));
        RetrainingPolicy noGuards = RetrainingPolicy.builder("plain").anyOf(Condition.metricBelow("accuracy", 0.8))
                .build();
        assertThat(service.evaluateAndAct(noGuards, low("w1"), r -> null).request().orElseThrow().error())
                .contains("the handler returned null instead of an Optional");
        assertThat(service.evaluateAndAct(noGuards, low("w2"), r -> Optional.of(" ")).request().orElseThrow()
                .error().orElseThrow()).startsWith("the handler returned a bad run id: runId must not be blank");
    }

    @Test
    void aRequestLeftRunningByACrashIsHandedOutAgainWithTheSameKeyAndTheNextAttempt() {
        // as a crash leaves it: the decision stored, the request created and marked running, the process gone
        Decision decision = policies().evaluate(POLICY, low("w1"));
        RetrainingRequest requested = RetrainingRequest.requested(decision, clock.instant());
        assertThat(requests.create(requested)).isTrue();
        assertThat(requests.transition(requested, requested.running(clock.instant()))).isTrue();

        Retraining restarted = service(Duration.ofMinutes(10));
        Recording handler = new Recording();
        // within the timeout the first call might still be alive elsewhere: not handed out
        clock.advance(Duration.ofMinutes(5));
        assertThat(restarted.resumePending(POLICY, "churn", handler)).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        List<RetrainingRequest> resumed = restarted.resumePending(POLICY, "churn", handler);
        assertThat(handler.calls).hasSize(1);
        assertThat(handler.calls.get(0).idempotencyKey()).isEqualTo(decision.idempotencyKey());
        assertThat(handler.calls.get(0).attempt()).isEqualTo(2);
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0).status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
        assertThat(resumed.get(0).attempt()).isEqualTo(2);
        assertThat(resumed.get(0).requestedAt()).isEqualTo(T0);
        // completed: never again, neither by resuming nor by evaluating the window again
        clock.advance(Duration.ofHours(1));
        assertThat(restarted.resumePending(POLICY, "churn", handler)).isEmpty();
        assertThat(service(Duration.ofMinutes(10)).evaluateAndAct(POLICY, low("w1"), handler).handled()).isFalse();
        assertThat(handler.calls).hasSize(1);
    }

    @Test
    void aRequestLeftRequestedOrADecisionLeftWithoutRequestIsHandedOutOnResume() {
        Decision d1 = policies().evaluate(POLICY, low("w1"));
        assertThat(requests.create(RetrainingRequest.requested(d1, clock.instant()))).isTrue();
        Recording handler = new Recording();
        List<RetrainingRequest> resumed = service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler);
        assertThat(resumed).extracting(RetrainingRequest::idempotencyKey).containsExactly("nightly/churn/w1");
        assertThat(handler.calls).extracting(RetrainingRequest::attempt).containsExactly(1);

        // a crash right after the decision was stored: no request yet
        clock.advance(Duration.ofDays(1));
        Decision d2 = policies().evaluate(POLICY, low("w2"));
        assertThat(d2.retrain()).isTrue();
        resumed = service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler);
        assertThat(resumed).extracting(RetrainingRequest::idempotencyKey).containsExactly("nightly/churn/w2");
        assertThat(handler.calls).hasSize(2);
        assertThat(service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler)).isEmpty();

        // or the window is simply sent again after the restart
        clock.advance(Duration.ofDays(1));
        policies().evaluate(POLICY, low("w3"));
        Retraining.Outcome again = service(Duration.ofMinutes(10)).evaluateAndAct(POLICY, low("w3"), handler);
        assertThat(again.handled()).isTrue();
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2", "w3");
    }

    @Test
    void everyRetrainDecisionWithoutRequestIsHandedOutOldestFirst() {
        policies().evaluate(POLICY, low("w1"));
        clock.advance(Duration.ofDays(1));
        policies().evaluate(POLICY, low("w2"));
        Recording handler = new Recording();
        List<RetrainingRequest> resumed = service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler);
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2");
        assertThat(resumed).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2");
    }

    @Test
    void aDecisionOlderThanTheFirstRequestedOneIsNotLost() {
        // instance A stores w1's retrain decision and dies before creating its request
        assertThat(policies().evaluate(POLICY, low("w1")).retrain()).isTrue();
        // instance B acts on w2
        clock.advance(Duration.ofDays(1));
        Recording handler = new Recording();
        assertThat(service(Duration.ofMinutes(10)).evaluateAndAct(POLICY, low("w2"), handler).handled()).isTrue();
        // A restarts
        List<RetrainingRequest> resumed = service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler);
        assertThat(resumed).extracting(RetrainingRequest::windowId, RetrainingRequest::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("w1", RetrainingRequest.Status.COMPLETED));
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w2", "w1");
        assertThat(service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler)).isEmpty();
    }

    @Test
    void aRequestedRequestRunsBeforeANewerDecisionWithoutRequest() {
        Decision d1 = policies().evaluate(POLICY, low("w1"));
        assertThat(requests.create(RetrainingRequest.requested(d1, clock.instant()))).isTrue();
        clock.advance(Duration.ofDays(1));
        assertThat(policies().evaluate(POLICY, low("w2")).retrain()).isTrue();
        Recording handler = new Recording();
        List<RetrainingRequest> resumed = service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler);
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2");
        assertThat(resumed).extracting(RetrainingRequest::windowId).containsExactly("w1", "w2");
    }

    @Test
    void aRequestThatFoundNoFreeThreadIsNotReturnedAsHandedOut() throws Exception {
        Retraining service = new RetrainingService(policies(), requests, clock, Duration.ofMillis(200), 1);
        RetrainingPolicy plain = RetrainingPolicy.builder("plain").anyOf(Condition.metricBelow("accuracy", 0.8))
                .build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        service.evaluateAndAct(plain, low("w1"), r -> {
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        finished.countDown();
                        return Optional.of("late");
                    }
                } catch (InterruptedException ignored) {
                    // keeps the only thread, as a badly written handler would
                }
            }
        });
        // w2 decided, its request not created (a crash): resumePending creates it but no thread becomes free
        assertThat(policies().evaluate(plain, low("w2")).retrain()).isTrue();
        AtomicInteger called = new AtomicInteger();
        List<RetrainingRequest> resumed = service.resumePending(plain, "churn", r -> {
            called.incrementAndGet();
            return Optional.empty();
        });
        assertThat(called).hasValue(0);
        assertThat(resumed).isEmpty();
        assertThat(service.request("plain/churn/w2").orElseThrow().status())
                .isEqualTo(RetrainingRequest.Status.REQUESTED);
        release.countDown();
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theLeaseCoversALiveCallUntilItsResultIsWritten() {
        Duration timeout = Duration.ofMinutes(10);
        RetrainingPolicy plain = RetrainingPolicy.builder("plain").anyOf(Condition.metricBelow("accuracy", 0.8))
                .build();
        Recording other = new Recording();
        List<List<RetrainingRequest>> takenOver = new ArrayList<>();
        // the run id check, after the handler used its whole time box: another instance resumes meanwhile
        Retraining live = new RetrainingService(policies(), requests, clock, timeout, 1, runId -> {
            takenOver.add(service(timeout).resumePending(plain, "churn", other));
            return Optional.empty();
        });
        Retraining.Outcome o = live.evaluateAndAct(plain, low("w1"), r -> {
            assertThat(r.leaseUntil()).contains(clock.instant().plus(timeout).plus(Retraining.LEASE_MARGIN));
            clock.advance(timeout);
            return Optional.of("run-1");
        });
        assertThat(takenOver).containsExactly(List.of());
        assertThat(other.calls).isEmpty();
        assertThat(o.handled()).isTrue();
        // the run is not in the (absent) tracking store, so the check fails the request: but the live call wrote it
        assertThat(o.request().orElseThrow().status()).isEqualTo(RetrainingRequest.Status.FAILED);
        assertThat(requests.get("plain/churn/w1")).isEqualTo(o.request());
    }

    @Test
    void aLiveCallThatOutlivesItsLeaseEndsCleanlyWithTheTakeOversResult() {
        Duration timeout = Duration.ofMinutes(10);
        RetrainingPolicy plain = RetrainingPolicy.builder("plain").anyOf(Condition.metricBelow("accuracy", 0.8))
                .build();
        Recording other = new Recording();
        Retraining live = new RetrainingService(policies(), requests, clock, timeout, 1, runId -> {
            // a check slower than the margin: the lease passes and another instance takes the request over
            clock.advance(timeout.plus(Retraining.LEASE_MARGIN));
            service(timeout).resumePending(plain, "churn", other);
            return Optional.empty();
        });
        Retraining.Outcome o = live.evaluateAndAct(plain, low("w1"), r -> Optional.of("run-1"));
        assertThat(other.calls).extracting(RetrainingRequest::attempt).containsExactly(2);
        assertThat(o.handled()).isTrue();
        assertThat(o.request().orElseThrow().status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
        assertThat(o.request().orElseThrow().attempt()).isEqualTo(2);
        assertThat(requests.get("plain/churn/w1")).isEqualTo(o.request());
    }

    @Test
    void aFailureNotYetReportedToThePolicyWhenTheProcessDiedIsReportedOnResume() {
        Decision d = policies().evaluate(POLICY, low("w1"));
        RetrainingRequest running = RetrainingRequest.requested(d, clock.instant()).running(clock.instant());
        requests.create(RetrainingRequest.requested(d, clock.instant()));
        requests.transition(RetrainingRequest.requested(d, clock.instant()), running);
        requests.transition(running, running.failed("java.io.IOException: disk full", clock.instant()));
        clock.advance(Duration.ofMinutes(1));
        Recording handler = new Recording();
        assertThat(service(Duration.ofMinutes(10)).resumePending(POLICY, "churn", handler)).isEmpty();
        assertThat(handler.calls).isEmpty();
        assertThat(policies().evaluate(POLICY, low("w2")).heldBy()).contains(Guard.BACKOFF);
    }

    @Test
    void anApprovedDecisionIsActedOnWithAct() {
        RetrainingPolicy approval = RetrainingPolicy.builder("reviewed")
                .anyOf(Condition.metricBelow("accuracy", 0.8)).approval(true).build();
        Retraining service = service(Duration.ofMinutes(10));
        Recording handler = new Recording();
        Retraining.Outcome pending = service.evaluateAndAct(approval, low("w1"), handler);
        assertThat(pending.decision().status()).isEqualTo(Status.AWAITING_APPROVAL);
        assertThat(pending.request()).isEmpty();
        Retraining.Outcome notYet = service.act(approval, pending.decision(), handler);
        assertThat(notYet.request()).isEmpty();
        assertThat(notYet.handled()).isFalse();
        // a decision that is not the stored one (here: of another window) is refused
        Decision forged = new Decision("reviewed", 1, "churn", "w9", T0, T0, Status.RETRAIN, true, List.of(),
                List.of(), Optional.empty(), Optional.empty(), "made up");
        assertThatThrownBy(() -> service.act(approval, forged, handler)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("window 'w9'").hasMessageContaining("(there is none)");
        Decision approved = policies().approve(approval, "churn", "w1", "alice");
        Retraining.Outcome acted = service.act(approval, approved, handler);
        assertThat(acted.handled()).isTrue();
        assertThat(service.act(approval, approved, handler).handled()).isFalse();
        assertThat(handler.calls).hasSize(1);
        assertThat(handler.calls.get(0).decision().actor()).contains("alice");
    }

    @Test
    void everyTransitionIsOneEventWithIdsAndStatusesOnly() {
        service(Duration.ofMinutes(10)).evaluateAndAct(POLICY, low("w1"), r -> Optional.of("run-7"));
        assertThat(events).extracting(RetrainingRequestJson.Event::action)
                .containsExactly("retraining.requested", "retraining.running", "retraining.completed");
        assertThat(events).extracting(RetrainingRequestJson.Event::subject).containsOnly("retraining:nightly/churn/w1");
        assertThat(events.get(2).data()).isEqualTo("{\"idempotency_key\":\"nightly/churn/w1\",\"policy\":\"nightly\","
                + "\"policy_version\":1,\"model\":\"churn\",\"window_id\":\"w1\",\"from\":\"running\","
                + "\"status\":\"completed\",\"attempt\":1,\"requested_at\":\"2024-05-01T08:00:00Z\","
                + "\"updated_at\":\"2024-05-01T08:00:00Z\",\"run_id\":\"run-7\"}");
        assertThat(events.get(0).data()).contains("\"from\":null").doesNotContain("conditions");
        Decision d = policies().decision("nightly", "churn", "w1").orElseThrow();
        assertThat(StorePolicyStateStore.subject(d.policy(), d.model(), d.windowId()))
                .isEqualTo(events.get(0).subject());
    }

    @Test
    void theJsonFormRoundTripsAndDamageIsAnIntegrityError() {
        Decision d = policies().evaluate(POLICY, low("w1"));
        RetrainingRequest r = RetrainingRequest.requested(d, T0).running(T0.plusSeconds(1))
                .failed("x".repeat(3000), T0.plusSeconds(2));
        assertThat(r.error().orElseThrow()).hasSize(RetrainingRequest.MAX_ERROR);
        String json = RetrainingRequestJson.write(r);
        assertThat(RetrainingRequestJson.read(json)).isEqualTo(r);
        RetrainingRequest c = RetrainingRequest.requested(d, T0).running(T0).completed(Optional.of("run-1"), T0);
        assertThat(RetrainingRequestJson.read(RetrainingRequestJson.write(c))).isEqualTo(c);
        assertThatThrownBy(() -> RetrainingRequestJson.read(json.replace("\"attempt\":1", "\"attempt\":0")))
                .isInstanceOf(dev.mlops.IntegrityException.class);
        assertThatThrownBy(() -> RetrainingRequestJson.read(json.replace("\"status\":\"failed\"", "\"status\":\"x\"")))
                .isInstanceOf(dev.mlops.IntegrityException.class);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> service(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("timeout must be > 0, was PT0S");
        assertThatThrownBy(() -> new RetrainingService(policies(), requests, clock, Duration.ofSeconds(1), 0))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("maxConcurrent must be >= 1, was 0");
        assertThat(requests.list("nightly", "churn", Set.of())).isEmpty();
    }
}
