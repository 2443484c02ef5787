package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decay condition's detector continues exactly across windows and restarts: its per-window detections equal those
 * of one detector fed the whole stream, with the exact detector snapshot stored between windows (SQLite file).
 */
class PolicyDetectorStateTest {
    static final Instant T0 = Instant.parse("2024-06-01T00:00:00Z");

    @TempDir
    Path dir;

    /** A 0/1 error stream whose error rate changes abruptly and gradually, seeded. */
    static List<Double> stream(SplittableRandom r, int n) {
        List<Double> out = new ArrayList<>(n);
        double rate = 0.1;
        for (int i = 0; i < n; i++) {
            if (i % 4000 == 2000) {
                rate = rate < 0.3 ? 0.5 + r.nextDouble() * 0.3 : 0.05 + r.nextDouble() * 0.1;
            }
            out.add(r.nextDouble() < rate ? 1.0 : 0.0);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "ddm", "eddm", "page_hinkley"})
    void detectionsEqualOneDetectorOverTheWholeStreamAcrossWindowsAndRestarts(String name) {
        SplittableRandom r = new SplittableRandom(0x5eed_0000L + name.hashCode());
        List<Double> all = stream(r, 24_000);
        // never triggers (the row count is out of reach), so no retrain resets the detector
        RetrainingPolicy policy = RetrainingPolicy.builder("decay-" + name).allOf(
                new Condition.Decay(name, Map.of(), "errors", 1000), Condition.newRows(1_000_000_000L)).build();
        ChangeDetector reference = DetectorFactory.standard().create(name, Map.of());
        Path file = dir.resolve(name + ".db");
        MutableClock clock = new MutableClock(T0);
        int at = 0;
        int window = 0;
        long detected = 0;
        while (at < all.size()) {
            // a restart every few windows: the state comes back from the SQLite file
            try (Mlops mlops = Mlops.builder().storeUri("sqlite:" + file).artifactUri("memory:").actor("svc")
                    .clock(clock).build()) {
                for (int k = 0; k < 1 + r.nextInt(4) && at < all.size(); k++, window++) {
                    int size = Math.min(1 + r.nextInt(700), all.size() - at);
                    List<Double> values = all.subList(at, at + size);
                    long expected = 0;
                    for (double v : values) {
                        if (reference.add(v) == ChangeDetector.Signal.CHANGE) {
                            expected++;
                        }
                    }
                    clock.advance(Duration.ofHours(1));
                    Decision d = mlops.policies().evaluate(policy, Observation.builder("w" + window,
                            clock.instant(), "churn").rows(size).outcomes("errors", values).build());
                    ConditionOutcome decay = d.condition("conditions[0]").orElseThrow();
                    assertThat(decay.measured().getAsDouble()).as("window %d", window).isEqualTo(expected);
                    assertThat(d.status()).isEqualTo(Decision.Status.NO_RETRAIN);
                    detected += expected;
                    at += size;
                }
            }
        }
        assertThat(detected).as("the stream's changes are detected").isPositive();
    }
}
