package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Adwin;
import dev.mlops.policy.ChangeDetector;
import dev.mlops.policy.Ddm;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Eddm;
import dev.mlops.policy.PageHinkley;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The constructors behind {@link DetectorFactory#standard()}: the four published detectors from a policy's parameters,
 * named in snake case after the builders' methods ({@code delta}, {@code clock}, {@code max_buckets},
 * {@code min_sub_window_length}, {@code grace_period} for ADWIN; {@code warning_level}, {@code change_level},
 * {@code min_instances} for DDM; {@code alpha}, {@code beta}, {@code min_errors} for EDDM; {@code delta},
 * {@code lambda}, {@code alpha}, {@code min_instances} for Page-Hinkley). A missing parameter takes the published
 * default. Every error is an {@link InvalidArgumentException} with field {@code params.<name>}. Stateless.
 */
public final class StandardDetectors {
    private StandardDetectors() {
    }

    /** The constructors by detector name. */
    public static Map<String, Function<Map<String, Double>, ChangeDetector>> constructors() {
        return Map.of(
                Adwin.NAME, StandardDetectors::adwin,
                Ddm.NAME, StandardDetectors::ddm,
                Eddm.NAME, StandardDetectors::eddm,
                PageHinkley.NAME, StandardDetectors::pageHinkley);
    }

    static ChangeDetector adwin(Map<String, Double> p) {
        known(p, "delta", "clock", "max_buckets", "min_sub_window_length", "grace_period");
        Adwin.Builder b = Adwin.builder();
        return build(() -> {
            if (p.containsKey("delta")) {
                b.delta(p.get("delta"));
            }
            if (p.containsKey("clock")) {
                b.clock(whole(p, "clock"));
            }
            if (p.containsKey("max_buckets")) {
                b.maxBuckets(whole(p, "max_buckets"));
            }
            if (p.containsKey("min_sub_window_length")) {
                b.minSubWindowLength(whole(p, "min_sub_window_length"));
            }
            if (p.containsKey("grace_period")) {
                b.gracePeriod(whole(p, "grace_period"));
            }
            return b.build();
        });
    }

    static ChangeDetector ddm(Map<String, Double> p) {
        known(p, "warning_level", "change_level", "min_instances");
        Ddm.Builder b = Ddm.builder();
        return build(() -> {
            if (p.containsKey("warning_level")) {
                b.warningLevel(p.get("warning_level"));
            }
            if (p.containsKey("change_level")) {
                b.changeLevel(p.get("change_level"));
            }
            if (p.containsKey("min_instances")) {
                b.minInstances(whole(p, "min_instances"));
            }
            return b.build();
        });
    }

    static ChangeDetector eddm(Map<String, Double> p) {
        known(p, "alpha", "beta", "min_errors");
        Eddm.Builder b = Eddm.builder();
        return build(() -> {
            if (p.containsKey("alpha")) {
                b.alpha(p.get("alpha"));
            }
            if (p.containsKey("beta")) {
                b.beta(p.get("beta"));
            }
            if (p.containsKey("min_errors")) {
                b.minErrors(whole(p, "min_errors"));
            }
            return b.build();
        });
    }

    static ChangeDetector pageHinkley(Map<String, Double> p) {
        known(p, "delta", "lambda", "alpha", "min_instances");
        PageHinkley.Builder b = PageHinkley.builder();
        return build(() -> {
            if (p.containsKey("delta")) {
                b.delta(p.get("delta"));
            }
            if (p.containsKey("lambda")) {
                b.lambda(p.get("lambda"));
            }
            if (p.containsKey("alpha")) {
                b.alpha(p.get("alpha"));
            }
            if (p.containsKey("min_instances")) {
                b.minInstances(whole(p, "min_instances"));
            }
            return b.build();
        });
    }

    private static void known(Map<String, Double> p, String... names) {
        Set<String> allowed = Set.of(names);
        for (String name : new TreeSet<>(p.keySet())) {
            if (!allowed.contains(name)) {
                throw new InvalidArgumentException("params." + name, "unknown parameter '" + name + "'; known: "
                        + new TreeSet<>(allowed));
            }
        }
    }

    private static int whole(Map<String, Double> p, String name) {
        double v = p.get(name);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("params." + name, "params." + name + " must be a whole number, was "
                    + v);
        }
        return (int) v;
    }

    /** Runs a builder, naming the parameter in the error: a builder's field {@code x} becomes {@code params.x}. */
    private static ChangeDetector build(java.util.function.Supplier<ChangeDetector> builder) {
        try {
            return builder.get();
        } catch (InvalidArgumentException e) {
            if (e.field().filter(f -> f.startsWith("params.")).isPresent()) {
                throw e;
            }
            String field = e.field().map(f -> "params." + snake(f)).orElse("params");
            throw new InvalidArgumentException(field, e.getMessage(), e);
        }
    }

    private static String snake(String camel) {
        StringBuilder s = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                s.append('_').append(Character.toLowerCase(c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
