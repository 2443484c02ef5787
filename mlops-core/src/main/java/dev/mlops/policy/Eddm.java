package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.detect.Check;
import dev.mlops.internal.policy.detect.StateJson;
import java.util.Map;

/**
 * EDDM, the Early Drift Detection Method of Baena-García, del Campo-Ávila, Fidalgo, Bifet, Gavaldà and Morales-Bueno,
 * "Early Drift Detection Method", 4th International Workshop on Knowledge Discovery from Data Streams (ECML PKDD
 * 2006), pp. 77-86.
 *
 * <p>Input: one value per prediction, 1 for an error and 0 for a correct prediction (anything else is rejected).
 * Instead of the error rate, EDDM follows the distance between consecutive errors (in values; the first error's
 * distance is counted from the start or the last change): their running mean {@code p'} and standard deviation
 * {@code s'} (sample standard deviation, divisor {@code k - 1} for {@code k} distances, 0 for one). At each error,
 * once more than {@link #DEFAULT_MIN_ERRORS} values have been seen, {@code p' + 2 s'} is compared with its maximum so
 * far: a larger value becomes the new maximum; otherwise, once more than {@link #DEFAULT_MIN_ERRORS} errors have been
 * seen, the ratio {@code (p' + 2 s') / max} gives
 * <ul>
 *   <li>{@link Signal#CHANGE} when it is below {@code beta} (0.90); the detector then starts afresh;
 *   <li>{@link Signal#WARNING} when it is below {@code alpha} (0.95), and {@link Signal#NONE} otherwise.
 * </ul>
 * The statistics change only at errors, so between errors the detector keeps the last error's warning level: a
 * correct prediction returns {@link Signal#WARNING} while the detector is in the warning zone (and never
 * {@link Signal#CHANGE}). These details (warm-up counted in values for the maximum and in errors for the signals, the
 * sample standard deviation, the first distance from the start) follow River 0.26.1's {@code drift.binary.EDDM}, whose
 * detections and warnings this reproduces exactly (tested); the paper does not fix them. EDDM reacts to small changes
 * in the error spacing and so signals more often than DDM on a stationary stream (see docs/policies.md).
 *
 * <p>Cost: O(1) time and memory per value, no allocation. Not thread-safe; see {@link ChangeDetector}.
 */
public final class Eddm implements ChangeDetector {
    /** {@value}, the name policies use. */
    public static final String NAME = "eddm";
    /** Warning threshold on {@code (p' + 2 s') / max}: {@value} (Baena-García et al. 2006, section 3). */
    public static final double DEFAULT_ALPHA = 0.95;
    /** Change threshold on {@code (p' + 2 s') / max}: {@value} (Baena-García et al. 2006, section 3). */
    public static final double DEFAULT_BETA = 0.90;
    /**
     * Errors (and values) seen before the detector signals: {@value} (Baena-García et al. 2006: "after a minimum of 30
     * errors").
     */
    public static final int DEFAULT_MIN_ERRORS = 30;

    private final double alpha;
    private final double beta;
    private final int minErrors;

    private long count;
    private long changes;
    private Signal signal = Signal.NONE;
    private long n;
    private long lastError;
    private long errors;
    private double meanDistance;
    private double sumSquares;
    private double maxLevel = -1;
    private boolean warning;

    private Eddm(double alpha, double beta, int minErrors) {
        this.alpha = Check.openClosed("alpha", alpha, 0, 1);
        this.beta = Check.openClosed("beta", beta, 0, 1);
        if (beta > alpha) {
            throw new InvalidArgumentException("beta", "beta must be <= alpha (" + alpha + "), was " + beta);
        }
        this.minErrors = (int) Check.range("minErrors", minErrors, 0, Integer.MAX_VALUE);
    }

    /** An EDDM with the published defaults (alpha 0.95, beta 0.90, 30 errors). */
    public static Eddm withDefaults() {
        return builder().build();
    }

    /** A builder starting from the published defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Signal add(double value) {
        boolean error = Check.bit(NAME, value);
        count++;
        n++;
        boolean change = false;
        if (error) {
            errors++;
            double distance = n - lastError;
            double previousMean = meanDistance;
            meanDistance += (1.0 / errors) * (distance - meanDistance);
            sumSquares += (distance - previousMean) * (distance - meanDistance);
            if (n > minErrors) {
                double sd = errors > 1 ? Math.sqrt(sumSquares / (errors - 1)) : 0.0;
                double level = meanDistance + 2 * sd;
                if (level > maxLevel) {
                    maxLevel = level;
                } else if (errors > minErrors) {
                    double ratio = level / maxLevel;
                    if (ratio < beta) {
                        change = true;
                    } else {
                        warning = ratio < alpha;
                    }
                }
            }
            lastError = n;
        }
        Signal result;
        if (change) {
            changes++;
            restart();
            result = Signal.CHANGE;
        } else {
            result = warning ? Signal.WARNING : Signal.NONE;
        }
        signal = result;
        return result;
    }

    private void restart() {
        n = 0;
        lastError = 0;
        errors = 0;
        meanDistance = 0;
        sumSquares = 0;
        maxLevel = -1;
        warning = false;
    }

    @Override
    public Signal signal() {
        return signal;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long changes() {
        return changes;
    }

    @Override
    public void reset() {
        count = 0;
        changes = 0;
        signal = Signal.NONE;
        restart();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The mean distance between errors since the last change (0 before the first error). */
    public double meanDistance() {
        return meanDistance;
    }

    @Override
    public State snapshot() {
        return new State(alpha, beta, minErrors, count, changes, signal, n, lastError, errors, meanDistance,
                sumSquares, maxLevel, warning);
    }

    @Override
    public String toString() {
        return "Eddm[alpha=" + alpha + ", beta=" + beta + ", minErrors=" + minErrors + ", count=" + count
                + ", changes=" + changes + "]";
    }

    /** Builds an {@link Eddm}; the arguments are checked at {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private double alpha = DEFAULT_ALPHA;
        private double beta = DEFAULT_BETA;
        private int minErrors = DEFAULT_MIN_ERRORS;

        private Builder() {
        }

        /** Warning threshold, in (0, 1]. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Change threshold, in (0, alpha]. */
        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        /** Errors (and values) seen before signalling; {@code >= 0}. */
        public Builder minErrors(int minErrors) {
            this.minErrors = minErrors;
            return this;
        }

        /** @throws InvalidArgumentException naming {@code alpha}, {@code beta} or {@code minErrors} */
        public Eddm build() {
            return new Eddm(alpha, beta, minErrors);
        }
    }

    /**
     * The exact state of an {@link Eddm}: its parameters, the counters of {@link ChangeDetector}, the last signal,
     * and since the last change: {@code n} values, the position {@code lastError} of the last error, {@code errors}
     * errors, the running mean distance and sum of squared deviations (Welford), the maximum of {@code p' + 2 s'}
     * ({@code -1} before the first), and whether the last error left the detector in the warning zone.
     */
    public record State(double alpha, double beta, int minErrors, long count, long changes, Signal signal, long n,
                        long lastError, long errors, double meanDistance, double sumSquares, double maxLevel,
                        boolean warning) implements DetectorState {
        /** @throws InvalidArgumentException naming the first inconsistent component */
        public State {
            new Eddm(alpha, beta, minErrors);
            Check.range("count", count, 0, Long.MAX_VALUE);
            Check.range("changes", changes, 0, count);
            Check.signal("signal", signal);
            Check.range("n", n, 0, count);
            Check.range("lastError", lastError, 0, n);
            Check.range("errors", errors, 0, n);
            Check.atLeast("meanDistance", meanDistance, 0);
            Check.atLeast("sumSquares", sumSquares, 0);
            Check.atLeast("maxLevel", maxLevel, -1);
        }

        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public Eddm restore() {
            Eddm d = new Eddm(alpha, beta, minErrors);
            d.count = count;
            d.changes = changes;
            d.signal = signal;
            d.n = n;
            d.lastError = lastError;
            d.errors = errors;
            d.meanDistance = meanDistance;
            d.sumSquares = sumSquares;
            d.maxLevel = maxLevel;
            d.warning = warning;
            return d;
        }

        @Override
        public String toJson() {
            Map<String, Object> m = StateJson.start(NAME);
            m.put("alpha", alpha);
            m.put("beta", beta);
            m.put("minErrors", minErrors);
            m.put("count", count);
            m.put("changes", changes);
            m.put("signal", signal.name());
            m.put("n", n);
            m.put("lastError", lastError);
            m.put("errors", errors);
            m.put("meanDistance", meanDistance);
            m.put("sumSquares", sumSquares);
            m.put("maxLevel", maxLevel);
            m.put("warning", warning);
            return StateJson.write(m);
        }

        static State read(StateJson.Fields f) {
            return new State(f.number("alpha"), f.number("beta"), (int) f.integer("minErrors", 0, Integer.MAX_VALUE),
                    f.integer("count", 0, Long.MAX_VALUE), f.integer("changes", 0, Long.MAX_VALUE),
                    f.signal("signal"), f.integer("n", 0, Long.MAX_VALUE), f.integer("lastError", 0, Long.MAX_VALUE),
                    f.integer("errors", 0, Long.MAX_VALUE), f.number("meanDistance"), f.number("sumSquares"),
                    f.number("maxLevel"), f.bool("warning"));
        }
    }
}
