package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Guards;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.RetrainingPolicy;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Valid random policies for property-style tests, from a seeded {@link SplittableRandom}. */
final class RandomPolicies {
    private static final List<String> METRICS = List.of("accuracy", "f1", "rmse", "loss");
    private static final List<String> COLUMNS = List.of("temp_max", "weather", "precipitation");
    private static final List<String> METHODS = List.of("psi", "ks", "jensen_shannon", "wasserstein", "l_infinity");
    private static final List<String> ZONES = List.of("UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Tokyo");

    private RandomPolicies() {
    }

    static RetrainingPolicy policy(SplittableRandom r) {
        while (true) {
            try {
                return new RetrainingPolicy("policy-" + r.nextInt(1000), 1 + r.nextInt(20),
                        r.nextBoolean() ? "" : "retrain \"weekly\" é ✓ " + r.nextInt(), combination(r, 0),
                        guards(r));
            } catch (InvalidArgumentException e) {
                if (!e.getMessage().contains("can never fire together")) {
                    throw e;
                }
            }
        }
    }

    static Condition combination(SplittableRandom r, int depth) {
        int n = 1 + r.nextInt(4);
        List<Condition> children = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            children.add(depth < 2 && r.nextInt(4) == 0 ? combination(r, depth + 1) : leaf(r));
        }
        return switch (r.nextInt(3)) {
            case 0 -> new Condition.AnyOf(children);
            case 1 -> new Condition.AllOf(children);
            default -> new Condition.AtLeast(1 + r.nextInt(n), children);
        };
    }

    static Condition leaf(SplittableRandom r) {
        String report = r.nextBoolean() ? Condition.DEFAULT_REPORT : "features";
        return switch (r.nextInt(11)) {
            case 0 -> new Condition.ColumnDrift(report, pick(r, COLUMNS));
            case 1 -> new Condition.ColumnScore(report, pick(r, COLUMNS), pick(r, METHODS), positive(r));
            case 2 -> new Condition.DriftShare(report, 1 - r.nextDouble());
            case 3 -> new Condition.MetricThreshold(pick(r, METRICS), direction(r), r.nextDouble() * 2 - 0.5,
                    r.nextBoolean() ? 1 : 1 + r.nextInt(5));
            case 4 -> new Condition.MetricVsBaseline(pick(r, METRICS), direction(r),
                    r.nextBoolean() ? Condition.MetricVsBaseline.Change.ABSOLUTE
                            : Condition.MetricVsBaseline.Change.RELATIVE, r.nextDouble(),
                    r.nextBoolean() ? 1 : 1 + r.nextInt(5));
            case 5 -> {
                // parameters in range for the published detector (checked when the policy is built)
                String detector = pick(r, Condition.Decay.DETECTORS);
                Map<String, Double> params = new TreeMap<>();
                switch (detector) {
                    case "adwin" -> maybe(r, params, "delta", 0.0001 + r.nextDouble() * 0.9);
                    case "ddm" -> maybe(r, params, "min_instances", (double) (1 + r.nextInt(100)));
                    case "eddm" -> maybe(r, params, "min_errors", (double) r.nextInt(100));
                    default -> {
                        maybe(r, params, "delta", r.nextDouble());
                        maybe(r, params, "lambda", 0.001 + r.nextDouble() * 100);
                    }
                }
                yield new Condition.Decay(detector, params,
                        r.nextBoolean() ? Condition.DEFAULT_STREAM : "loss", 1 + r.nextInt(100_000));
            }
            case 6 -> new Condition.NewRows(1 + r.nextInt(1_000_000));
            case 7 -> new Condition.NewDatasetVersions(1 + r.nextInt(10));
            case 8 -> new Condition.NewInputVersion();
            case 9 -> new Condition.Schedule(duration(r), instant(r));
            default -> new Condition.ModelAge(duration(r));
        };
    }

    static Guards guards(SplittableRandom r) {
        int required = 1 + r.nextInt(5);
        Optional<Guards.Hysteresis> hysteresis = r.nextBoolean()
                ? Optional.of(new Guards.Hysteresis(required, required + r.nextInt(5))) : Optional.empty();
        Optional<Guards.WarmUp> warmUp = r.nextBoolean() ? Optional.of(new Guards.WarmUp(1 + r.nextInt(10)))
                : Optional.empty();
        Optional<Guards.Cooldown> cooldown = r.nextBoolean()
                ? Optional.of(new Guards.Cooldown(duration(r), r.nextInt(100_000))) : Optional.empty();
        Optional<Guards.Budget> budget = r.nextBoolean()
                ? Optional.of(new Guards.Budget(1 + r.nextInt(10), duration(r))) : Optional.empty();
        Duration initial = duration(r);
        Optional<Guards.Backoff> backoff = r.nextBoolean()
                ? Optional.of(new Guards.Backoff(initial, 1 + r.nextDouble() * 3, initial.plus(duration(r))))
                : Optional.empty();
        Optional<Guards.AllowedTimes> allowed = Optional.empty();
        if (r.nextBoolean()) {
            List<Guards.TimeWindow> windows = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
                for (DayOfWeek d : DayOfWeek.values()) {
                    if (r.nextBoolean()) {
                        days.add(d);
                    }
                }
                if (days.isEmpty()) {
                    days.add(DayOfWeek.SUNDAY);
                }
                LocalTime from = LocalTime.ofSecondOfDay(r.nextInt(86_400));
                LocalTime to = from.plusMinutes(1 + r.nextInt(1000));
                windows.add(new Guards.TimeWindow(days, from, to));
            }
            allowed = Optional.of(new Guards.AllowedTimes(ZoneId.of(pick(r, ZONES)), windows));
        }
        return new Guards(hysteresis, warmUp, cooldown, budget, backoff, allowed, r.nextBoolean());
    }

    private static void maybe(SplittableRandom r, Map<String, Double> params, String name, double value) {
        if (r.nextBoolean()) {
            params.put(name, value);
        }
    }

    private static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static MetricDirection direction(SplittableRandom r) {
        return r.nextBoolean() ? MetricDirection.HIGHER_IS_BETTER : MetricDirection.LOWER_IS_BETTER;
    }

    private static double positive(SplittableRandom r) {
        return 1 - r.nextDouble();
    }

    static Duration duration(SplittableRandom r) {
        return Duration.ofSeconds(1 + r.nextLong(10_000_000), r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
    }

    static Instant instant(SplittableRandom r) {
        return Instant.ofEpochSecond(r.nextLong(4_000_000_000L), r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
    }
}
