package dev.mlops.registry;

import dev.mlops.InvalidArgumentException;
import java.util.regex.Pattern;

/**
 * A reference to a model version: by number, {@code NAME/VERSION}, or by alias, {@code NAME@ALIAS}; either may be
 * prefixed with {@code model:} (the lineage node form). Parsing checks the form only; whether the model, version or
 * alias exists is the registry's business.
 *
 * @param modelName the model
 * @param version   the version number, or 0 when the reference is by alias
 * @param alias     the alias, or null when the reference is by number
 */
public record ModelRef(String modelName, int version, String alias) {
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

    public ModelRef {
        if (modelName == null) {
            throw new InvalidArgumentException("model", "a model reference needs a model name");
        }
        if (alias == null && version < 1) {
            throw new InvalidArgumentException("version", "a model reference needs a version number from 1 or an"
                    + " alias; version was " + version);
        }
        if (alias != null && version != 0) {
            throw new InvalidArgumentException("version", "a model reference has a version number or an alias, not"
                    + " both (version " + version + ", alias " + alias + ")");
        }
    }

    public static ModelRef of(String modelName, int version) {
        return new ModelRef(modelName, version, null);
    }

    public static ModelRef of(String modelName, String alias) {
        if (alias == null) {
            throw new InvalidArgumentException("alias", "a model reference by alias needs an alias");
        }
        return new ModelRef(modelName, 0, alias);
    }

    /**
     * Parses {@code [model:]NAME/VERSION} or {@code [model:]NAME@ALIAS}. The last {@code /} or the {@code @}
     * separates the name.
     *
     * @throws InvalidArgumentException (field {@code model}) naming the text when it has neither form
     */
    public static ModelRef parse(String text) {
        if (text == null) {
            throw new InvalidArgumentException("model", "model reference must not be null");
        }
        String s = text.startsWith("model:") ? text.substring("model:".length()) : text;
        int at = s.indexOf('@');
        if (at > 0 && at < s.length() - 1) {
            return of(s.substring(0, at), s.substring(at + 1));
        }
        int slash = s.lastIndexOf('/');
        if (at < 0 && slash > 0 && NUMBER.matcher(s.substring(slash + 1)).matches()) {
            long n = Long.parseLong(s.substring(slash + 1));
            if (n <= Integer.MAX_VALUE) {
                return of(s.substring(0, slash), (int) n);
            }
        }
        throw new InvalidArgumentException("model", "'" + text + "' is not a model reference: expected NAME/VERSION"
                + " (a version number from 1) or NAME@ALIAS, optionally prefixed with 'model:'");
    }

    /** Whether this reference names an alias (else a version number). */
    public boolean isAlias() {
        return alias != null;
    }

    /** {@code NAME/VERSION} or {@code NAME@ALIAS}. */
    @Override
    public String toString() {
        return alias == null ? modelName + "/" + version : modelName + "@" + alias;
    }
}
