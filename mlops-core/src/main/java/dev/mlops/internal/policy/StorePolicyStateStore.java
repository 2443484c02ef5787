package dev.mlops.internal.policy;

import dev.mlops.ConflictException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.internal.Context;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.Decision;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link PolicyStateStore} over the metadata store of an {@code Mlops} instance ({@code Mlops.policies()}): the
 * state as {@link PolicyStateJson} and the decisions as {@link DecisionJson}, saved by the store's compare-and-set
 * together with one audit event per decision ({@value #DECIDED}), or one {@value #RESULT} event when a save records
 * only a retrain's result. Audit events carry the decision's numbers that identify it (policy, model, window,
 * status, retrain, held_by), never the observation. An approval's or rejection's event names the person who
 * approved or rejected as its actor; the others name the instance's actor. Thread-safe (stateless apart from the
 * store).
 */
public final class StorePolicyStateStore implements PolicyStateStore {
    /** The audit action of a stored decision. */
    public static final String DECIDED = "policy.decided";
    /** The audit action of a save that records a retrain's result and no decision. */
    public static final String RESULT = "policy.result_recorded";

    private final Context context;

    public StorePolicyStateStore(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * The audit subject of the events of a window: {@code retraining:} and the decision's idempotency key
     * ({@link Decision#idempotencyKey(String, String, String)}, unambiguous), the subject of the window's retraining
     * request too, so that one subject lists a window's decisions, its results and its request's changes.
     */
    public static String subject(String policy, String model, String windowId) {
        return "retraining:" + Decision.idempotencyKey(policy, model, windowId);
    }

    @Override
    public Optional<Versioned> load(Key key) {
        return context.store().getPolicyState(key.policy(), key.model())
                .map(e -> new Versioned(e.version(), PolicyStateJson.read(e.body())));
    }

    @Override
    public boolean save(Key key, long expectedVersion, PolicyState state, List<Decision> decisions) {
        PolicyStateEntry entry = new PolicyStateEntry(key.policy(), key.model(), expectedVersion + 1,
                PolicyStateJson.write(state), context.now(), context.actor());
        List<PolicyDecisionEntry> entries = new ArrayList<>();
        List<PendingAuditEvent> events = new ArrayList<>();
        for (Decision d : decisions) {
            entries.add(new PolicyDecisionEntry(d.policy(), d.model(), 0, d.windowId(), d.status().id(),
                    d.retrain(), d.decidedAt(), DecisionJson.write(d)));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("policy", d.policy());
            data.put("model", d.model());
            data.put("window", d.windowId());
            data.put("status", d.status().id());
            data.put("retrain", d.retrain());
            data.put("held_by", d.heldBy().map(g -> (Object) g.id()).orElse(null));
            if (!d.missingInputs().isEmpty()) {
                data.put("missing_inputs", d.missingInputs());
                data.put("input_errors", d.inputErrors().stream().map(c -> c.path()).toList());
            }
            events.add(new PendingAuditEvent(context.now(), d.actor().orElse(context.actor()), DECIDED,
                    subject(d.policy(), d.model(), d.windowId()), CanonicalJson.write(data)));
        }
        if (events.isEmpty()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("policy", key.policy());
            data.put("model", key.model());
            String window = state.lastResultWindow().orElse("");
            data.put("window", window);
            data.put("consecutive_failures", state.consecutiveFailures());
            events.add(context.audit(RESULT, subject(key.policy(), key.model(), window), data));
        }
        try {
            context.store().savePolicyState(entry, expectedVersion, entries, events);
            return true;
        } catch (ConflictException e) {
            // a lost race, unless the stored version is still the expected one (then the conflict is another)
            long stored = context.store().getPolicyState(key.policy(), key.model())
                    .map(PolicyStateEntry::version).orElse(0L);
            if (stored != expectedVersion) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<Decision> decision(Key key, String windowId) {
        return context.store().findPolicyDecision(key.policy(), key.model(), windowId)
                .map(e -> DecisionJson.read(e.body()));
    }

    @Override
    public Page<Decision> decisions(Key key, PageRequest page) {
        Page<PolicyDecisionEntry> p = context.store().listPolicyDecisions(key.policy(), key.model(), page);
        List<Decision> items = new ArrayList<>(p.items().size());
        for (PolicyDecisionEntry e : p.items()) {
            items.add(DecisionJson.read(e.body()));
        }
        return new Page<>(items, p.nextPageToken());
    }
}
