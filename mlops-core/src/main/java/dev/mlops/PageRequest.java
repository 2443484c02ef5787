package dev.mlops;

/**
 * Which page of a listing to read.
 *
 * @param pageSize  how many items at most, 1 to {@value #MAX_PAGE_SIZE}
 * @param pageToken the token from the previous page, or null for the first page
 */
public record PageRequest(int pageSize, String pageToken) {
    /** The largest page a store must serve. */
    public static final int MAX_PAGE_SIZE = 10_000;
    /** The page size used when none is given. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    public PageRequest {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidArgumentException("pageSize",
                    "pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (pageToken != null && pageToken.isEmpty()) {
            pageToken = null;
        }
    }

    public static PageRequest first(int pageSize) {
        return new PageRequest(pageSize, null);
    }

    public static PageRequest first() {
        return new PageRequest(DEFAULT_PAGE_SIZE, null);
    }

    /** The request for the page after {@code page}, with the same size. */
    public PageRequest next(Page<?> page) {
        return new PageRequest(pageSize, page.nextPageToken());
    }
}
