package dev.mlops.internal.policy;

import dev.mlops.ConflictException;
import dev.mlops.NotFoundException;
import dev.mlops.internal.Validate;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Observation;
import dev.mlops.policy.PolicyContext;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RetrainingPolicies} over a {@link PolicyStateStore}: load the state, look for the window's decision (and
 * return it when there is one), evaluate with {@link PolicyEngine}, save by compare-and-set together with the
 * decision; on a lost race start again, so a window another writer decided meanwhile is returned as it was decided. Stateless apart from the store, so a new instance over the same store continues
 * where another stopped. Thread-safe.
 */
public final class PolicyEvaluator implements RetrainingPolicies {
    /** How often a save is retried after losing a race before giving up. */
    static final int MAX_ATTEMPTS = 32;

    private final PolicyStateStore store;
    private final Clock clock;
    private final DetectorFactory detectors;

    public PolicyEvaluator(PolicyStateStore store, Clock clock, DetectorFactory detectors) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.detectors = Objects.requireNonNull(detectors, "detectors");
    }

    @Override
    public Decision evaluate(RetrainingPolicy policy, Observation observation) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(observation, "observation");
        policy.validate(new PolicyContext(Optional.empty(), Optional.empty(), Optional.of(detectors)));
        PolicyStateStore.Key key = new PolicyStateStore.Key(policy.name(), observation.model());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // load before looking for the decision: a decision saved after this load makes the save below fail
            Optional<PolicyStateStore.Versioned> loaded = store.load(key);
            Optional<Decision> decided = store.decision(key, observation.windowId());
            if (decided.isPresent()) {
                return decided.get();
            }
            PolicyState state = loaded.map(PolicyStateStore.Versioned::state).orElse(PolicyState.INITIAL);
            long version = loaded.map(PolicyStateStore.Versioned::version).orElse(0L);
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(policy, state, observation, clock, detectors);
            if (store.save(key, version, e.state(), List.of(e.decision()))) {
                return e.decision();
            }
        }
        throw lostRace(key);
    }

    private static ConflictException lostRace(PolicyStateStore.Key key) {
        return new ConflictException("policy '" + key.policy() + "' for model '" + key.model() + "': other writers "
                + "saved first " + MAX_ATTEMPTS + " times in a row; try again");
    }

    @Override
    public Decision approve(RetrainingPolicy policy, String model, String windowId, String actor) {
        Validate.key("actor", actor);
        return settle(policy, model, windowId, actor, true, "");
    }

    @Override
    public Decision reject(RetrainingPolicy policy, String model, String windowId, String actor, String reason) {
        Validate.key("actor", actor);
        Validate.value("reason", reason, Validate.MAX_TEXT);
        return settle(policy, model, windowId, actor, false, reason);
    }

    private Decision settle(RetrainingPolicy policy, String model, String windowId, String actor, boolean approve,
            String reason) {
        Objects.requireNonNull(policy, "policy");
        PolicyStateStore.Key key = new PolicyStateStore.Key(policy.name(), Validate.name("model", model));
        Validate.key("windowId", windowId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<PolicyStateStore.Versioned> loaded = store.load(key);
            Decision current = store.decision(key, windowId).orElseThrow(() -> new NotFoundException("policy '"
                    + key.policy() + "' has no decision for model '" + key.model() + "', window '" + windowId + "'"));
            Decision.Status settled = approve ? Decision.Status.RETRAIN : Decision.Status.REJECTED;
            if (current.status() == settled && current.actor().isPresent()) {
                return current;
            }
            PolicyState state = loaded.map(PolicyStateStore.Versioned::state).orElse(PolicyState.INITIAL);
            long version = loaded.map(PolicyStateStore.Versioned::version).orElse(0L);
            PolicyEngine.Evaluation e = approve
                    ? PolicyEngine.approve(state, current, actor, clock)
                    : PolicyEngine.reject(state, current, actor, reason, clock);
            if (store.save(key, version, e.state(), List.of(e.decision()))) {
                return e.decision();
            }
        }
        throw lostRace(key);
    }

    @Override
    public void recordResult(RetrainingPolicy policy, String model, String windowId, boolean succeeded) {
        Objects.requireNonNull(policy, "policy");
        PolicyStateStore.Key key = new PolicyStateStore.Key(policy.name(), Validate.name("model", model));
        Validate.key("windowId", windowId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<PolicyStateStore.Versioned> stored = store.load(key);
            Decision current = store.decision(key, windowId).orElseThrow(() -> new NotFoundException("policy '"
                    + key.policy() + "' has no decision for model '" + key.model() + "', window '" + windowId + "'"));
            if (!current.retrain()) {
                throw new ConflictException("window '" + windowId + "' did not retrain (its decision is "
                        + current.status().id() + ")");
            }
            PolicyStateStore.Versioned loaded = stored.orElseThrow();
            PolicyState next = PolicyEngine.recordResult(loaded.state(), windowId, succeeded, clock);
            if (next.equals(loaded.state()) || store.save(key, loaded.version(), next, List.of())) {
                return;
            }
        }
        throw lostRace(key);
    }

    @Override
    public Optional<Decision> decision(String policy, String model, String windowId) {
        return store.decision(new PolicyStateStore.Key(policy, model), windowId);
    }

    @Override
    public Page<Decision> decisions(String policy, String model, PageRequest page) {
        Objects.requireNonNull(page, "page");
        return store.decisions(new PolicyStateStore.Key(policy, model), page);
    }
}
