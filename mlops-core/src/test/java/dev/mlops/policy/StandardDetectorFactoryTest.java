package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StandardDetectorFactoryTest {
    private static final DetectorFactory FACTORY = DetectorFactory.standard();

    private static List<Integer> changes(ChangeDetector d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            double p = i < 2000 ? 0.1 : 0.45;
            if (d.add(rnd.nextDouble() < p ? 1 : 0) == ChangeDetector.Signal.CHANGE) {
                at.add(i);
            }
        }
        return at;
    }

    @Test
    void knowsTheFourPublishedDetectors() {
        assertThat(FACTORY.names()).containsExactly("adwin", "ddm", "eddm", "page_hinkley");
    }

    /** No parameters: the published defaults, the same signals as withDefaults() on the same stream. */
    @ParameterizedTest
    @ValueSource(strings = {"adwin", "ddm", "eddm", "page_hinkley"})
    void emptyParametersAreThePublishedDefaults(String name) {
        ChangeDetector made = FACTORY.create(name, Map.of());
        ChangeDetector reference = switch (name) {
            case "adwin" -> Adwin.withDefaults();
            case "ddm" -> Ddm.withDefaults();
            case "eddm" -> Eddm.withDefaults();
            default -> PageHinkley.withDefaults();
        };
        assertThat(made.name()).isEqualTo(name);
        List<Integer> got = changes(made, 5);
        assertThat(got).isNotEmpty().isEqualTo(changes(reference, 5));
    }

    @Test
    void parametersReachTheBuilders() {
        // a stricter DDM (change at 6 standard deviations) detects later or never on the same stream
        List<Integer> strict = changes(FACTORY.create("ddm", Map.of("change_level", 6.0, "warning_level", 5.0)), 5);
        List<Integer> standard = changes(FACTORY.create("ddm", Map.of()), 5);
        assertThat(strict).isNotEqualTo(standard);
        ChangeDetector adwin = FACTORY.create("adwin", Map.of("delta", 0.5, "clock", 1.0, "max_buckets", 3.0,
                "min_sub_window_length", 1.0, "grace_period", 0.0));
        assertThat(((Adwin.State) adwin.snapshot()).delta()).isEqualTo(0.5);
    }

    @Test
    void badParametersNameTheirPath() {
        assertThatThrownBy(() -> FACTORY.create("adwin", Map.of("detla", 0.1)))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("params.detla"))
                .hasMessageContaining("unknown parameter 'detla'");
        assertThatThrownBy(() -> FACTORY.create("ddm", Map.of("min_instances", 2.5)))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("params.min_instances"));
        assertThatThrownBy(() -> FACTORY.create("page_hinkley", Map.of("lambda", -1.0)))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("params.lambda"));
        assertThatThrownBy(() -> FACTORY.create("kswin", Map.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("detector"));
    }
}
