package dev.mlops.lineage;

import dev.mlops.InvalidArgumentException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node of the lineage graph, identified by a string id of the form {@code KIND:KEY}:
 * {@code dataset:NAME@sha256:HEX}, {@code run:RUN_ID}, {@code model:NAME/VERSION}, {@code artifact:NAME@sha256:HEX}.
 * Two refs are equal when their ids are equal.
 *
 * @param kind the node kind
 * @param key  the part after {@code KIND:}
 */
public record NodeRef(NodeKind kind, String key) implements Comparable<NodeRef> {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public NodeRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new InvalidArgumentException("node", "a " + kind.prefix() + " node needs a key after '" + kind.prefix() + ":'");
        }
        if (kind == NodeKind.DATASET || kind == NodeKind.ARTIFACT) {
            int at = key.lastIndexOf('@');
            if (at <= 0 || !DIGEST.matcher(key.substring(at + 1)).matches()) {
                throw new InvalidArgumentException("node", "a " + kind.prefix()
                        + " node must look like " + kind.prefix() + ":NAME@sha256:<64 lower-case hex>, was '"
                        + kind.prefix() + ":" + key + "'");
            }
        }
        if (kind == NodeKind.MODEL) {
            int slash = key.lastIndexOf('/');
            if (slash <= 0 || !key.substring(slash + 1).matches("[1-9][0-9]{0,9}")) {
                throw new InvalidArgumentException("node",
                        "a model node must look like model:NAME/VERSION with VERSION >= 1, was 'model:" + key + "'");
            }
        }
    }

    /** The node of dataset version {@code name} with digest {@code version} ({@code sha256:HEX}). */
    public static NodeRef dataset(String name, String version) {
        return new NodeRef(NodeKind.DATASET, name + "@" + version);
    }

    public static NodeRef run(String runId) {
        return new NodeRef(NodeKind.RUN, runId);
    }

    public static NodeRef model(String name, int version) {
        return new NodeRef(NodeKind.MODEL, name + "/" + version);
    }

    /** The node of an artifact called {@code name} with digest {@code digest} ({@code sha256:HEX}). */
    public static NodeRef artifact(String name, String digest) {
        return new NodeRef(NodeKind.ARTIFACT, name + "@" + digest);
    }

    /**
     * Parses an id such as {@code dataset:train@sha256:...}.
     *
     * @throws InvalidArgumentException naming the id when it does not have one of the documented forms
     */
    public static NodeRef parse(String id) {
        Objects.requireNonNull(id, "id");
        int colon = id.indexOf(':');
        if (colon <= 0) {
            throw new InvalidArgumentException("node", "a node id must be KIND:KEY with KIND one of dataset, run, model,"
                    + " artifact; was '" + id + "'");
        }
        String prefix = id.substring(0, colon);
        NodeKind kind;
        try {
            kind = NodeKind.valueOf(prefix.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("node", "unknown node kind '" + prefix
                    + "' in '" + id + "'; expected dataset, run, model or artifact");
        }
        return new NodeRef(kind, id.substring(colon + 1));
    }

    /** The id, {@code KIND:KEY}. */
    public String id() {
        return kind.prefix() + ":" + key;
    }

    /** The name part of a dataset, artifact or model node; the run id for a run. */
    public String name() {
        return switch (kind) {
            case DATASET, ARTIFACT -> key.substring(0, key.lastIndexOf('@'));
            case MODEL -> key.substring(0, key.lastIndexOf('/'));
            case RUN -> key;
        };
    }

    /** The version part: the digest of a dataset or artifact, the number of a model version, the id of a run. */
    public String version() {
        return switch (kind) {
            case DATASET, ARTIFACT -> key.substring(key.lastIndexOf('@') + 1);
            case MODEL -> key.substring(key.lastIndexOf('/') + 1);
            case RUN -> key;
        };
    }

    @Override
    public int compareTo(NodeRef other) {
        return id().compareTo(other.id());
    }

    @Override
    public String toString() {
        return id();
    }
}
