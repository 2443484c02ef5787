package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.detect.Check;
import dev.mlops.internal.policy.detect.StateJson;
import java.util.Map;

/**
 * DDM, the Drift Detection Method of Gama, Medas, Castillo and Rodrigues, "Learning with Drift Detection", SBIA 2004,
 * LNCS 3171, pp. 286-295.
 *
 * <p>Input: one value per prediction, 1 for an error and 0 for a correct prediction (anything else is rejected). After
 * value {@code i} since the last change, the error rate is {@code p = errors / i} and its binomial standard deviation
 * {@code s = sqrt(p (1 - p) / i)}. Once more than {@link #DEFAULT_MIN_INSTANCES} values have been seen, the detector
 * records {@code p_min} and {@code s_min} at the value where {@code p + s} is smallest, and signals
 * <ul>
 *   <li>{@link Signal#WARNING} when {@code p + s > p_min + 2 s_min} (the paper's 95% level), and
 *   <li>{@link Signal#CHANGE} when {@code p + s > p_min + 3 s_min} (99%); it then starts afresh with the next value.
 * </ul>
 * The paper writes {@code >=}; like MOA and River this uses {@code >}, because with {@code >=} a stream that has had
 * no error yet ({@code p = s = p_min = s_min = 0}) would signal a change on every correct prediction. A known property
 * of DDM follows: while no error has been seen, {@code s_min} is 0, so the first error after the warm-up signals a
 * change; DDM suits error rates well above {@code 1 / minInstances}. Otherwise it is the paper's method, with the
 * same comparisons and the same warm-up as River 0.26.1's {@code drift.binary.DDM}, whose detections it reproduces
 * exactly (tested).
 *
 * <p>Cost: O(1) time and memory per value, no allocation. Not thread-safe; see {@link ChangeDetector}.
 */
public final class Ddm implements ChangeDetector {
    /** {@value}, the name policies use. */
    public static final String NAME = "ddm";
    /** Warning level, in standard deviations: {@value} (Gama et al. 2004, section 3: the 95% confidence level). */
    public static final double DEFAULT_WARNING_LEVEL = 2.0;
    /** Change level, in standard deviations: {@value} (Gama et al. 2004, section 3: the 99% confidence level). */
    public static final double DEFAULT_CHANGE_LEVEL = 3.0;
    /**
     * Values seen before the detector compares at all: {@value} (Gama et al. 2004: "only after 30 examples", so that
     * the binomial is close to a normal). The first comparison is made at value 31.
     */
    public static final int DEFAULT_MIN_INSTANCES = 30;

    private final double warningLevel;
    private final double changeLevel;
    private final int minInstances;

    private long count;
    private long changes;
    private Signal signal = Signal.NONE;
    private long n;
    private long errors;
    private double pMin;
    private double sMin;
    private double psMin = Double.MAX_VALUE;

    private Ddm(double warningLevel, double changeLevel, int minInstances) {
        this.warningLevel = Check.above("warningLevel", warningLevel, 0);
        this.changeLevel = Check.above("changeLevel", changeLevel, 0);
        if (!(changeLevel > warningLevel)) {
            throw new InvalidArgumentException("changeLevel", "changeLevel must be greater than warningLevel ("
                    + warningLevel + "), was " + changeLevel);
        }
        this.minInstances = (int) Check.range("minInstances", minInstances, 0, Integer.MAX_VALUE);
    }

    /** A DDM with the published defaults (2, 3 and 30). */
    public static Ddm withDefaults() {
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
        if (error) {
            errors++;
        }
        Signal result = Signal.NONE;
        if (n > minInstances) {
            double p = (double) errors / n;
            double s = Math.sqrt(p * (1 - p) / n);
            double ps = p + s;
            if (ps <= psMin) {
                pMin = p;
                sMin = s;
                psMin = ps;
            }
            if (ps > pMin + changeLevel * sMin) {
                result = Signal.CHANGE;
            } else if (ps > pMin + warningLevel * sMin) {
                result = Signal.WARNING;
            }
        }
        if (result == Signal.CHANGE) {
            changes++;
            restart();
        }
        signal = result;
        return result;
    }

    private void restart() {
        n = 0;
        errors = 0;
        pMin = 0;
        sMin = 0;
        psMin = Double.MAX_VALUE;
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

    /** The error rate {@code p} since the last change (0 before any value). */
    public double errorRate() {
        return n == 0 ? 0 : (double) errors / n;
    }

    @Override
    public State snapshot() {
        return new State(warningLevel, changeLevel, minInstances, count, changes, signal, n, errors, pMin, sMin,
                psMin);
    }

    @Override
    public String toString() {
        return "Ddm[warningLevel=" + warningLevel + ", changeLevel=" + changeLevel + ", minInstances=" + minInstances
                + ", count=" + count + ", changes=" + changes + "]";
    }

    /** Builds a {@link Ddm}; every setter checks its argument at {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private double warningLevel = DEFAULT_WARNING_LEVEL;
        private double changeLevel = DEFAULT_CHANGE_LEVEL;
        private int minInstances = DEFAULT_MIN_INSTANCES;

        private Builder() {
        }

        /** Standard deviations above the minimum for a warning; finite, {@code > 0}. */
        public Builder warningLevel(double warningLevel) {
            this.warningLevel = warningLevel;
            return this;
        }

        /** Standard deviations above the minimum for a change; finite, {@code > warningLevel}. */
        public Builder changeLevel(double changeLevel) {
            this.changeLevel = changeLevel;
            return this;
        }

        /** Values seen before the first comparison; {@code >= 0}. */
        public Builder minInstances(int minInstances) {
            this.minInstances = minInstances;
            return this;
        }

        /**
         * @throws InvalidArgumentException naming {@code warningLevel}, {@code changeLevel} or {@code minInstances}
         */
        public Ddm build() {
            return new Ddm(warningLevel, changeLevel, minInstances);
        }
    }

    /**
     * The exact state of a {@link Ddm}: its parameters, the counters of {@link ChangeDetector}, the last signal, and
     * the statistics since the last change ({@code n} values, {@code errors} of them errors, and the recorded
     * {@code pMin}, {@code sMin} and {@code psMin = pMin + sMin}, which is {@link Double#MAX_VALUE} before the first
     * comparison).
     */
    public record State(double warningLevel, double changeLevel, int minInstances, long count, long changes,
                        Signal signal, long n, long errors, double pMin, double sMin, double psMin)
            implements DetectorState {
        /** @throws InvalidArgumentException naming the first inconsistent component */
        public State {
            new Ddm(warningLevel, changeLevel, minInstances);
            Check.range("count", count, 0, Long.MAX_VALUE);
            Check.range("changes", changes, 0, count);
            Check.signal("signal", signal);
            Check.range("n", n, 0, count);
            Check.range("errors", errors, 0, n);
            Check.closed("pMin", pMin, 0, 1);
            Check.atLeast("sMin", sMin, 0);
            Check.atLeast("psMin", psMin, 0);
        }

        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public Ddm restore() {
            Ddm d = new Ddm(warningLevel, changeLevel, minInstances);
            d.count = count;
            d.changes = changes;
            d.signal = signal;
            d.n = n;
            d.errors = errors;
            d.pMin = pMin;
            d.sMin = sMin;
            d.psMin = psMin;
            return d;
        }

        @Override
        public String toJson() {
            Map<String, Object> m = StateJson.start(NAME);
            m.put("warningLevel", warningLevel);
            m.put("changeLevel", changeLevel);
            m.put("minInstances", minInstances);
            m.put("count", count);
            m.put("changes", changes);
            m.put("signal", signal.name());
            m.put("n", n);
            m.put("errors", errors);
            m.put("pMin", pMin);
            m.put("sMin", sMin);
            m.put("psMin", psMin);
            return StateJson.write(m);
        }

        /** Reads the members written by {@link #toJson()}; for {@link DetectorState#fromJson(String)}. */
        static State read(StateJson.Fields f) {
            return new State(f.number("warningLevel"), f.number("changeLevel"),
                    (int) f.integer("minInstances", 0, Integer.MAX_VALUE), f.integer("count", 0, Long.MAX_VALUE),
                    f.integer("changes", 0, Long.MAX_VALUE), f.signal("signal"), f.integer("n", 0, Long.MAX_VALUE),
                    f.integer("errors", 0, Long.MAX_VALUE), f.number("pMin"), f.number("sMin"), f.number("psMin"));
        }
    }
}
