package dev.mlops.cli.commands;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads every page of a listing. */
final class Pages {
    private static final int PAGE_SIZE = 1000;

    private Pages() {
    }

    /** Every item of the listing {@code fetch} serves, page after page, in its order. */
    static <T> List<T> all(Function<PageRequest, Page<T>> fetch) {
        List<T> items = new ArrayList<>();
        PageRequest request = PageRequest.first(PAGE_SIZE);
        while (true) {
            Page<T> page = fetch.apply(request);
            items.addAll(page.items());
            if (page.nextPageToken() == null) {
                return items;
            }
            request = request.next(page);
        }
    }
}
