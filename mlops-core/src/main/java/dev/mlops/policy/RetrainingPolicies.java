package dev.mlops.policy;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.internal.policy.InMemoryPolicyStateStore;
import dev.mlops.internal.policy.PolicyEvaluator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates retraining policies for models and keeps what their guards need (last retrain, retrains in the budget
 * period, hysteresis history, back-off, decided windows) in a store, so that a restarted service neither forgets a
 * cooldown nor decides a window twice. Every decision is stored. Implementations are thread-safe; concurrent calls
 * for the same policy and model are serialised by optimistic concurrency.
 */
public interface RetrainingPolicies {
    /**
     * Decides the observation's window for its model. The first call for a window evaluates and stores the decision;
     * later calls for the same policy name, model and window id return the stored decision unchanged and never fire
     * again. A clock that went backwards since the last evaluation gives a stored {@link Decision.Status#FAILED}
     * decision that changes nothing (the window can be evaluated again later).
     *
     * @throws dev.mlops.ConflictException when concurrent writers kept winning for too long
     */
    Decision evaluate(RetrainingPolicy policy, Observation observation);

    /**
     * Approves the decision of {@code windowId} that awaits approval: returns and stores a {@link Decision.Status#RETRAIN}
     * decision for the same window (the guards' clocks start now). Approving an approved window returns the stored
     * decision.
     *
     * @throws dev.mlops.NotFoundException when the window has no decision
     * @throws dev.mlops.ConflictException when its decision does not await approval
     */
    Decision approve(RetrainingPolicy policy, String model, String windowId, String actor);

    /**
     * Rejects the decision of {@code windowId} that awaits approval: stores a {@link Decision.Status#REJECTED}
     * decision; nothing retrains. Rejecting a rejected window returns the stored decision.
     *
     * @throws dev.mlops.NotFoundException when the window has no decision
     * @throws dev.mlops.ConflictException when its decision does not await approval
     */
    Decision reject(RetrainingPolicy policy, String model, String windowId, String actor, String reason);

    /**
     * Records how the retrain decided for {@code windowId} ended: a failure gives back the one-shot triggers it
     * consumed, a success drops them; for the latest retrain, a failure also starts or extends the back-off and a
     * success ends it (an earlier retrain's result, when retrains overlapped, does not touch the back-off). Reporting
     * the same window again changes nothing.
     *
     * @throws dev.mlops.NotFoundException when the window has no decision
     * @throws dev.mlops.ConflictException when that window did not retrain
     */
    void recordResult(RetrainingPolicy policy, String model, String windowId, boolean succeeded);

    /** The window's current decision (the latest that did not fail), if decided. */
    Optional<Decision> decision(String policy, String model, String windowId);

    /**
     * One page of the stored decisions of the policy for the model, failed ones included, oldest first. Pages are
     * keyset-paginated ({@link Page}): decisions stored while paging appear on a later page, none is skipped or
     * repeated. An unknown policy or model has no decisions (an empty last page).
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code pageToken}) when the token is not one this listing gave
     */
    Page<Decision> decisions(String policy, String model, PageRequest page);

    /**
     * Every stored decision of the policy for the model, failed ones included, oldest first: all pages of
     * {@link #decisions(String, String, PageRequest)} read into one list, so its memory grows with the log. Prefer
     * the paged listing for a log of unbounded length.
     */
    default List<Decision> decisions(String policy, String model) {
        List<Decision> all = new ArrayList<>();
        PageRequest page = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
        while (true) {
            Page<Decision> p = decisions(policy, model, page);
            all.addAll(p.items());
            if (p.next().isEmpty()) {
                return List.copyOf(all);
            }
            page = page.next(p);
        }
    }

    /**
     * Policies whose state and decisions live in memory (lost when the process ends), evaluated at {@code clock}'s
     * time, with decay detectors from {@code detectors}. For state kept in the metadata store, which survives a
     * restart, use {@code Mlops.policies()}.
     */
    static RetrainingPolicies inMemory(Clock clock, DetectorFactory detectors) {
        return new PolicyEvaluator(new InMemoryPolicyStateStore(), clock, detectors);
    }
}
