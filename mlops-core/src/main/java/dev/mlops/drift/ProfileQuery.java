package dev.mlops.drift;

import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.Objects;

/**
 * Which stored profiles or drift reports of one subject to list: those whose key starts with {@code keyPrefix}
 * (when given) and whose window start lies in [{@code from}, {@code to}) (when a bound is given; entries without a
 * window start then never match). Listings are ordered by window start, entries without one first, then by id (ids
 * the library makes are time-ordered, so this is the order they were saved in, to the millisecond). Instants are
 * truncated to the millisecond, as stored. Immutable.
 *
 * @param subject   the subject, required
 * @param keyPrefix a prefix of the key, or null for any key
 * @param from      the earliest window start (inclusive), or null
 * @param to        the window start to stop before (exclusive), or null
 */
public record ProfileQuery(String subject, String keyPrefix, Instant from, Instant to) {
    public ProfileQuery {
        Objects.requireNonNull(subject, "subject");
        from = from == null ? null : AuditChain.truncate(from);
        to = to == null ? null : AuditChain.truncate(to);
    }

    /** Everything stored under {@code subject}. */
    public static ProfileQuery of(String subject) {
        return new ProfileQuery(subject, null, null, null);
    }

    /** This query restricted to keys starting with {@code prefix}. */
    public ProfileQuery withKeyPrefix(String prefix) {
        return new ProfileQuery(subject, prefix, from, to);
    }

    /** This query restricted to window starts in [{@code from}, {@code to}); null leaves a side open. */
    public ProfileQuery between(Instant from, Instant to) {
        return new ProfileQuery(subject, keyPrefix, from, to);
    }

    /** Whether an entry with these fields matches. */
    public boolean matches(String subject, String key, Instant windowStart) {
        if (!this.subject.equals(subject)) {
            return false;
        }
        if (keyPrefix != null && !key.startsWith(keyPrefix)) {
            return false;
        }
        if (from == null && to == null) {
            return true;
        }
        if (windowStart == null) {
            return false;
        }
        return (from == null || !windowStart.isBefore(from)) && (to == null || windowStart.isBefore(to));
    }
}
