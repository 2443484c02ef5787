package dev.mlops.internal.policy;

import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.internal.Validate;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link Retraining} over {@link RetrainingPolicies} and a {@link RetrainingRequestStore}. Handler calls run on a
 * pool of at most {@code maxConcurrent} daemon threads (idle ones end after 30 s); the caller waits for at most the
 * timeout, counted from when it moved the request to {@code RUNNING}, then interrupts the handler and records the failure. A handler that ignores
 * interruption keeps its thread until it returns (its late result is discarded); a request that got no thread
 * within the timeout was not handed to the handler and goes back to where it was ({@code REQUESTED}, for
 * {@link #resumePending}), it is not failed. Stateless apart from the stores and
 * the keys being handled right now, so a new instance over the same stores continues where another stopped.
 * Thread-safe.
 */
public final class RetrainingService implements Retraining {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** What a lease adds to the timeout, for the run id check, the result write and clock skew between hosts. */
    static final Duration LEASE_MARGIN = Retraining.LEASE_MARGIN;

    private final RetrainingPolicies policies;
    private final RetrainingRequestStore store;
    private final Clock clock;
    private final Duration timeout;
    private final ThreadPoolExecutor executor;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Looks up a run the handler returned; null: run ids are not checked. */
    private final Function<String, Optional<Run>> runs;

    /**
     * @throws InvalidArgumentException when {@code timeout} is not positive ({@code timeout}) or
     *     {@code maxConcurrent < 1} ({@code maxConcurrent})
     */
    public RetrainingService(RetrainingPolicies policies, RetrainingRequestStore store, Clock clock, Duration timeout,
            int maxConcurrent) {
        this(policies, store, clock, timeout, maxConcurrent, null);
    }

    /**
     * As {@link #RetrainingService(RetrainingPolicies, RetrainingRequestStore, Clock, Duration, int)}, where a run id
     * the handler returns must be found by {@code runs} (for example: in the tracking store) and record the request
     * (its {@link RetrainingRequest#KEY_TAG} tag and its {@link RetrainingRequest#runLinks()}), or the request fails;
     * {@code runs} null: run ids are not checked.
     */
    public RetrainingService(RetrainingPolicies policies, RetrainingRequestStore store, Clock clock, Duration timeout,
            int maxConcurrent, Function<String, Optional<Run>> runs) {
        this.runs = runs;
        this.policies = Objects.requireNonNull(policies, "policies");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        Validate.required("timeout", timeout);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidArgumentException("timeout", "timeout must be > 0, was " + timeout);
        }
        if (maxConcurrent < 1) {
            throw new InvalidArgumentException("maxConcurrent", "maxConcurrent must be >= 1, was " + maxConcurrent);
        }
        this.timeout = timeout;
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "mlops-retraining-" + pool + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public Outcome evaluateAndAct(RetrainingPolicy policy, Observation observation, RetrainingHandler handler) {
        Objects.requireNonNull(handler, "handler");
        Decision decision = policies.evaluate(policy, observation);
        return actOn(policy, decision, handler);
    }

    @Override
    public Outcome act(RetrainingPolicy policy, Decision decision, RetrainingHandler handler) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(handler, "handler");
        Optional<Decision> stored = policies.decision(decision.policy(), decision.model(), decision.windowId());
        if (!decision.policy().equals(policy.name()) || stored.isEmpty() || !stored.get().equals(decision)) {
            throw new NotFoundException("decision for window '" + decision.windowId() + "' of policy '"
                    + decision.policy() + "' for model '" + decision.model() + "' is not the window's stored decision"
                    + stored.map(d -> " (that is " + d.status().id() + ")").orElse(" (there is none)"));
        }
        return actOn(policy, decision, handler);
    }

    private Outcome actOn(RetrainingPolicy policy, Decision decision, RetrainingHandler handler) {
        if (!decision.retrain()) {
            return new Outcome(decision, Optional.empty(), false);
        }
        RetrainingRequest requested = RetrainingRequest.requested(decision, clock.instant());
        if (!store.create(requested)) {
            return new Outcome(decision, store.get(decision.idempotencyKey()), false);
        }
        return run(policy, requested, handler);
    }

    /** Moves {@code expected} to running and calls the handler, unless another caller moved it first. */
    private Outcome run(RetrainingPolicy policy, RetrainingRequest expected, RetrainingHandler handler) {
        Decision decision = expected.decision();
        // the lease covers the whole live call: the wait for the handler (at most the timeout, counted from here),
        // then the run id check and the result write, plus clock skew between hosts (LEASE_MARGIN)
        long deadline = System.nanoTime() + timeout.toNanos();
        RetrainingRequest running = expected.running(clock.instant(), timeout.plus(LEASE_MARGIN));
        if (!inFlight.add(expected.idempotencyKey())) {
            return new Outcome(decision, store.get(expected.idempotencyKey()), false);
        }
        try {
            if (!store.transition(expected, running)) {
                return new Outcome(decision, store.get(expected.idempotencyKey()), false);
            }
            Optional<RetrainingRequest> ended = call(running, handler, deadline);
            if (ended.isEmpty()) {
                return new Outcome(decision, Optional.of(running), true);
            }
            if (ended.get() == running) {
                // no handler thread became free in time: the handler was not called, so the request goes back to
                // where it was (REQUESTED, or an abandoned RUNNING) for resumePending, rather than failing
                if (store.transition(running, expected)) {
                    return new Outcome(decision, Optional.of(expected), false);
                }
                return new Outcome(decision, store.get(expected.idempotencyKey()), false);
            }
            if (!store.transition(running, ended.get())) {
                // only when this call outlived its lease (a check or write slower than LEASE_MARGIN) and another
                // instance took the request over: that one's result is the request's; a run this call's handler
                // started carries the request's key tag, so the other handler call can find it
                return new Outcome(decision, store.get(expected.idempotencyKey()), true);
            }
            report(policy, ended.get());
            return new Outcome(decision, ended, true);
        } finally {
            inFlight.remove(expected.idempotencyKey());
        }
    }

    /**
     * Tells the policy how the retrain ended (a retrain that is no longer the latest gives back or drops its own
     * one-shot triggers but does not drive the back-off); a conflict (the decision changed meanwhile) is ignored.
     */
    private void report(RetrainingPolicy policy, RetrainingRequest ended) {
        try {
            policies.recordResult(policy, ended.model(), ended.windowId(),
                    ended.status() == RetrainingRequest.Status.COMPLETED);
        } catch (ConflictException e) {
            // the window's decision is no longer a retrain: nothing to report
        }
    }

    /**
     * Calls the handler, time-boxed: the request as it ended; {@code running} itself when no handler thread became
     * free within the timeout (the handler was not called and will not be); or empty when this thread was
     * interrupted while waiting (the request stays running, for {@link #resumePending}).
     */
    private Optional<RetrainingRequest> call(RetrainingRequest running, RetrainingHandler handler, long deadline) {
        // 0: waiting for a thread, 1: the handler was called, 2: given up before a thread took it
        AtomicInteger phase = new AtomicInteger();
        Future<Optional<String>> future = executor.submit(() -> {
            if (!phase.compareAndSet(0, 1)) {
                return Optional.empty();
            }
            return handler.retrain(running);
        });
        try {
            Optional<String> run = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (run == null) {
                return Optional.of(running.failed("the handler returned null instead of an Optional",
                        clock.instant()));
            }
            if (run.isPresent()) {
                try {
                    Validate.key("runId", run.get());
                } catch (InvalidArgumentException e) {
                    return Optional.of(running.failed("the handler returned a bad run id: " + e.getMessage(),
                            clock.instant()));
                }
                Optional<String> wrong;
                try {
                    wrong = check(running, run.get());
                } catch (RuntimeException e) {
                    return Optional.of(running.failed("could not check the run id '" + run.get()
                            + "' the handler returned: " + e.getMessage(), clock.instant()));
                }
                if (wrong.isPresent()) {
                    return Optional.of(running.failed(wrong.get(), clock.instant()));
                }
            }
            return Optional.of(running.completed(run, clock.instant()));
        } catch (TimeoutException e) {
            if (phase.compareAndSet(0, 2)) {
                future.cancel(false);
                executor.remove((Runnable) future);
                return Optional.of(running);
            }
            future.cancel(true);
            return Optional.of(running.failed("timed out after " + timeout + " (attempt " + running.attempt()
                    + "); the handler was interrupted", clock.instant()));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String message = cause.getMessage();
            return Optional.of(running.failed(cause.getClass().getName()
                    + (message == null ? "" : ": " + message), clock.instant()));
        } catch (CancellationException e) {
            return Optional.of(running.failed("the handler call was cancelled", clock.instant()));
        } catch (InterruptedException e) {
            phase.compareAndSet(0, 2);
            future.cancel(true);
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Why the run the handler returned does not do for the request: not a run in the tracking store, without the
     * request's key tag, or without one of its links; empty when it does (or run ids are not checked).
     */
    private Optional<String> check(RetrainingRequest request, String runId) {
        if (runs == null) {
            return Optional.empty();
        }
        Optional<Run> found = runs.apply(runId);
        if (found.isEmpty()) {
            return Optional.of("the handler returned run id '" + runId + "', which is not a run in the tracking store");
        }
        Run run = found.get();
        String key = run.tags().get(RetrainingRequest.KEY_TAG);
        if (!request.idempotencyKey().equals(key)) {
            return Optional.of("the handler returned run '" + runId + "', which is not tagged "
                    + RetrainingRequest.KEY_TAG + "=" + request.idempotencyKey()
                    + (key == null ? "" : " (it is tagged with '" + key + "')")
                    + ": a retraining handler must record the request on the run it starts"
                    + " (request.recordOn(run): the tags request.runTags() and the links request.runLinks())");
        }
        for (RunLink link : request.runLinks()) {
            if (!run.links().contains(link)) {
                return Optional.of("the handler returned run '" + runId + "', which does not record "
                        + (link.role() == RunLink.Role.INPUT ? "the input " : "the output ") + link.node().id()
                        + " (the serving version it retrains): a retraining handler must record the request on the"
                        + " run it starts (request.recordOn(run): the tags request.runTags() and the links"
                        + " request.runLinks())");
            }
        }
        return Optional.empty();
    }

    @Override
    public List<RetrainingRequest> resumePending(RetrainingPolicy policy, String model, RetrainingHandler handler) {
        Objects.requireNonNull(policy, "policy");
        Validate.name("model", model);
        Objects.requireNonNull(handler, "handler");
        List<RetrainingRequest> handed = new ArrayList<>();
        List<Decision> retrains = policies.decisions(policy.name(), model).stream().filter(Decision::retrain)
                .toList();
        Set<String> keys = new HashSet<>();
        // oldest first: the retrain decisions in the order they were decided, each with its request as stored
        for (Decision d : retrains) {
            keys.add(d.idempotencyKey());
            Optional<RetrainingRequest> r = store.get(d.idempotencyKey());
            if (r.isEmpty()) {
                RetrainingRequest requested = RetrainingRequest.requested(d, clock.instant());
                if (store.create(requested)) {
                    handOut(run(policy, requested, handler), handed);
                }
            } else {
                resume(policy, r.get(), handler, handed);
            }
        }
        // pending requests whose decision is not among the policy's stored retrain decisions (none in practice)
        for (RetrainingRequest r : store.list(policy.name(), model,
                Set.of(RetrainingRequest.Status.REQUESTED, RetrainingRequest.Status.RUNNING))) {
            if (!keys.contains(r.idempotencyKey())) {
                resume(policy, r, handler, handed);
            }
        }
        // a crash between the latest retrain's end and its report to the policy: report it again (idempotent)
        if (!retrains.isEmpty()) {
            store.get(retrains.get(retrains.size() - 1).idempotencyKey())
                    .filter(r -> !r.status().pending()).ifPresent(r -> report(policy, r));
        }
        return handed;
    }

    /** Runs {@code r} again when it is {@code REQUESTED}, or {@code RUNNING} here-not and past its lease. */
    private void resume(RetrainingPolicy policy, RetrainingRequest r, RetrainingHandler handler,
            List<RetrainingRequest> handed) {
        if (!r.status().pending()) {
            return;
        }
        // a running request is taken over only after its lease (set by the caller that runs it); one written
        // without lease, after this instance's timeout since it went running
        Instant deadline = r.leaseUntil().orElse(r.updatedAt().plus(timeout));
        boolean abandoned = r.status() == RetrainingRequest.Status.REQUESTED
                || (!inFlight.contains(r.idempotencyKey()) && !deadline.isAfter(clock.instant()));
        if (abandoned) {
            handOut(run(policy, r, handler), handed);
        }
    }

    /** Adds the request of an outcome whose handler call this service made; others were not handed out. */
    private static void handOut(Outcome o, List<RetrainingRequest> handed) {
        if (o.handled()) {
            o.request().ifPresent(handed::add);
        }
    }

    @Override
    public Optional<RetrainingRequest> request(String idempotencyKey) {
        return store.get(Objects.requireNonNull(idempotencyKey, "idempotencyKey"));
    }

    @Override
    public List<RetrainingRequest> requests(String policy, String model) {
        return store.list(policy, model, Set.of());
    }
}
