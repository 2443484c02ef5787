package dev.mlops.policy;

import static dev.mlops.policy.DetectorStreams.bernoulli;
import static dev.mlops.policy.DetectorStreams.normal;
import static dev.mlops.policy.DetectorStreams.ramp;
import static dev.mlops.policy.DetectorStreams.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.ChangeDetector.Signal;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshot and restore: a detector stopped mid-stream, stored (as the record or as JSON) and restored, then fed the
 * rest of the stream, gives exactly the signals and the final state of an uninterrupted run.
 */
class DetectorStateTest {
    record Case(String label, Supplier<ChangeDetector> factory, double[] values) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            double[] abrupt = bernoulli(seed, 4000, step(1500, 0.1, 0.4));
            double[] gradual = bernoulli(seed + 10, 4000, ramp(1000, 2500, 0.1, 0.45));
            double[] stationary = bernoulli(seed + 20, 4000, t -> 0.2);
            double[] means = normal(seed + 30, 4000, step(2000, 0.3, 0.7), 0.15);
            for (double[] xs : List.of(abrupt, gradual, stationary)) {
                out.add(Arguments.of(new Case("ddm " + seed, Ddm::withDefaults, xs)));
                out.add(Arguments.of(new Case("eddm " + seed, Eddm::withDefaults, xs)));
                out.add(Arguments.of(new Case("page_hinkley " + seed, PageHinkley::withDefaults, xs)));
                out.add(Arguments.of(new Case("adwin " + seed, Adwin::withDefaults, xs)));
            }
            out.add(Arguments.of(new Case("page_hinkley means " + seed, PageHinkley::withDefaults, means)));
            out.add(Arguments.of(new Case("adwin means " + seed, Adwin::withDefaults, means)));
            out.add(Arguments.of(new Case("adwin paper settings " + seed,
                    () -> Adwin.builder().clock(1).minSubWindowLength(1).gracePeriod(0).maxBuckets(2).build(),
                    means)));
        }
        return out.stream();
    }

    static Signal[] feed(ChangeDetector d, double[] xs, int from, int to) {
        Signal[] out = new Signal[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = d.add(xs[i]);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void restoreMidStreamContinuesExactly(Case c) {
        double[] xs = c.values();
        ChangeDetector whole = c.factory().get();
        Signal[] expected = feed(whole, xs, 0, xs.length);
        DetectorState finalState = whole.snapshot();
        SplittableRandom rnd = new SplittableRandom(c.label().hashCode());
        for (int trial = 0; trial < 8; trial++) {
            int cut = trial == 0 ? 0 : rnd.nextInt(1, xs.length);
            ChangeDetector first = c.factory().get();
            Signal[] head = feed(first, xs, 0, cut);
            DetectorState state = first.snapshot();
            String json = state.toJson();
            DetectorState parsed = DetectorState.fromJson(json);
            assertThat(parsed).isEqualTo(state);
            assertThat(parsed.toJson()).isEqualTo(json);
            assertThat(parsed.detector()).isEqualTo(first.name());

            for (ChangeDetector restored : List.of(state.restore(), parsed.restore())) {
                assertThat(restored.count()).isEqualTo(first.count());
                assertThat(restored.changes()).isEqualTo(first.changes());
                assertThat(restored.signal()).isEqualTo(first.signal());
                assertThat(restored.snapshot()).isEqualTo(state);
                Signal[] tail = feed(restored, xs, cut, xs.length);
                Signal[] all = new Signal[xs.length];
                System.arraycopy(head, 0, all, 0, cut);
                System.arraycopy(tail, 0, all, cut, tail.length);
                assertThat(all).as("cut at %d", cut).containsExactly(expected);
                assertThat(restored.snapshot()).isEqualTo(finalState);
                assertThat(restored.snapshot().toJson()).isEqualTo(finalState.toJson());
            }
            // the original is unaffected by its restored copies
            assertThat(first.snapshot()).isEqualTo(state);
        }
    }

    @Test
    void adwinStateIsImmutable() {
        Adwin a = Adwin.withDefaults();
        DetectorStreams.run(a, normal(1, 1000, t -> 0.5, 0.1));
        Adwin.State s = a.snapshot();
        int[] rows = s.rowSizes();
        double[] totals = s.bucketTotals();
        rows[0] = 99;
        totals[0] = 1e9;
        s.bucketVariances()[0] = 7;
        assertThat(s).isEqualTo(a.snapshot());
        assertThat(s.hashCode()).isEqualTo(a.snapshot().hashCode());
        a.add(0.5);
        assertThat(s).isNotEqualTo(a.snapshot());
    }

    @Test
    void jsonIsFlatAndReadable() {
        Ddm d = Ddm.withDefaults();
        d.add(1);
        assertThat(d.snapshot().toJson()).isEqualTo("{\"change_level\":3,\"changes\":0,\"count\":1,"
                + "\"detector\":\"ddm\",\"errors\":1,\"format\":1,\"min_instances\":30,\"n\":1,\"p_min\":0,"
                + "\"ps_min\":1.7976931348623157e+308,\"s_min\":0,\"signal\":\"NONE\",\"warning_level\":2}");
        Adwin a = Adwin.withDefaults();
        for (double x : new double[] {0.25, 0.5, 1, 0, 0.75, 0.5, 0.5}) {
            a.add(x);
        }
        String json = a.snapshot().toJson();
        // two oldest values merged into one bucket of 2 (sum 0.75, squared deviations 0.03125), five of 1 after it
        assertThat(json).contains("\"row_sizes\":[5,1]", "\"bucket_totals\":[1,0,0.75,0.5,0.5,0.75]",
                "\"bucket_variances\":[0,0,0,0,0,0.03125]", "\"width\":7", "\"variance\":0.625");
    }

    @Test
    void negativeZeroReadsBackEqual() {
        for (ChangeDetector d : List.of(Adwin.withDefaults(), PageHinkley.builder().delta(0).build())) {
            for (int i = 0; i < 40; i++) {
                d.add(-0.0);
            }
            DetectorState s = d.snapshot();
            assertThat(DetectorState.fromJson(s.toJson())).as(d.name()).isEqualTo(s);
        }
    }

    @Test
    void badJsonIsRejectedNamingTheMember() {
        assertState(null, "state");
        assertState("not json", "state");
        assertState("[1,2]", "state");
        assertState("{\"detector\":\"ddm\"}", "state.format");
        assertState("{\"detector\":\"ddm\",\"format\":2}", "state.format");
        assertState("{\"detector\":\"cusum\",\"format\":1}", "state.detector");
        assertState("{\"detector\":7,\"format\":1}", "state.detector");
        String ddm = Ddm.withDefaults().snapshot().toJson();
        assertState(ddm.replace("\"count\":0,", ""), "state.count");
        assertState(ddm.replace("\"count\":0", "\"count\":-1"), "state.count");
        assertState(ddm.replace("\"count\":0", "\"count\":1.5"), "state.count");
        assertState(ddm.replace("\"signal\":\"NONE\"", "\"signal\":\"MAYBE\""), "state.signal");
        assertState(ddm.replace("\"warning_level\":2", "\"warning_level\":4"), "state.change_level");
        assertState(ddm.replace("\"n\":0", "\"n\":5"), "state.n");
        Adwin a = Adwin.withDefaults();
        DetectorStreams.run(a, normal(2, 100, t -> 0.5, 0.1));
        String adwin = a.snapshot().toJson();
        assertState(adwin.replace("\"width\":100", "\"width\":99"), "state.row_sizes");
        assertState(adwin.replace("\"max_buckets\":5", "\"max_buckets\":2"), "state.row_sizes");
        assertState(adwin.replace("\"bucket_totals\":[", "\"bucket_totals\":[1,"), "state.bucket_totals");
        assertState(adwin.replace("\"bucket_totals\":[", "\"bucket_totals\":[\"x\","), "state.bucket_totals");
        assertState(adwin.replace("\"bucket_totals\":", "\"bucketTotalz\":"), "state.bucket_totals");
        assertState(adwin.replace("\"delta\":0.002", "\"delta\":0"), "state.delta");
        String eddm = Eddm.withDefaults().snapshot().toJson();
        assertState(eddm.replace("\"warning\":false", "\"warning\":0"), "state.warning");
        String ph = PageHinkley.withDefaults().snapshot().toJson();
        assertState(ph.replace("\"lambda\":50", "\"lambda\":-50"), "state.lambda");
    }

    @Test
    void membersAreSnakeCaseLikeThePolicyParameters() {
        Adwin a = Adwin.withDefaults();
        DetectorStreams.run(a, normal(3, 500, t -> 0.5, 0.1));
        for (DetectorState s : List.of(Ddm.withDefaults().snapshot(), Eddm.withDefaults().snapshot(),
                PageHinkley.withDefaults().snapshot(), a.snapshot())) {
            String json = s.toJson();
            assertThat(Pattern.compile("\"([^\"]*)\":").matcher(json).results().map(m -> m.group(1)))
                    .as(json).isNotEmpty().allMatch(name -> name.matches("[a-z]+(_[a-z]+)*"));
        }
        assertThat(Ddm.withDefaults().snapshot().toJson()).contains("\"warning_level\":2", "\"min_instances\":30");
        assertThat(a.snapshot().toJson()).contains("\"min_sub_window_length\":5", "\"grace_period\":");
    }

    /** States stored before the members were renamed (camelCase) still load, into the same state. */
    @Test
    void camelCaseStatesWrittenBeforeStillLoad() {
        String stored = "{\"changeLevel\":3,\"changes\":0,\"count\":1,\"detector\":\"ddm\",\"errors\":1,\"format\":1,"
                + "\"minInstances\":30,\"n\":1,\"pMin\":0,\"psMin\":1.7976931348623157e+308,\"sMin\":0,"
                + "\"signal\":\"NONE\",\"warningLevel\":2}";
        Ddm d = Ddm.withDefaults();
        d.add(1);
        assertThat(DetectorState.fromJson(stored)).isEqualTo(d.snapshot());
        assertThat(DetectorState.fromJson(stored).toJson()).isEqualTo(d.snapshot().toJson());

        Adwin a = Adwin.withDefaults();
        Eddm e = Eddm.withDefaults();
        PageHinkley ph = PageHinkley.withDefaults();
        DetectorStreams.run(a, normal(4, 300, t -> 0.5, 0.1));
        DetectorStreams.run(e, bernoulli(4, 300, t -> 0.2));
        DetectorStreams.run(ph, normal(4, 300, t -> 0.5, 0.1));
        for (ChangeDetector det : List.<ChangeDetector>of(a, e, ph)) {
            DetectorState s = det.snapshot();
            String camel = camelCase(s.toJson());
            assertThat(camel).as("the old spelling differs").isNotEqualTo(s.toJson());
            DetectorState read = DetectorState.fromJson(camel);
            assertThat(read.toJson()).isEqualTo(s.toJson());
            ChangeDetector restored = read.restore();
            double[] more = det instanceof Eddm ? bernoulli(5, 200, t -> 0.6) : normal(5, 200, t -> 0.9, 0.1);
            for (double x : more) {
                assertThat(restored.add(x)).isEqualTo(det.add(x));
            }
        }
    }

    /** The member names of a state as they were written before: snake_case names back to camelCase. */
    private static String camelCase(String json) {
        Matcher m = Pattern.compile("\"([a-z]+(?:_[a-z]+)+)\":").matcher(json);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String[] parts = m.group(1).split("_");
            StringBuilder name = new StringBuilder(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                name.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement("\"" + name + "\":"));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Test
    void recordsValidateLikeTheBuilders() {
        assertThatThrownBy(() -> new Ddm.State(2, 3, 30, 10, 0, Signal.NONE, 10, 11, 0, 0, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("errors"));
        assertThatThrownBy(() -> new PageHinkley.State(0.005, 50, 1, 30, 1, 2, Signal.CHANGE, 0, 0, 0, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("changes"));
        assertThatThrownBy(() -> new Eddm.State(0.95, 0.9, 30, 1, 0, null, 1, 0, 0, 0, 0, -1, false))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("signal"));
        assertThatThrownBy(() -> new Adwin.State(0.002, 32, 5, 5, 10, 3, 0, Signal.NONE, 3, 1, 0, new int[] {1, 0},
                new double[] {1}, new double[] {0}))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("rowSizes"));
        assertThatThrownBy(() -> new Adwin.State(0.002, 32, 5, 5, 10, 1, 0, Signal.NONE, 1, 1, 0, new int[] {1},
                null, new double[] {0}))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("bucketTotals"));
    }

    /** Feeding values allocates nothing once ADWIN's histogram has its rows (measured per thread by the JVM). */
    @Test
    void addingValuesDoesNotAllocate() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(bean.isThreadAllocatedMemorySupported()).isTrue();
        bean.setThreadAllocatedMemoryEnabled(true);
        double[] bits = bernoulli(9, 300_000, t -> 0.2);
        double[] reals = normal(9, 300_000, t -> 0.5, 0.1);
        List<ChangeDetector> detectors = List.of(Ddm.withDefaults(), Eddm.withDefaults(), PageHinkley.withDefaults(),
                Adwin.withDefaults());
        long tid = Thread.currentThread().getId();
        for (ChangeDetector d : detectors) {
            double[] xs = d instanceof Ddm || d instanceof Eddm ? bits : reals;
            feedCounting(d, xs, 0, 200_000);
            long before = bean.getThreadAllocatedBytes(tid);
            long n = feedCounting(d, xs, 200_000, 300_000);
            long allocated = bean.getThreadAllocatedBytes(tid) - before;
            assertThat(n).isEqualTo(100_000);
            assertThat(allocated).as(d.name()).isLessThan(4096);
        }
    }

    private static long feedCounting(ChangeDetector d, double[] xs, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            if (d.add(xs[i]) != null) {
                n++;
            }
        }
        return n;
    }

    static void assertState(String json, String field) {
        assertThatThrownBy(() -> DetectorState.fromJson(json)).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains(field));
    }
}
