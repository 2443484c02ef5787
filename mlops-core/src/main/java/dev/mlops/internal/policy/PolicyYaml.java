package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.RetrainingPolicy;

/**
 * The YAML form of a policy: the same tree as {@link PolicyJson}, read and written with jackson-dataformat-yaml, an
 * optional dependency. Strings are always quoted on writing, so times such as {@code "06:00"} and durations never
 * read back as numbers. Stateless and thread-safe.
 */
public final class PolicyYaml {
    private static final String YAML_FACTORY = "com.fasterxml.jackson.dataformat.yaml.YAMLFactory";

    private PolicyYaml() {
    }

    /** Whether jackson-dataformat-yaml is on the classpath. */
    public static boolean available() {
        try {
            Class.forName(YAML_FACTORY, false, PolicyYaml.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static void requireAvailable() {
        if (!available()) {
            throw new InvalidArgumentException("yaml", "YAML policies need com.fasterxml.jackson.dataformat:"
                    + "jackson-dataformat-yaml on the classpath; add it, or use JSON");
        }
    }

    /** The policy as YAML text. */
    public static String write(RetrainingPolicy policy) {
        requireAvailable();
        return Holder.write(PolicyJson.tree(policy));
    }

    /** Reads a policy from YAML text. */
    public static RetrainingPolicy read(String yaml) {
        if (yaml == null) {
            throw new InvalidArgumentException("yaml", "yaml is required");
        }
        requireAvailable();
        return PolicyJson.fromTree(Holder.read(yaml));
    }

    /** Loaded only when YAML is used, so that the YAML classes are needed only then. */
    private static final class Holder {
        private static final com.fasterxml.jackson.dataformat.yaml.YAMLMapper MAPPER =
                com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder()
                        .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();

        static String write(JsonNode tree) {
            try {
                return MAPPER.writeValueAsString(tree);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a policy tree always writes", e);
            }
        }

        static JsonNode read(String yaml) {
            try {
                JsonNode node = MAPPER.readTree(yaml);
                if (node == null || node.isMissingNode()) {
                    throw new InvalidArgumentException("yaml", "the YAML document is empty");
                }
                return node;
            } catch (JsonProcessingException e) {
                throw new InvalidArgumentException("yaml", "malformed policy YAML at line "
                        + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
                        + e.getOriginalMessage());
            }
        }
    }
}
