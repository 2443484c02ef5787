package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.policy.Decision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PolicyStateStore} in memory. States are kept as their JSON ({@link PolicyStateJson}), as a persistent
 * store keeps them, so what is loaded is what was serialised. Thread-safe (one lock).
 */
public final class InMemoryPolicyStateStore implements PolicyStateStore {
    private record Stored(long version, String json) {
    }

    private final Map<Key, Stored> states = new HashMap<>();
    private final Map<Key, List<Decision>> logs = new HashMap<>();

    @Override
    public synchronized Optional<Versioned> load(Key key) {
        Stored s = states.get(key);
        return s == null ? Optional.empty() : Optional.of(new Versioned(s.version(), PolicyStateJson.read(s.json())));
    }

    @Override
    public synchronized boolean save(Key key, long expectedVersion, PolicyState state, List<Decision> decisions) {
        Stored current = states.get(key);
        long version = current == null ? 0 : current.version();
        if (version != expectedVersion) {
            return false;
        }
        String json = PolicyStateJson.write(state);
        states.put(key, new Stored(version + 1, json));
        logs.computeIfAbsent(key, k -> new ArrayList<>()).addAll(decisions);
        return true;
    }

    @Override
    public synchronized Optional<Decision> decision(Key key, String windowId) {
        List<Decision> log = logs.getOrDefault(key, List.of());
        for (int i = log.size() - 1; i >= 0; i--) {
            Decision d = log.get(i);
            if (d.windowId().equals(windowId) && d.status() != Decision.Status.FAILED) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Pages by position in the append-only log; the token is the position of the next decision. */
    @Override
    public synchronized Page<Decision> decisions(Key key, PageRequest page) {
        List<Decision> log = logs.getOrDefault(key, List.of());
        int from = 0;
        if (page.pageToken() != null) {
            try {
                from = Integer.parseInt(page.pageToken());
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 1 || from > log.size()) {
                throw new InvalidArgumentException("pageToken", "pageToken '" + page.pageToken()
                        + "' is not a token of this listing");
            }
        }
        int to = (int) Math.min(log.size(), (long) from + page.pageSize());
        return new Page<>(log.subList(from, to), to < log.size() ? Integer.toString(to) : null);
    }
}
