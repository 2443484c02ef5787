package dev.mlops.internal.policy;

import dev.mlops.policy.RetrainingRequest;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps {@link RetrainingRequest}s by idempotency key: created once, then changed only by compare-and-set on the
 * stored status and attempt, so two callers never both move a request on. A store that persists requests should
 * append {@link RetrainingRequestJson#event} for every successful write to the audit chain in the same transaction.
 * Implementations are thread-safe.
 */
public interface RetrainingRequestStore {
    /**
     * Stores a new request unless its key has one.
     *
     * @return false, changing nothing, when the key already has a request
     * @throws dev.mlops.StorageException when the store fails; nothing was saved
     */
    boolean create(RetrainingRequest request);

    /**
     * Replaces the key's request by {@code next} if the stored one has {@code expected}'s status and attempt.
     *
     * @return false, changing nothing, when it has not (another caller moved it on first)
     * @throws dev.mlops.StorageException when the store fails; nothing was saved
     */
    boolean transition(RetrainingRequest expected, RetrainingRequest next);

    /** The key's request, if any. */
    Optional<RetrainingRequest> get(String idempotencyKey);

    /**
     * The policy's requests for the model with one of {@code statuses} (all when empty), in the order they were
     * created.
     */
    List<RetrainingRequest> list(String policy, String model, Set<RetrainingRequest.Status> statuses);
}
