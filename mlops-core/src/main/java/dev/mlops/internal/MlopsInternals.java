package dev.mlops.internal;

import dev.mlops.Mlops;
import java.util.Objects;
import java.util.function.Function;

/**
 * Gives implementation code in other packages (for example {@code dev.mlops.policy}) the {@link Context} of an
 * {@link Mlops} instance, without making it part of the public API. {@code Mlops} installs the accessor when its
 * class is initialised, which has happened by the time anyone holds an instance. Thread-safe.
 */
public final class MlopsInternals {
    private static volatile Function<Mlops, Context> contexts;

    private MlopsInternals() {
    }

    /** Called once by {@code Mlops}; later calls are refused. */
    public static synchronized void install(Function<Mlops, Context> accessor) {
        if (contexts != null) {
            throw new IllegalStateException("the Mlops context accessor is installed already");
        }
        contexts = Objects.requireNonNull(accessor, "accessor");
    }

    /** The context of {@code mlops}: its stores, clock, principal, access and registry policies. */
    public static Context context(Mlops mlops) {
        Objects.requireNonNull(mlops, "mlops");
        return contexts.apply(mlops);
    }
}
