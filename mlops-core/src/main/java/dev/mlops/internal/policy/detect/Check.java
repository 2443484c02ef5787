package dev.mlops.internal.policy.detect;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.ChangeDetector;

/** Parameter and state checks shared by the detectors; each failure names the field. */
public final class Check {
    private Check() {
    }

    /** {@code lo < x < hi} (open interval), finite. */
    public static double open(String field, double x, double lo, double hi) {
        if (!(x > lo && x < hi)) {
            throw new InvalidArgumentException(field, field + " must be in (" + lo + ", " + hi + "), was " + x);
        }
        return x;
    }

    /** {@code lo < x <= hi}, finite. */
    public static double openClosed(String field, double x, double lo, double hi) {
        if (!(x > lo && x <= hi)) {
            throw new InvalidArgumentException(field, field + " must be in (" + lo + ", " + hi + "], was " + x);
        }
        return x;
    }

    /** {@code lo <= x <= hi}. */
    public static double closed(String field, double x, double lo, double hi) {
        if (!(x >= lo && x <= hi)) {
            throw new InvalidArgumentException(field, field + " must be in [" + lo + ", " + hi + "], was " + x);
        }
        return x;
    }

    /** A finite {@code x >= min}. */
    public static double atLeast(String field, double x, double min) {
        if (!(x >= min) || !Double.isFinite(x)) {
            throw new InvalidArgumentException(field, field + " must be finite and >= " + min + ", was " + x);
        }
        return x;
    }

    /** A finite {@code x > min}. */
    public static double above(String field, double x, double min) {
        if (!(x > min) || !Double.isFinite(x)) {
            throw new InvalidArgumentException(field, field + " must be finite and > " + min + ", was " + x);
        }
        return x;
    }

    /** A finite value. */
    public static double finite(String field, double x) {
        if (!Double.isFinite(x)) {
            throw new InvalidArgumentException(field, field + " must be finite, was " + x);
        }
        return x;
    }

    /** {@code min <= x <= max}. */
    public static long range(String field, long x, long min, long max) {
        if (x < min || x > max) {
            throw new InvalidArgumentException(field, field + " must be in [" + min + ", " + max + "], was " + x);
        }
        return x;
    }

    /** A non-null signal. */
    public static ChangeDetector.Signal signal(String field, ChangeDetector.Signal s) {
        if (s == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        return s;
    }

    /** A value that is exactly 0 or 1, for the binary detectors. */
    public static boolean bit(String detector, double value) {
        if (value == 1.0) {
            return true;
        }
        if (value == 0.0) {
            return false;
        }
        throw new InvalidArgumentException("value", detector + " takes 0 (correct) or 1 (error), was " + value);
    }
}
