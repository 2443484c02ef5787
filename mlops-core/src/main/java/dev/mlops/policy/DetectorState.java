package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.detect.StateJson;

/**
 * The exact state of a {@link ChangeDetector} (its parameters, statistics, counters and last signal), as an
 * immutable value that can be stored and later turned back into a detector that continues exactly where the original
 * was: the same later values give the same signals, bit for bit.
 *
 * <p>Obtain one with {@link ChangeDetector#snapshot()}; store it as JSON ({@link #toJson()}, read back with
 * {@link #fromJson(String)}) or keep the record; {@link #restore()} makes a new, independent detector. The JSON is a
 * flat object with {@code "detector"} (the detector's {@link ChangeDetector#name()}), {@code "format"} ({@value
 * #FORMAT}) and one member per record component; numbers are written so that they read back as the same doubles.
 *
 * <p>The four published detectors' states are {@link Adwin.State}, {@link Ddm.State}, {@link Eddm.State} and
 * {@link PageHinkley.State}, and {@link #fromJson(String)} reads those. A detector of your own (registered through
 * {@link DetectorFactory#of}) implements this interface for its state in the same spirit: immutable, exact.
 */
public interface DetectorState {
    /** The version of the JSON layout written by {@link #toJson()}. */
    int FORMAT = 1;

    /** The detector's short name, as {@link ChangeDetector#name()}: {@code adwin}, {@code ddm}, {@code eddm}, ... */
    String detector();

    /** A new detector in exactly this state. */
    ChangeDetector restore();

    /** The state as one line of canonical JSON (RFC 8785); the same state always gives the same text. */
    String toJson();

    /**
     * Reads a state of one of the four published detectors written by {@link #toJson()}.
     *
     * @throws InvalidArgumentException (field {@code state} or {@code state.<member>}) when the text is not such a
     *     JSON object, names an unknown detector or format, lacks a member or holds an inconsistent state
     */
    static DetectorState fromJson(String json) {
        StateJson.Fields f = StateJson.open(json);
        String detector = f.detector();
        try {
            return switch (detector) {
                case Adwin.NAME -> Adwin.State.read(f);
                case Ddm.NAME -> Ddm.State.read(f);
                case Eddm.NAME -> Eddm.State.read(f);
                case PageHinkley.NAME -> PageHinkley.State.read(f);
                default -> throw new InvalidArgumentException("state.detector", "unknown detector '" + detector
                        + "', expected one of adwin, ddm, eddm, page_hinkley");
            };
        } catch (InvalidArgumentException e) {
            throw StateJson.inState(e);
        }
    }
}
