package dev.mlops.policy;

/**
 * An online change detector over a stream of per-prediction outcomes (for example 1 for an error and 0 for a correct
 * prediction, or a loss), as used by performance-decay conditions: ADWIN, DDM, EDDM and Page-Hinkley.
 *
 * <p>Implementations are not thread-safe: feed one detector from one thread at a time (or guard it). They never
 * allocate per value on the common path and are deterministic: the same values in the same order give the same
 * signals.
 */
public interface ChangeDetector {
    /** What a detector concludes after a value. */
    enum Signal {
        /** No evidence of change. */
        NONE,
        /** Some evidence of change: a level at which a detector such as DDM starts collecting a new window. */
        WARNING,
        /** A change was detected; the detector has adapted (or been reset) to the new regime. */
        CHANGE
    }

    /**
     * Adds one observation and returns the detector's conclusion after it.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code value}) when the value is not finite or not in the
     *     domain the detector accepts (for example not 0 or 1 for DDM)
     */
    Signal add(double value);

    /** The conclusion after the last value ({@link Signal#NONE} before any). */
    Signal signal();

    /** The number of values added since creation or the last {@link #reset()}. */
    long count();

    /** The number of changes detected since creation or the last {@link #reset()}. */
    long changes();

    /** Forgets every value and change, as if new. */
    void reset();

    /**
     * The detector's exact state, to store and later {@linkplain DetectorState#restore() restore}: a restored detector
     * gives the same signals for the same later values as this one would.
     */
    DetectorState snapshot();

    /** The detector's short name, as policies spell it: {@code adwin}, {@code ddm}, {@code eddm}, {@code page_hinkley}. */
    String name();
}
