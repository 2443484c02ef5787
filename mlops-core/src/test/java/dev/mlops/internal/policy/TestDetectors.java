package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.ChangeDetector;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.DetectorState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;

/** Test helpers: a tiny change detector, a factory of it, and a clock that tests move. */
final class TestDetectors {
    private TestDetectors() {
    }

    /**
     * A stand-in detector for the policy tests (not one of the published ones): over 0/1 values it signals
     * {@code CHANGE} when at least {@code k} of the last {@code n} values are 1, then forgets its window. Parameters
     * {@code n} (default 5) and {@code k} (default 3).
     */
    static final class KOfN implements ChangeDetector {
        private final String name;
        private final int n;
        private final int k;
        private final ArrayDeque<Double> window = new ArrayDeque<>();
        private Signal signal = Signal.NONE;
        private long count;
        private long changes;

        KOfN(String name, Map<String, Double> params) {
            for (String p : params.keySet()) {
                if (!Set.of("n", "k").contains(p)) {
                    throw new InvalidArgumentException("params." + p, "unknown parameter '" + p + "' (known: n, k)");
                }
            }
            this.name = name;
            this.n = params.getOrDefault("n", 5.0).intValue();
            this.k = params.getOrDefault("k", 3.0).intValue();
            if (k < 1 || k > n) {
                throw new InvalidArgumentException("params.k", "k must be in [1, n], was " + k);
            }
        }

        @Override
        public Signal add(double value) {
            if (value != 0 && value != 1) {
                throw new InvalidArgumentException("value", "value must be 0 or 1, was " + value);
            }
            count++;
            window.addLast(value);
            if (window.size() > n) {
                window.removeFirst();
            }
            long ones = window.stream().filter(v -> v == 1).count();
            if (ones >= k) {
                changes++;
                window.clear();
                signal = Signal.CHANGE;
            } else {
                signal = Signal.NONE;
            }
            return signal;
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
            window.clear();
            count = 0;
            changes = 0;
            signal = Signal.NONE;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DetectorState snapshot() {
            return new State(name, n, k, window.stream().mapToDouble(Double::doubleValue).toArray(), signal, count,
                    changes);
        }

        /** The stand-in's state (its JSON is only for completeness: the policy engine replays values instead). */
        record State(String detector, int n, int k, double[] window, Signal signal, long count, long changes)
                implements DetectorState {
            @Override
            public ChangeDetector restore() {
                KOfN d = new KOfN(detector, Map.of("n", (double) n, "k", (double) k));
                for (double v : window) {
                    d.window.addLast(v);
                }
                d.signal = signal;
                d.count = count;
                d.changes = changes;
                return d;
            }

            @Override
            public String toJson() {
                return "{\"detector\":\"" + detector + "\",\"n\":" + n + ",\"k\":" + k + "}";
            }
        }
    }

    /** A factory that creates {@link KOfN} under the name {@code ddm} (only for tests). */
    static DetectorFactory factory() {
        return DetectorFactory.of(Map.of("ddm", p -> new KOfN("ddm", p)));
    }

    /** A clock that tests set and advance; UTC. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the tests use UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
