package dev.mlops.store.memory;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.drift.ProfileQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Stored profiles or drift reports of the {@link InMemoryStore}: unique by id and by (subject, key), listed per
 * subject by (window start, entries without one first; id). Not thread-safe: the store calls it under its lock.
 *
 * @param <E> the entry type
 */
final class EntryTable<E> {
    private static final Comparator<Position> ORDER = Comparator.comparingLong(Position::time)
            .thenComparing(Position::id);

    private final String what;
    private final String tokenKind;
    private final Function<E, Fields> fields;
    private final BiPredicate<E, E> sameContent;
    private final Map<String, E> byId = new HashMap<>();
    private final Map<List<String>, E> byKey = new HashMap<>();
    private final Map<String, NavigableMap<Position, E>> bySubject = new HashMap<>();

    /** The fields of an entry the table indexes, and its digest for messages. */
    record Fields(String id, String subject, String key, Instant windowStart, String digest) {
    }

    /** A keyset position: window start in milliseconds ({@link Long#MIN_VALUE} for none) and id. */
    record Position(long time, String id) {
    }

    EntryTable(String what, String tokenKind, Function<E, Fields> fields, BiPredicate<E, E> sameContent) {
        this.what = what;
        this.tokenKind = tokenKind;
        this.fields = fields;
        this.sameContent = sameContent;
    }

    /**
     * Checks that {@code entry} can be saved: returns the stored entry of the same content, or empty when it is new.
     *
     * @throws ConflictException      when (subject, key) holds other content
     * @throws AlreadyExistsException when the id is taken under another (subject, key)
     */
    Optional<E> existing(E entry) {
        Fields f = fields.apply(entry);
        E stored = byKey.get(List.of(f.subject(), f.key()));
        if (stored != null) {
            if (sameContent.test(stored, entry)) {
                return Optional.of(stored);
            }
            throw new ConflictException(what + " '" + f.key() + "' of " + f.subject() + " is stored with other content"
                    + " (stored " + fields.apply(stored).digest() + ", new " + f.digest() + ", or another window or"
                    + " link); stored entries are never replaced");
        }
        if (byId.containsKey(f.id())) {
            throw new AlreadyExistsException(what + " id " + f.id() + " is taken by another " + what);
        }
        return Optional.empty();
    }

    /** Adds an entry that {@link #existing} found new. */
    void add(E entry) {
        Fields f = fields.apply(entry);
        byId.put(f.id(), entry);
        byKey.put(List.of(f.subject(), f.key()), entry);
        bySubject.computeIfAbsent(f.subject(), s -> new TreeMap<>(ORDER)).put(position(f), entry);
    }

    /** Saves {@code entry} as {@link #existing} and {@link #add} do; {@code onCreate} runs before it is added. */
    Created<E> save(E entry, Runnable onCreate) {
        Optional<E> stored = existing(entry);
        if (stored.isPresent()) {
            return new Created<>(stored.get(), false);
        }
        onCreate.run();
        add(entry);
        return new Created<>(entry, true);
    }

    boolean containsId(String id) {
        return byId.containsKey(id);
    }

    Optional<E> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    Optional<E> find(String subject, String key) {
        return Optional.ofNullable(byKey.get(List.of(subject, key)));
    }

    /** The page of entries matching {@code query} after {@code after} (null: from the start). */
    Page<E> search(ProfileQuery query, PageRequest page, Position after) {
        NavigableMap<Position, E> all = bySubject.getOrDefault(query.subject(), new TreeMap<>(ORDER));
        NavigableMap<Position, E> rest = after == null ? all : all.tailMap(after, false);
        List<E> items = new ArrayList<>();
        Position last = null;
        for (Map.Entry<Position, E> e : rest.entrySet()) {
            Fields f = fields.apply(e.getValue());
            if (!query.matches(f.subject(), f.key(), f.windowStart())) {
                continue;
            }
            if (items.size() == page.pageSize()) {
                return new Page<>(items, InMemoryStore.Tokens.encodeEntry(tokenKind, last));
            }
            items.add(e.getValue());
            last = e.getKey();
        }
        return Page.last(items);
    }

    String tokenKind() {
        return tokenKind;
    }

    private static Position position(Fields f) {
        return new Position(f.windowStart() == null ? Long.MIN_VALUE : f.windowStart().toEpochMilli(), f.id());
    }
}
