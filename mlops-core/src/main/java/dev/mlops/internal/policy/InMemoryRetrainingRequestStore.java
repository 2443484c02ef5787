package dev.mlops.internal.policy;

import dev.mlops.policy.RetrainingRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link RetrainingRequestStore} in memory. Requests are kept as their JSON ({@link RetrainingRequestJson}), as a
 * persistent store keeps them. Every successful write is passed, under the store's lock and in write order, to an
 * optional listener (where a persistent store appends its audit event). Thread-safe (one lock).
 */
public final class InMemoryRetrainingRequestStore implements RetrainingRequestStore {
    private final Map<String, String> requests = new LinkedHashMap<>();
    private final Consumer<RetrainingRequestJson.Event> listener;

    public InMemoryRetrainingRequestStore() {
        this(e -> { });
    }

    /** A store that passes each write's event to {@code listener}. */
    public InMemoryRetrainingRequestStore(Consumer<RetrainingRequestJson.Event> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public synchronized boolean create(RetrainingRequest request) {
        if (requests.containsKey(request.idempotencyKey())) {
            return false;
        }
        requests.put(request.idempotencyKey(), RetrainingRequestJson.write(request));
        listener.accept(RetrainingRequestJson.event(Optional.empty(), request));
        return true;
    }

    @Override
    public synchronized boolean transition(RetrainingRequest expected, RetrainingRequest next) {
        if (!expected.idempotencyKey().equals(next.idempotencyKey())) {
            throw new IllegalArgumentException("a transition keeps the request's key");
        }
        Optional<RetrainingRequest> current = get(expected.idempotencyKey());
        if (current.isEmpty() || current.get().status() != expected.status()
                || current.get().attempt() != expected.attempt()) {
            return false;
        }
        requests.put(next.idempotencyKey(), RetrainingRequestJson.write(next));
        listener.accept(RetrainingRequestJson.event(current, next));
        return true;
    }

    @Override
    public synchronized Optional<RetrainingRequest> get(String idempotencyKey) {
        String json = requests.get(idempotencyKey);
        return json == null ? Optional.empty() : Optional.of(RetrainingRequestJson.read(json));
    }

    @Override
    public synchronized List<RetrainingRequest> list(String policy, String model,
            Set<RetrainingRequest.Status> statuses) {
        List<RetrainingRequest> out = new ArrayList<>();
        for (String json : requests.values()) {
            RetrainingRequest r = RetrainingRequestJson.read(json);
            if (r.policy().equals(policy) && r.model().equals(model)
                    && (statuses.isEmpty() || statuses.contains(r.status()))) {
                out.add(r);
            }
        }
        return out;
    }
}
