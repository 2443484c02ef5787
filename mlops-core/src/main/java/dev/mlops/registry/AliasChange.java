package dev.mlops.registry;

import java.util.Objects;

/**
 * What an alias change did.
 *
 * @param modelName the model
 * @param alias     the alias
 * @param previous  the version it pointed at before, or null when it did not exist
 * @param current   the version it points at now, or null when it was deleted
 */
public record AliasChange(String modelName, String alias, Integer previous, Integer current) {
    public AliasChange {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(alias, "alias");
    }
}
