package dev.mlops.store.jdbc;

import dev.mlops.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Opaque page tokens: the URL-safe base64 of the keyset position of the last item of a page, prefixed with the
 * kind of listing, so that a token from another listing is refused instead of misread. For example
 * {@code runs|1767225600000|0190...} for a run search. Stateless.
 */
final class PageToken {
    private static final char SEPARATOR = '|';

    private PageToken() {
    }

    /** The token for position {@code parts} of listing {@code kind}; only the last part may contain '|'. */
    static String encode(String kind, Object... parts) {
        StringBuilder text = new StringBuilder(kind);
        for (int i = 0; i < parts.length; i++) {
            String s = String.valueOf(parts[i]);
            if (i < parts.length - 1 && s.indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("a page token part must not contain '|'");
            }
            text.append(SEPARATOR).append(s);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The parts of a token of listing {@code kind}.
     *
     * @throws InvalidArgumentException (field {@code pageToken}) when it is not such a token
     */
    static Position decode(String kind, String token, int parts) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed(token);
        }
        List<String> fields = List.of(text.split("\\|", parts + 1));
        if (fields.size() != parts + 1 || !fields.get(0).equals(kind)) {
            throw malformed(token);
        }
        return new Position(token, fields.subList(1, fields.size()));
    }

    static InvalidArgumentException malformed(String token) {
        String shown = token.length() > 60 ? token.substring(0, 60) + "..." : token;
        return new InvalidArgumentException("pageToken", "pageToken '" + shown + "' is not a token of this"
                + " listing; pass the nextPageToken of the previous page of the same query, or none for the first"
                + " page");
    }

    /** The decoded parts of a token. */
    record Position(String token, List<String> parts) {
        String text(int i) {
            return parts.get(i);
        }

        long number(int i) {
            try {
                return Long.parseLong(parts.get(i));
            } catch (NumberFormatException e) {
                throw malformed(token);
            }
        }
    }
}
