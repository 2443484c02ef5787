package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method against the SciPy golden values in {@code golden/two-sample-golden.json} (made by
 * {@code golden/make_golden.py}): statistics to 1e-9 relative, p-values to 1e-6 relative, both with an absolute
 * 1e-12 near zero (and p-values below 1e-6 that are not computed as a complement, relative 1e-6 as well); where SciPy
 * gave NaN/inf or raised, the result is empty with a note and no drift. Also the numeric bins against numpy's.
 */
class TwoSampleGoldenTest {
    private static final JsonNode GOLDEN = load();

    private static JsonNode load() {
        try (InputStream in = TwoSampleGoldenTest.class.getResourceAsStream("golden/two-sample-golden.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static Map<String, Long> counts(JsonNode object) {
        Map<String, Long> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    static Stream<Arguments> numericCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : GOLDEN.get("numeric")) {
            for (DriftMethod m : DriftMethod.values()) {
                if (m.appliesToNumeric()) {
                    out.add(Arguments.of(c.get("name").asText(), m, c));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> categoricalCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : GOLDEN.get("categorical")) {
            for (DriftMethod m : DriftMethod.values()) {
                if (m.appliesToCategorical()) {
                    out.add(Arguments.of(c.get("name").asText(), m, c));
                }
            }
        }
        return out.stream();
    }

    @Test
    void fixtureNamesTheScipyVersionAndCoversEveryMethod() {
        assertThat(GOLDEN.get("scipy").asText()).isEqualTo("1.17.1");
        assertThat(GOLDEN.get("numpy").asText()).isEqualTo("2.4.6");
        assertThat(GOLDEN.get("numeric").size()).isGreaterThanOrEqualTo(30);
        assertThat(GOLDEN.get("categorical").size()).isGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("numericCases")
    void numericMethodAgreesWithScipy(String name, DriftMethod method, JsonNode c) {
        double[] ref = doubles(c.get("reference"));
        double[] cur = doubles(c.get("current"));
        MethodResult r = TwoSampleTests.numeric(method, ref, cur);
        check(method, r, c.get("expected").get(method.id()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCasesOnly")
    void numericBinsAgreeWithNumpy(String name, JsonNode c) {
        long[][] bins = TwoSampleTests.numericBinCounts(doubles(c.get("reference")), doubles(c.get("current")));
        JsonNode expected = c.get("expected").get("_bins");
        assertThat(bins[0]).containsExactly(longs(expected.get("reference")));
        assertThat(bins[1]).containsExactly(longs(expected.get("current")));
    }

    static Stream<Arguments> numericCasesOnly() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : GOLDEN.get("numeric")) {
            out.add(Arguments.of(c.get("name").asText(), c));
        }
        return out.stream();
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("categoricalCases")
    void categoricalMethodAgreesWithScipy(String name, DriftMethod method, JsonNode c) {
        MethodResult r = TwoSampleTests.categorical(method, counts(c.get("reference")), counts(c.get("current")));
        JsonNode expected = c.get("expected").get(method.id());
        if (expected == null) { // z and fisher_exact need exactly two categories
            assertThat(method.needsTwoCategories()).isTrue();
            assertThat(r.statistic()).isEmpty();
            assertThat(r.pValue()).isEmpty();
            assertThat(r.note()).hasValueSatisfying(n -> assertThat(n).contains("two categories"));
            assertThat(r.drift()).isFalse();
            return;
        }
        check(method, r, expected);
        if (method == DriftMethod.L_INFINITY) {
            assertThat(r.category()).contains(expected.get("category").asText());
        }
    }

    private static void check(DriftMethod method, MethodResult r, JsonNode expected) {
        assertThat(expected).as("golden entry for %s", method.id()).isNotNull();
        JsonNode es = expected.get("statistic");
        JsonNode ep = expected.get("p_value");
        assertClose("statistic", r.statistic(), es, 1e-9);
        if (method.kind() == DriftMethod.Kind.P_VALUE) {
            assertClose("p-value", r.pValue(), ep, 1e-6);
            if (ep != null && !ep.isNull() && ep.asDouble() < 1e-6 && method != DriftMethod.CRAMER_VON_MISES) {
                // tiny p-values computed directly (not as 1 - cdf) must agree relatively too
                double e = ep.asDouble();
                assertThat(Math.abs(r.pValue().getAsDouble() - e)).as("tiny p-value %s vs SciPy %s",
                        r.pValue().getAsDouble(), e).isLessThanOrEqualTo(1e-6 * e);
            }
        } else {
            assertThat(r.pValue()).isEmpty();
        }
        if (es.isNull() || (method.kind() == DriftMethod.Kind.P_VALUE && ep.isNull())) {
            assertThat(r.note()).as("a note says why a number is missing").isPresent();
            if (method != DriftMethod.FISHER_EXACT) {
                assertThat(r.drift()).as("no drift without a statistic").isFalse();
            }
        }
        if (r.drift()) {
            if (method.kind() == DriftMethod.Kind.P_VALUE) {
                assertThat(r.pValue().getAsDouble()).isLessThan(r.threshold());
            } else {
                assertThat(r.statistic().getAsDouble()).isGreaterThanOrEqualTo(r.threshold());
            }
        } else if (r.statistic().isPresent() && method.kind() == DriftMethod.Kind.DISTANCE) {
            assertThat(r.statistic().getAsDouble()).isLessThan(r.threshold());
        } else if (r.statistic().isPresent() && r.pValue().isPresent()) {
            assertThat(r.pValue().getAsDouble()).isGreaterThanOrEqualTo(r.threshold());
        }
    }

    private static void assertClose(String what, OptionalDouble actual, JsonNode expected, double rel) {
        if (expected == null || expected.isNull()) {
            assertThat(actual).as(what + " (SciPy has none)").isEmpty();
            return;
        }
        double e = expected.asDouble();
        assertThat(actual).as(what).isPresent();
        double a = actual.getAsDouble();
        double tol = Math.max(rel * Math.abs(e), 1e-12);
        assertThat(Math.abs(a - e)).as("%s: actual %s, SciPy %s", what, a, e).isLessThanOrEqualTo(tol);
    }
}
