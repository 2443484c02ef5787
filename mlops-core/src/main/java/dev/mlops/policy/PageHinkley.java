package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.detect.Check;
import dev.mlops.internal.policy.detect.StateJson;
import java.util.Map;

/**
 * The Page-Hinkley test (E. S. Page, "Continuous Inspection Schemes", Biometrika 41(1/2), 1954, pp. 100-115; in the
 * cumulative form of D. V. Hinkley, "Inference about the change-point from cumulative sum tests", Biometrika 58(3),
 * 1971), one-sided: it detects an <em>increase</em> of the mean of the values, such as a rising error rate or loss.
 *
 * <p>Input: any finite value with {@code |x| <= 1e100} (an error indicator, a loss, a latency). After value {@code
 * x_t}, with {@code mean_t} the mean of the values since the last change (including {@code x_t}):
 * <pre>
 *   m_t = alpha * m_(t-1) + (x_t - mean_t - delta)      (m_0 = 0)
 *   M_t = min(M_(t-1), m_t)
 *   PH_t = m_t - M_t
 * </pre>
 * and, once at least {@code minInstances} values have been seen since the last change, {@link Signal#CHANGE} when
 * {@code PH_t > lambda}; the detector then starts afresh. It never signals {@link Signal#WARNING}. {@code delta} is
 * the magnitude of change that is tolerated, {@code lambda} the detection threshold, and {@code alpha} a forgetting
 * factor (1 is the original test; slightly less lets old deviations fade). These are the formulas and defaults of
 * MOA's {@code PageHinkleyDM} (delta 0.005, lambda 50, alpha 1 - 0.0001, 30 instances) and River 0.26.1's
 * {@code drift.PageHinkley} with {@code mode="up"}, whose detections this reproduces exactly (tested).
 *
 * <p>Scale: {@code delta} and {@code lambda} are in the units of the values; the defaults suit values of order 1
 * (an error indicator in {0, 1} or a loss of that size). Cost: O(1) time and memory per value, no allocation. Not
 * thread-safe; see {@link ChangeDetector}.
 */
public final class PageHinkley implements ChangeDetector {
    /** {@value}, the name policies use. */
    public static final String NAME = "page_hinkley";
    /** Tolerated change of the mean: {@value} (MOA {@code PageHinkleyDM} and River {@code PageHinkley} default). */
    public static final double DEFAULT_DELTA = 0.005;
    /** Detection threshold {@code lambda}: {@value} (MOA and River default). */
    public static final double DEFAULT_LAMBDA = 50.0;
    /** Forgetting factor: {@code 1 - 0.0001} (MOA and River default). */
    public static final double DEFAULT_ALPHA = 1 - 0.0001;
    /** Values seen (since the last change) before the detector signals: {@value} (MOA and River default). */
    public static final int DEFAULT_MIN_INSTANCES = 30;

    /** The largest magnitude of a value accepted: {@value} (so that the sums cannot overflow). */
    public static final double MAX_ABS_VALUE = 1e100;

    private final double delta;
    private final double lambda;
    private final double alpha;
    private final int minInstances;

    private long count;
    private long changes;
    private Signal signal = Signal.NONE;
    private long n;
    private double mean;
    private double sum;
    private double minSum = Double.MAX_VALUE;

    private PageHinkley(double delta, double lambda, double alpha, int minInstances) {
        this.delta = Check.atLeast("delta", delta, 0);
        this.lambda = Check.above("lambda", lambda, 0);
        this.alpha = Check.openClosed("alpha", alpha, 0, 1);
        this.minInstances = (int) Check.range("minInstances", minInstances, 1, Integer.MAX_VALUE);
    }

    /** A Page-Hinkley test with the common defaults (delta 0.005, lambda 50, alpha 1 - 0.0001, 30 instances). */
    public static PageHinkley withDefaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Signal add(double value) {
        if (!(Math.abs(value) <= MAX_ABS_VALUE)) {
            throw new InvalidArgumentException("value",
                    "page_hinkley takes finite values with |value| <= 1e100, was " + value);
        }
        count++;
        n++;
        mean += (1.0 / n) * (value - mean);
        sum = alpha * sum + (value - mean) - delta;
        if (sum < minSum) {
            minSum = sum;
        }
        Signal result = Signal.NONE;
        if (n >= minInstances && sum - minSum > lambda) {
            result = Signal.CHANGE;
            changes++;
            restart();
        }
        signal = result;
        return result;
    }

    private void restart() {
        n = 0;
        mean = 0;
        sum = 0;
        minSum = Double.MAX_VALUE;
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

    /** The test statistic {@code PH_t = m_t - M_t} after the last value (0 before any, and right after a change). */
    public double statistic() {
        return n == 0 ? 0 : sum - minSum;
    }

    @Override
    public State snapshot() {
        return new State(delta, lambda, alpha, minInstances, count, changes, signal, n, mean, sum, minSum);
    }

    @Override
    public String toString() {
        return "PageHinkley[delta=" + delta + ", lambda=" + lambda + ", alpha=" + alpha + ", minInstances="
                + minInstances + ", count=" + count + ", changes=" + changes + "]";
    }

    /** Builds a {@link PageHinkley}; the arguments are checked at {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private double delta = DEFAULT_DELTA;
        private double lambda = DEFAULT_LAMBDA;
        private double alpha = DEFAULT_ALPHA;
        private int minInstances = DEFAULT_MIN_INSTANCES;

        private Builder() {
        }

        /** Tolerated change of the mean; finite, {@code >= 0}. */
        public Builder delta(double delta) {
            this.delta = delta;
            return this;
        }

        /** Detection threshold; finite, {@code > 0}. */
        public Builder lambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** Forgetting factor, in (0, 1]. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Values seen before signalling; {@code >= 1}. */
        public Builder minInstances(int minInstances) {
            this.minInstances = minInstances;
            return this;
        }

        /**
         * @throws InvalidArgumentException naming {@code delta}, {@code lambda}, {@code alpha} or
         *     {@code minInstances}
         */
        public PageHinkley build() {
            return new PageHinkley(delta, lambda, alpha, minInstances);
        }
    }

    /**
     * The exact state of a {@link PageHinkley}: its parameters, the counters of {@link ChangeDetector}, the last
     * signal, and since the last change: {@code n} values, their {@code mean}, the cumulative sum {@code m_t} and its
     * minimum {@code M_t} ({@link Double#MAX_VALUE} before the first value).
     */
    public record State(double delta, double lambda, double alpha, int minInstances, long count, long changes,
                        Signal signal, long n, double mean, double sum, double minSum) implements DetectorState {
        /** @throws InvalidArgumentException naming the first inconsistent component */
        public State {
            new PageHinkley(delta, lambda, alpha, minInstances);
            Check.range("count", count, 0, Long.MAX_VALUE);
            Check.range("changes", changes, 0, count);
            Check.signal("signal", signal);
            Check.range("n", n, 0, count);
            Check.finite("mean", mean);
            Check.finite("sum", sum);
            Check.finite("minSum", minSum);
        }

        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public PageHinkley restore() {
            PageHinkley d = new PageHinkley(delta, lambda, alpha, minInstances);
            d.count = count;
            d.changes = changes;
            d.signal = signal;
            d.n = n;
            d.mean = mean;
            d.sum = sum;
            d.minSum = minSum;
            return d;
        }

        @Override
        public String toJson() {
            Map<String, Object> m = StateJson.start(NAME);
            m.put("delta", delta);
            m.put("lambda", lambda);
            m.put("alpha", alpha);
            m.put("minInstances", minInstances);
            m.put("count", count);
            m.put("changes", changes);
            m.put("signal", signal.name());
            m.put("n", n);
            m.put("mean", mean);
            m.put("sum", sum);
            m.put("minSum", minSum);
            return StateJson.write(m);
        }

        static State read(StateJson.Fields f) {
            return new State(f.number("delta"), f.number("lambda"), f.number("alpha"),
                    (int) f.integer("minInstances", 1, Integer.MAX_VALUE), f.integer("count", 0, Long.MAX_VALUE),
                    f.integer("changes", 0, Long.MAX_VALUE), f.signal("signal"), f.integer("n", 0, Long.MAX_VALUE),
                    f.number("mean"), f.number("sum"), f.number("minSum"));
        }
    }
}
