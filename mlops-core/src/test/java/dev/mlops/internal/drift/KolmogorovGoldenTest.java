package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code scipy.stats.kstwo.sf(x, n)} from the golden fixture, over every region of SciPy's algorithm choice and sample
 * sizes up to 1.5 million (the asymptotic path of KS on samples of millions): 1e-6 relative, 1e-12 absolute.
 */
class KolmogorovGoldenTest {
    static Stream<Arguments> grid() throws IOException {
        try (InputStream in = KolmogorovGoldenTest.class.getResourceAsStream(
                "/dev/mlops/drift/golden/two-sample-golden.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            for (JsonNode g : root.get("kstwo_sf")) {
                out.add(Arguments.of(g.get("n").asInt(), g.get("x").asDouble(), g.get("sf").asDouble()));
            }
            assertThat(out).hasSizeGreaterThan(100);
            return out.stream();
        }
    }

    @ParameterizedTest(name = "n = {0}, x = {1}")
    @MethodSource("grid")
    void twoSidedSurvivalAgreesWithScipy(int n, double x, double expected) {
        double actual = Kolmogorov.twoSidedSf(n, x);
        assertThat(Math.abs(actual - expected)).as("kstwo.sf(%s, %s): %s vs SciPy %s", x, n, actual, expected)
                .isLessThanOrEqualTo(Math.max(1e-6 * expected, 1e-12));
    }
}
