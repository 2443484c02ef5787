package dev.mlops;

import java.util.Objects;

/**
 * The result of an idempotent create: the stored value, and whether this call created it ({@code false} when an
 * identical one existed already).
 */
public record Created<T>(T value, boolean created) {
    public Created {
        Objects.requireNonNull(value, "value");
    }
}
