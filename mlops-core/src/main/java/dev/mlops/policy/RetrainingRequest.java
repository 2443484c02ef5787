package dev.mlops.policy;

import dev.mlops.internal.Validate;
import dev.mlops.lineage.NodeKind;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.RunLink;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The record of one retrain asked for by a {@link Decision.Status#RETRAIN retrain} decision, keyed by the decision's
 * {@link Decision#idempotencyKey() idempotency key}: there is at most one request per key. It moves
 * {@code REQUESTED -> RUNNING -> COMPLETED | FAILED}; a crash may leave it {@code REQUESTED} or {@code RUNNING}, and
 * {@link Retraining#resumePending} then hands it to the handler again as {@code RUNNING} with {@code attempt + 1}.
 * {@code COMPLETED} and {@code FAILED} are final. Immutable. See docs/policies.md, "Acting on decisions".
 *
 * @param idempotencyKey the decision's key, {@code policy/model/window}
 *                       ({@link Decision#idempotencyKey(String, String, String)})
 * @param decision       the retrain decision, with its reasons
 * @param status         where the request is
 * @param attempt        how many times the handler was called (0 while {@code REQUESTED})
 * @param requestedAt    when the request was created
 * @param updatedAt      when its status last changed
 * @param runId          the run the handler reported (only when {@code COMPLETED})
 * @param error          why it failed (only when {@code FAILED}): the handler's exception type and message, or the
 *                       time-out
 * @param leaseUntil     while {@code RUNNING}: by when the caller that runs it has written its result (the time it
 *                       went running plus that caller's timeout plus {@link Retraining#LEASE_MARGIN}, as
 *                       {@code RetrainingService} sets it); only after it may another caller take the request
 *                       over ({@link Retraining#resumePending}). Empty otherwise, and in requests written before
 *                       leases were recorded
 */
public record RetrainingRequest(String idempotencyKey, Decision decision, Status status, int attempt,
        Instant requestedAt, Instant updatedAt, Optional<String> runId, Optional<String> error,
        Optional<Instant> leaseUntil) {

    /** The run tag with the request's idempotency key, for handlers that track the retraining run. */
    public static final String KEY_TAG = "mlops.retraining.key";
    /** The run tag with the policy's name. */
    public static final String POLICY_TAG = "mlops.retraining.policy";
    /** The run tag with the decision's window id. */
    public static final String WINDOW_TAG = "mlops.retraining.window";
    /** The longest error kept, in characters (longer ones are cut). */
    public static final int MAX_ERROR = 2000;
    private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

    /** Where a request is. */
    public enum Status {
        /** Created for a retrain decision; the handler was not called yet. */
        REQUESTED("requested"),
        /** The handler was called ({@code attempt} times) and has not finished. */
        RUNNING("running"),
        /** The handler returned. Final. */
        COMPLETED("completed"),
        /** The handler threw or timed out. Final: a new trigger retrains, after the policy's back-off. */
        FAILED("failed");

        private final String id;

        Status(String id) {
            this.id = id;
        }

        /** The name in JSON. */
        public String id() {
            return id;
        }

        /** Whether the request can still change. */
        public boolean pending() {
            return this == REQUESTED || this == RUNNING;
        }
    }

    /**
     * @throws IllegalArgumentException when the parts contradict each other (a key that is not the decision's, a
     *     decision that is not a retrain, a run id on a request that did not complete, an error on one that did not
     *     fail, attempt 0 after the handler was called)
     */
    public RetrainingRequest {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(error, "error");
        if (!decision.retrain() || !decision.idempotencyKey().equals(idempotencyKey)) {
            throw new IllegalArgumentException("a retraining request belongs to a retrain decision with its key");
        }
        if (attempt < 0 || (status == Status.REQUESTED) != (attempt == 0)) {
            throw new IllegalArgumentException("attempt is 0 exactly while requested, was " + attempt);
        }
        if (runId.isPresent() && status != Status.COMPLETED) {
            throw new IllegalArgumentException("only a completed request has a run id");
        }
        runId.ifPresent(r -> Validate.key("runId", r));
        if (error.isPresent() != (status == Status.FAILED)) {
            throw new IllegalArgumentException("a failed request, and only a failed one, has an error");
        }
        error = error.map(e -> e.length() <= MAX_ERROR ? e : e.substring(0, MAX_ERROR));
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (leaseUntil.isPresent() && status != Status.RUNNING) {
            throw new IllegalArgumentException("only a running request has a lease");
        }
    }

    /** A request without lease (as written before leases were recorded). */
    public RetrainingRequest(String idempotencyKey, Decision decision, Status status, int attempt,
            Instant requestedAt, Instant updatedAt, Optional<String> runId, Optional<String> error) {
        this(idempotencyKey, decision, status, attempt, requestedAt, updatedAt, runId, error, Optional.empty());
    }

    /** A new request for a retrain decision, created at {@code now}. */
    public static RetrainingRequest requested(Decision decision, Instant now) {
        return new RetrainingRequest(decision.idempotencyKey(), decision, Status.REQUESTED, 0, now, now,
                Optional.empty(), Optional.empty());
    }

    /** The policy's name. */
    public String policy() {
        return decision.policy();
    }

    /** The model. */
    public String model() {
        return decision.model();
    }

    /** The decision's window id. */
    public String windowId() {
        return decision.windowId();
    }

    /**
     * Tags for the retraining run, so that the run can be found by the request's key
     * ({@code RunQuery.builder().tag(KEY_TAG, key)}) and a handler called again can find the run it started before:
     * {@value #KEY_TAG}, {@value #POLICY_TAG} and {@value #WINDOW_TAG}.
     */
    public Map<String, String> runTags() {
        return Map.of(KEY_TAG, idempotencyKey, POLICY_TAG, policy(), WINDOW_TAG, windowId());
    }

    /**
     * The version of the model that served the window the decision was made for ({@link Decision#modelVersion()}),
     * the version this retrain is to replace; empty when the observation named none.
     */
    public Optional<String> servingVersion() {
        return decision.modelVersion();
    }

    /**
     * Lineage links for the retraining run, so that lineage shows what it retrains: when the decision names the
     * serving version as a registry version number ({@code 1} to {@code 9999999999}), the input
     * {@code model:MODEL/VERSION} (the edge {@code model:MODEL/VERSION -> run}, and through the version the run
     * registers, {@code serving version -> retraining run -> new version}); otherwise (no serving version, or one
     * that is not a version number) none. Unlike tags, links can only be added while the run is running, so the
     * handler logs them on the run it starts ({@link #recordOn}); a service over the tracking store
     * ({@code Mlops.retraining()}) fails a request whose returned run lacks them.
     */
    public List<RunLink> runLinks() {
        Optional<String> version = servingVersion().filter(v -> VERSION_NUMBER.matcher(v).matches());
        if (version.isEmpty()) {
            return List.of();
        }
        return List.of(RunLink.input(new NodeRef(NodeKind.MODEL, model() + "/" + version.get())));
    }

    /**
     * Records this request on the retraining run: sets its {@link #runTags()} and logs its {@link #runLinks()}.
     * Call it once, right after starting the run (links can only be added while it runs).
     *
     * @return {@code run}
     */
    public ActiveRun recordOn(ActiveRun run) {
        runTags().forEach(run::setTag);
        for (RunLink link : runLinks()) {
            if (link.role() == RunLink.Role.INPUT) {
                run.logInput(link.node());
            } else {
                run.logOutput(link.node());
            }
        }
        return run;
    }

    /** This request, handed to the handler as attempt {@code attempt + 1} at {@code now}, without lease. */
    public RetrainingRequest running(Instant now) {
        return new RetrainingRequest(idempotencyKey, decision, Status.RUNNING, attempt + 1, requestedAt, now,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * This request, handed to the handler as attempt {@code attempt + 1} at {@code now} by a caller that waits for
     * it at most {@code lease}: leased until {@code now + lease}.
     */
    public RetrainingRequest running(Instant now, java.time.Duration lease) {
        return new RetrainingRequest(idempotencyKey, decision, Status.RUNNING, attempt + 1, requestedAt, now,
                Optional.empty(), Optional.empty(), Optional.of(now.plus(lease)));
    }

    /** This request, completed at {@code now}. */
    public RetrainingRequest completed(Optional<String> run, Instant now) {
        return new RetrainingRequest(idempotencyKey, decision, Status.COMPLETED, attempt, requestedAt, now, run,
                Optional.empty());
    }

    /** This request, failed at {@code now}. */
    public RetrainingRequest failed(String why, Instant now) {
        return new RetrainingRequest(idempotencyKey, decision, Status.FAILED, Math.max(attempt, 1), requestedAt,
                now, Optional.empty(), Optional.of(why));
    }
}
