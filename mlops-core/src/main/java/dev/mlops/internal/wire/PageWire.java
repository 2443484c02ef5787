package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.util.function.Function;

/**
 * Pages and page requests. A page: {@code {"items": [...], "next_page_token": "..."}} with the token omitted on the
 * last page. A page request: {@code {"page_size": 100, "page_token": "..."}} with the token omitted for the first
 * page. Stateless and thread-safe.
 */
public final class PageWire {
    private PageWire() {
    }

    /** A page, its items written with {@code item}. */
    public static <T> ObjectNode write(Page<T> page, Function<? super T, ? extends JsonNode> item) {
        ObjectNode node = Wire.object();
        node.set("items", Wire.arrayOf(page.items(), item));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    /** A page, its items read with {@code item}; {@code items} is required. */
    public static <T> Page<T> read(JsonNode node, String path, Wire.Reader<T> item) {
        Wire.Fields f = Wire.fields(node, path, "items", "next_page_token");
        return new Page<>(f.requiredList("items", item), f.optString("next_page_token"));
    }

    public static ObjectNode write(PageRequest request) {
        ObjectNode node = Wire.object();
        node.put("page_size", request.pageSize());
        if (request.pageToken() != null) {
            node.put("page_token", request.pageToken());
        }
        return node;
    }

    /** A page request; {@code page_size} is required, 1 to {@link PageRequest#MAX_PAGE_SIZE}. */
    public static PageRequest readRequest(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "page_size", "page_token");
        int size = f.intValue("page_size", 1, PageRequest.MAX_PAGE_SIZE);
        String token = f.optString("page_token");
        return Wire.build(path, () -> new PageRequest(size, token));
    }
}
