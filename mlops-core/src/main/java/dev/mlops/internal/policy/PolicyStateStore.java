package dev.mlops.internal.policy;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.policy.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps, per policy name and model, the versioned {@link PolicyState} and the log of decisions. Saving is a
 * compare-and-set of the state together with an append of decisions, in one atomic step, so a crash never keeps a
 * state without its decision or the reverse. Implementations are thread-safe.
 */
public interface PolicyStateStore {
    /** A policy's name and a model. */
    record Key(String policy, String model) {
        public Key {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(model, "model");
        }
    }

    /** A stored state and its version (1 after the first save, then 2, 3, ...). */
    record Versioned(long version, PolicyState state) {
        public Versioned {
            Objects.requireNonNull(state, "state");
        }
    }

    /** The stored state, empty before the first save. */
    Optional<Versioned> load(Key key);

    /**
     * Stores {@code state} as version {@code expectedVersion + 1} and appends {@code decisions}, both or neither,
     * if the stored version is {@code expectedVersion} (0: nothing stored yet).
     *
     * @return false, changing nothing, when another writer saved first
     * @throws dev.mlops.StorageException when the store fails; nothing was saved
     */
    boolean save(Key key, long expectedVersion, PolicyState state, List<Decision> decisions);

    /** The latest decision for the window that is not {@link Decision.Status#FAILED}, if any. */
    Optional<Decision> decision(Key key, String windowId);

    /**
     * One page of the decisions for the key, in the order appended.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code pageToken}) for a token this listing did not give
     */
    Page<Decision> decisions(Key key, PageRequest page);

    /** Every decision for the key, in the order appended (every page). */
    default List<Decision> decisions(Key key) {
        List<Decision> all = new ArrayList<>();
        PageRequest page = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
        while (true) {
            Page<Decision> p = decisions(key, page);
            all.addAll(p.items());
            if (p.next().isEmpty()) {
                return List.copyOf(all);
            }
            page = page.next(p);
        }
    }
}
