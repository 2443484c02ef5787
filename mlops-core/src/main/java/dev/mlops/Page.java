package dev.mlops;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing. {@link #nextPageToken()} is present when more items may follow; pass it to the same query
 * to continue. Tokens are opaque and belong to the query that produced them.
 *
 * <p>Listings are keyset-paginated: every item that existed when the first page was read, and still exists, is
 * returned exactly once across the pages, whatever is inserted meanwhile.
 *
 * @param items         the items of this page, never null, immutable
 * @param nextPageToken the token of the next page, or null on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** The token of the next page, empty on the last page. */
    public Optional<String> next() {
        return Optional.ofNullable(nextPageToken);
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, null);
    }
}
