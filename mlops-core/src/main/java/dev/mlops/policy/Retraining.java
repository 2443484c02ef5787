package dev.mlops.policy;

import dev.mlops.internal.policy.InMemoryRetrainingRequestStore;
import dev.mlops.internal.policy.RetrainingService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Acts on retraining decisions: evaluates a window with {@link RetrainingPolicies}, and for a
 * {@link Decision.Status#RETRAIN retrain} decision creates a {@link RetrainingRequest} keyed by the decision's
 * idempotency key and calls the application's {@link RetrainingHandler} for it, time-boxed, recording how it ended
 * and reporting it to the policy ({@link RetrainingPolicies#recordResult}, which drives the back-off).
 *
 * <p>Guarantees: the handler is called once per retrain decision however often and from however many threads the
 * window is evaluated (the request is created once per key, and only the caller that moves it from
 * {@code REQUESTED} to {@code RUNNING} calls the handler); across a crash it is called at least once, again with the
 * same key, by {@link #resumePending}; a {@code COMPLETED} or {@code FAILED} request is never handed out again. A
 * handler that throws or runs past the timeout gives a {@code FAILED} request; the decision stays stored either way.
 * Thread-safe. {@code Mlops.retraining()} keeps the requests in the metadata store, so the guarantees hold across
 * restarts and between instances over one store; {@link #inMemory} keeps them in memory. See docs/policies.md,
 * "Acting on decisions".
 */
public interface Retraining {
    /** The default time-box of one handler call. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** The default number of handler calls that may run at once. */
    int DEFAULT_MAX_CONCURRENT = 4;
    /**
     * What a {@code RUNNING} request's lease adds to its caller's timeout: the caller waits for the handler at most
     * the timeout, then checks the run id and writes the result; the margin covers that and the clock skew between
     * the hosts that share a store. A clock skew or a result write longer than this may let another instance take a
     * live request over (the live caller's write then fails cleanly: the other instance's result is the request's).
     */
    Duration LEASE_MARGIN = Duration.ofMinutes(1);

    /**
     * A window's decision and, for a retrain decision, its request as this call left it.
     *
     * @param decision the window's decision (stored)
     * @param request  the request of a retrain decision: the one this call handled (completed or failed), or the
     *                 one found when another caller had created it (which this call did not run)
     * @param handled  whether this call ran the handler
     */
    record Outcome(Decision decision, Optional<RetrainingRequest> request, boolean handled) {
        public Outcome {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * Evaluates the observation ({@link RetrainingPolicies#evaluate}) and, when the decision is a retrain, acts on it
     * ({@link #act}). Evaluating a window again returns its stored decision and its request, without calling the
     * handler again.
     */
    Outcome evaluateAndAct(RetrainingPolicy policy, Observation observation, RetrainingHandler handler);

    /**
     * Acts on a stored retrain decision, for example one returned by {@link RetrainingPolicies#approve}: creates its
     * request unless it exists and, when this call created it, calls the handler and waits for it (at most the
     * timeout). A decision that is not a retrain gives an outcome without request.
     *
     * @throws dev.mlops.NotFoundException when the decision is not the window's stored decision
     */
    Outcome act(RetrainingPolicy policy, Decision decision, RetrainingHandler handler);

    /**
     * Hands the policy's unfinished work for the model to the handler again, for a service that restarted: every
     * stored retrain decision of the policy and model without a request (a crash right after the decision) gets one,
     * however old; {@code REQUESTED} requests, and {@code RUNNING} requests not running in this instance whose lease
     * ({@link RetrainingRequest#leaseUntil()}: the time they went running plus the timeout of the caller that runs
     * them plus {@link #LEASE_MARGIN}) has passed (their caller must have died, since a live one has written its
     * result by then; a request without lease: this instance's timeout after its last change), are called again with
     * the same key and {@code attempt + 1}. Requests are handled one after the other, oldest decision first.
     * Retrain decisions acted on without {@code Retraining} are handed out too, so act on every retrain decision of a
     * policy through it.
     *
     * @return the requests this call handed to the handler, as they ended, oldest first; not those another caller
     *     ran, nor one that went back to {@code REQUESTED} because no handler thread became free
     */
    List<RetrainingRequest> resumePending(RetrainingPolicy policy, String model, RetrainingHandler handler);

    /**
     * The request of an idempotency key ({@link Decision#idempotencyKey(String, String, String)}), if there is
     * one.
     */
    Optional<RetrainingRequest> request(String idempotencyKey);

    /** The policy's requests for the model, oldest first. */
    List<RetrainingRequest> requests(String policy, String model);

    /**
     * Acting on {@code policies}' decisions with requests kept in memory (lost when the process ends), at
     * {@code clock}'s time, with handler calls time-boxed to {@code timeout} and at most {@code maxConcurrent} at
     * once.
     *
     * @throws dev.mlops.InvalidArgumentException when the timeout is not positive or maxConcurrent &lt; 1
     */
    static Retraining inMemory(RetrainingPolicies policies, Clock clock, Duration timeout, int maxConcurrent) {
        return new RetrainingService(policies, new InMemoryRetrainingRequestStore(), clock, timeout, maxConcurrent);
    }

    /** {@link #inMemory(RetrainingPolicies, Clock, Duration, int)} with the defaults. */
    static Retraining inMemory(RetrainingPolicies policies, Clock clock) {
        return inMemory(policies, clock, DEFAULT_TIMEOUT, DEFAULT_MAX_CONCURRENT);
    }
}
