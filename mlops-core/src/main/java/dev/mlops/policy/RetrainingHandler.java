package dev.mlops.policy;

import java.util.Optional;

/**
 * What the application does to retrain a model, called by {@link Retraining} once per {@link Decision#retrain()
 * retrain} decision, and again (with the same {@link RetrainingRequest#idempotencyKey()} and a higher
 * {@link RetrainingRequest#attempt()}) only when a crash or a lost handler left the earlier call unfinished. A
 * handler that may be called twice for one key should deduplicate on the key (for example: look for a run tagged
 * with it, see {@link RetrainingRequest#runTags()}).
 *
 * <p>The call is time-boxed: after the configured timeout the calling thread is interrupted and the request is
 * recorded as failed. A handler should therefore respond to interruption. Implementations must be thread-safe when
 * several windows or models are acted on at once.
 */
@FunctionalInterface
public interface RetrainingHandler {
    /**
     * Retrains for the request.
     *
     * @return the id of the run that trained the new model (recorded in the request), or empty when there is none
     *     to record. The run should record the request ({@link RetrainingRequest#recordOn}, right after it starts:
     *     the key tags and the link from the serving version), so that lineage shows serving version -> run -> new
     *     version; {@code Mlops.retraining()} fails a request whose run is not in the tracking store or lacks them
     * @throws Exception when the retrain failed: the request is recorded as failed with the exception's message,
     *     and the failure is reported to the policy (its back-off guard)
     */
    Optional<String> retrain(RetrainingRequest request) throws Exception;
}
