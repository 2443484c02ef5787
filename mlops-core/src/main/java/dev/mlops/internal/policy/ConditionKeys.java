package dev.mlops.internal.policy;

import dev.mlops.internal.data.Digests;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.Condition;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Keys of the per-condition state a {@link PolicyState} keeps (metric and detector histories, pending triggers): the
 * condition's type, a colon and the SHA-256 (hex) of the canonical JSON of its definition as a policy file holds it
 * ({@link PolicyJson}), so the key follows the condition when conditions are reordered and changes when it is edited
 * (another threshold, detector parameter, window count...), whatever its path. Two identical conditions share a key
 * and, since they measure the same thing, the same state. Stateless and thread-safe.
 */
final class ConditionKeys {
    private ConditionKeys() {
    }

    /** The condition's key, for example {@code decay:3f0c...} (64 hex digits). */
    static String key(Condition c) {
        String canonical = CanonicalJson.canonicalize(PolicyJson.condition(c));
        byte[] digest = Digests.sha256().digest(canonical.getBytes(StandardCharsets.UTF_8));
        return c.type() + ":" + HexFormat.of().formatHex(digest);
    }

    /** Whether {@code key} belongs to a condition of {@code type}. */
    static boolean isOfType(String key, String type) {
        return key.startsWith(type + ":");
    }
}
