package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DriftAnalyzer#analyze(DatasetProfile, DatasetProfile, Set)} and {@link ProfileDriftReport}: the decision
 * of the raw-data report applied to profile comparisons. Expected numbers come from SciPy's golden file
 * ({@code golden/two-sample-golden.json}: exact sketches give SciPy's KS) or are computed here from the inputs.
 */
class ProfileDriftReportTest {
    private static final JsonNode GOLDEN = load();
    /** Golden KS cases small enough for exact sketches (fewer values a side than the default k = 200). */
    private static final List<String> CASES = List.of("seattle temp_min january 2012 vs january 2015",
            "negative and tiny values", "huge and tiny magnitudes", "integer ties (dice)",
            "both constant, different values");

    private static JsonNode load() {
        try (InputStream in = ProfileDriftReportTest.class.getResourceAsStream("golden/two-sample-golden.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode golden(String name) {
        for (JsonNode c : GOLDEN.get("numeric")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no golden case " + name);
    }

    /** One numeric column per golden case, named c0, c1, ..., padded with missing values to equal row counts. */
    private static DatasetProfile profiles(List<String> cases, String side) {
        int rows = 0;
        for (String name : cases) {
            rows = Math.max(rows, golden(name).get(side).size());
        }
        List<ColumnProfile> cols = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            double[] v = TwoSampleGoldenTest.doubles(golden(cases.get(i)).get(side));
            cols.add(ColumnProfiler.numeric("c" + i).addAll(v).addMissing(rows - v.length).toProfile());
        }
        return DatasetProfile.of(cols);
    }

    private static double goldenP(String name) {
        return golden(name).get("expected").get("ks").get("p_value").asDouble();
    }

    private static double goldenD(String name) {
        return golden(name).get("expected").get("ks").get("statistic").asDouble();
    }

    /** Benjamini-Hochberg, written out here: the largest k with p(k) <= k alpha / m gives k alpha / m. */
    private static double benjaminiHochberg(double alpha, double[] p) {
        double[] s = p.clone();
        Arrays.sort(s);
        int m = s.length;
        for (int k = m; k >= 1; k--) {
            if (s[k - 1] <= k * alpha / m) {
                return k * alpha / m;
            }
        }
        return alpha / m;
    }

    @Test
    @DisplayName("exact sketches: each column's decision has SciPy's KS p-value and statistic, and the golden"
            + " p-values corrected together decide which columns drift")
    void goldenColumnsCorrectedTogether() {
        DatasetProfile ref = profiles(CASES, "reference");
        DatasetProfile cur = profiles(CASES, "current");
        double[] p = CASES.stream().mapToDouble(ProfileDriftReportTest::goldenP).toArray();
        for (double alpha : new double[] {0.05, 0.005}) {
            for (Correction correction : Correction.values()) {
                ProfileDriftReport r = DriftAnalyzer.builder().alpha(alpha).correction(correction).build()
                        .analyze(ref, cur);
                double threshold = switch (correction) {
                    case NONE -> alpha;
                    case BONFERRONI -> alpha / p.length;
                    case BENJAMINI_HOCHBERG -> benjaminiHochberg(alpha, p);
                };
                int drifted = 0;
                for (int i = 0; i < CASES.size(); i++) {
                    String what = CASES.get(i) + " alpha " + alpha + " " + correction;
                    ProfileDriftReport.Column c = r.column("c" + i).orElseThrow();
                    ColumnDecision d = c.decision().orElseThrow();
                    assertThat(c.inDecision()).isTrue();
                    assertThat(d.method()).isEqualTo(DriftMethod.KS);
                    assertThat(d.pValue().getAsDouble()).as(what).isCloseTo(p[i], within(1e-6 * p[i] + 1e-12));
                    assertThat(d.effectSize().getAsDouble()).as(what).isCloseTo(goldenD(CASES.get(i)),
                            within(1e-9));
                    assertThat(d.tests()).isEqualTo(CASES.size());
                    assertThat(d.threshold()).as(what).isCloseTo(threshold, within(1e-15));
                    boolean significant = p[i] <= threshold;
                    boolean large = goldenD(CASES.get(i)) >= DriftAnalyzer.DEFAULT_MIN_NUMERIC_EFFECT;
                    assertThat(d.significant()).as(what).isEqualTo(significant);
                    assertThat(d.largeEnough()).as(what).isEqualTo(large);
                    assertThat(c.drift()).as(what).isEqualTo(significant && large);
                    drifted += c.drift() ? 1 : 0;
                }
                assertThat(r.alpha()).isEqualTo(alpha);
                assertThat(r.correction()).isEqualTo(correction);
                assertThat(r.decidedColumns()).isEqualTo(CASES.size());
                assertThat(r.driftedColumns()).isEqualTo(drifted);
                assertThat(r.driftShare().getAsDouble()).isEqualTo((double) drifted / CASES.size());
                assertThat(r.datasetDrift()).isEqualTo((double) drifted / CASES.size() >= 0.5);
            }
        }
        // the golden p-values make the options matter: at alpha 0.005, BH flags three of five (the dataset drifts),
        // Bonferroni two (it does not)
        assertThat(DriftAnalyzer.builder().alpha(0.005).build().analyze(ref, cur).datasetDrift()).isTrue();
        assertThat(DriftAnalyzer.builder().alpha(0.005).correction(Correction.BONFERRONI).build().analyze(ref, cur)
                .datasetDrift()).isFalse();
    }

    @Test
    @DisplayName("alpha moves the decision: Seattle temp_min January 2012 against 2015 (SciPy p = 0.0079) drifts at"
            + " alpha 0.01, not at 0.005; the ks result is judged at the same alpha")
    void alphaChangesTheDecision() {
        String name = "seattle temp_min january 2012 vs january 2015";
        DatasetProfile ref = profiles(List.of(name), "reference");
        DatasetProfile cur = profiles(List.of(name), "current");
        double p = goldenP(name);
        double above = Math.min(0.5, p * 1.25);
        double below = p * 0.75;
        ProfileDriftReport drifts = DriftAnalyzer.builder().alpha(above).build().analyze(ref, cur);
        ProfileDriftReport quiet = DriftAnalyzer.builder().alpha(below).build().analyze(ref, cur);
        ColumnDecision d = drifts.column("c0").orElseThrow().decision().orElseThrow();
        assertThat(d.drift()).isTrue();
        assertThat(d.threshold()).isEqualTo(above); // one column: BH's threshold is alpha
        assertThat(d.reason()).endsWith(": drift").contains("over 1 columns", "ks = ");
        ColumnDecision q = quiet.column("c0").orElseThrow().decision().orElseThrow();
        assertThat(q.significant()).isFalse();
        assertThat(q.drift()).isFalse();
        assertThat(q.reason()).endsWith(": not significant");
        assertThat(drifts.datasetDrift()).isTrue();
        assertThat(quiet.datasetDrift()).isFalse();
        ProfileMethodResult ksAbove = drifts.column("c0").orElseThrow().results().get(0);
        ProfileMethodResult ksBelow = quiet.column("c0").orElseThrow().results().get(0);
        assertThat(ksAbove.method()).isEqualTo(DriftMethod.KS);
        assertThat(ksAbove.drift()).isTrue();
        assertThat(ksBelow.drift()).isFalse();
        // the minimum effect: D = 0.419 is significant at 0.05 but below a minimum of 0.5
        ProfileDriftReport small = DriftAnalyzer.builder().minNumericEffect(0.5).build().analyze(ref, cur);
        ColumnDecision s = small.column("c0").orElseThrow().decision().orElseThrow();
        assertThat(s.significant()).isTrue();
        assertThat(s.largeEnough()).isFalse();
        assertThat(s.minEffect()).isEqualTo(0.5);
        assertThat(s.reason()).endsWith(": significant but too small to count as drift");
        assertThat(small.column("c0").orElseThrow().results().get(0).threshold()).isEqualTo(0.5);
        // the dataset share: one drifted column of one reaches a share threshold of 1
        assertThat(DriftAnalyzer.builder().alpha(above).datasetDriftShare(1.0).build().analyze(ref, cur)
                .datasetDrift()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    @DisplayName("exact sketches: numeric columns are decided exactly as DriftAnalyzer decides the raw values")
    void exactProfilesDecideAsRawValues(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cols = 2 + rnd.nextInt(4);
        Map<String, ColumnValues> rawRef = new LinkedHashMap<>();
        Map<String, ColumnValues> rawCur = new LinkedHashMap<>();
        List<ColumnProfile> pr = new ArrayList<>();
        List<ColumnProfile> pc = new ArrayList<>();
        int n = 20 + rnd.nextInt(170);
        int m = 20 + rnd.nextInt(170);
        for (int c = 0; c < cols; c++) {
            double shift = rnd.nextDouble() * 0.6;
            boolean discrete = rnd.nextBoolean();
            double[] a = new double[n];
            double[] b = new double[m];
            for (int i = 0; i < n; i++) {
                a[i] = discrete ? rnd.nextInt(10) : ProfileTestData.gaussian(rnd);
            }
            for (int i = 0; i < m; i++) {
                b[i] = discrete ? rnd.nextInt(10) + (shift > 0.3 ? 1 : 0) : ProfileTestData.gaussian(rnd) + shift;
            }
            rawRef.put("x" + c, ColumnValues.numeric(a, 0));
            rawCur.put("x" + c, ColumnValues.numeric(b, 0));
            pr.add(ColumnProfiler.numeric("x" + c).addAll(a).toProfile());
            pc.add(ColumnProfiler.numeric("x" + c).addAll(b).toProfile());
        }
        for (Correction correction : Correction.values()) {
            DriftAnalyzer analyzer = DriftAnalyzer.builder().correction(correction).alpha(0.01 + rnd.nextDouble() / 10)
                    .columns(rawRef.keySet()).build();
            DriftReport raw = analyzer.analyze(rawRef, rawCur);
            ProfileDriftReport fromProfiles = analyzer.analyze(DatasetProfile.of(pr), DatasetProfile.of(pc));
            for (String name : rawRef.keySet()) {
                assertThat(fromProfiles.column(name).orElseThrow().decision())
                        .as(name + " " + correction).isEqualTo(raw.column(name).orElseThrow().decision());
            }
            assertThat(fromProfiles.driftedColumns()).isEqualTo(raw.driftedColumns());
            assertThat(fromProfiles.datasetDrift()).isEqualTo(raw.datasetDrift());
        }
    }

    @Test
    @DisplayName("inexact sketches: the effect size is statistic - error_bound, the reason names it")
    void inexactSketchesDecideOnTheLoweredStatistic() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] a = new double[5000];
        double[] b = new double[5000];
        for (int i = 0; i < a.length; i++) {
            a[i] = ProfileTestData.gaussian(rnd);
            b[i] = ProfileTestData.gaussian(rnd) + 0.3;
        }
        ProfileDriftReport r = DriftAnalyzer.builder().build().analyze(
                DatasetProfile.of(List.of(ColumnProfiler.numeric("x").addAll(a).toProfile())),
                DatasetProfile.of(List.of(ColumnProfiler.numeric("x").addAll(b).toProfile())));
        ProfileDriftReport.Column x = r.column("x").orElseThrow();
        ProfileMethodResult ks = x.results().get(0);
        assertThat(ks.errorBound()).isPositive();
        ColumnDecision d = x.decision().orElseThrow();
        assertThat(d.effectSize().getAsDouble()).isEqualTo(ks.statistic().getAsDouble() - ks.errorBound());
        assertThat(d.pValue()).isEqualTo(ks.pValue());
        assertThat(d.reason()).contains("ks - error_bound = ").endsWith(": drift");
        assertThat(r.datasetDrift()).isTrue();
    }

    @Test
    @DisplayName("categorical columns: decided by l_infinity's p-value and lowered share change; identifier-like,"
            + " datetime and undefined columns left out unless named; errors per column")
    void categoricalAndExclusions() {
        String[] refW = new String[400];
        String[] curW = new String[400];
        for (int i = 0; i < 400; i++) {
            refW[i] = i % 4 == 0 ? "rain" : "sun";
            curW[i] = i % 2 == 0 ? "rain" : "sun";
        }
        String[] ids = new String[400];
        for (int i = 0; i < 400; i++) {
            ids[i] = "id" + i;
        }
        double[] t = new double[400];
        double[] u = new double[400];
        for (int i = 0; i < 400; i++) {
            t[i] = 1.6e9 + i;
            u[i] = 1.7e9 + i;
        }
        DatasetProfile ref = DatasetProfile.of(List.of(ColumnProfiler.categorical("weather").addAll(refW).toProfile(),
                ColumnProfiler.categorical("id").addAll(ids).toProfile(),
                ColumnProfiler.numeric("time").addAll(t).toProfile(),
                ColumnProfiler.numeric("empty").addMissing(400).toProfile(),
                ColumnProfiler.numeric("kind").addAll(t).toProfile(),
                ColumnProfiler.numeric("only_ref").addAll(t).toProfile()));
        String[] ids2 = new String[400];
        for (int i = 0; i < 400; i++) {
            ids2[i] = "id" + (1000 + i);
        }
        DatasetProfile cur = DatasetProfile.of(List.of(ColumnProfiler.categorical("weather").addAll(curW).toProfile(),
                ColumnProfiler.categorical("id").addAll(ids2).toProfile(),
                ColumnProfiler.numeric("time").addAll(u).toProfile(),
                ColumnProfiler.numeric("empty").addAll(u).toProfile(),
                ColumnProfiler.categorical("kind").addAll(ids).toProfile(),
                ColumnProfiler.numeric("only_cur").addAll(u).toProfile()));
        ProfileDriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur, Set.of("time"));

        ProfileDriftReport.Column w = r.column("weather").orElseThrow();
        ProfileMethodResult linf = w.results().get(0);
        assertThat(linf.method()).isEqualTo(DriftMethod.L_INFINITY);
        assertThat(linf.errorBound()).isZero(); // exact counts
        assertThat(linf.statistic().getAsDouble()).isEqualTo(0.25); // rain 100/400 -> 200/400
        ColumnDecision d = w.decision().orElseThrow();
        assertThat(d.method()).isEqualTo(DriftMethod.L_INFINITY);
        assertThat(d.effect()).isEqualTo(DriftMethod.L_INFINITY);
        assertThat(d.effectSize().getAsDouble()).isEqualTo(0.25);
        assertThat(d.pValue()).isEqualTo(linf.pValue());
        assertThat(d.minEffect()).isEqualTo(DriftAnalyzer.DEFAULT_MIN_CATEGORICAL_EFFECT);
        assertThat(d.drift()).isTrue();
        assertThat(w.decisionMethod()).contains(DriftMethod.L_INFINITY);

        ProfileDriftReport.Column id = r.column("id").orElseThrow();
        assertThat(id.identifierLike()).isTrue();
        assertThat(id.inDecision()).isFalse();
        assertThat(id.decision()).isEmpty();
        assertThat(id.drift()).isFalse();
        assertThat(id.note()).hasValueSatisfying(n -> assertThat(n).startsWith("identifier-like column"));
        ProfileDriftReport.Column time = r.column("time").orElseThrow();
        assertThat(time.inDecision()).isFalse();
        assertThat(time.note()).hasValueSatisfying(n -> assertThat(n).startsWith("datetime column"));
        assertThat(time.results()).isNotEmpty();
        assertThat(time.type()).contains(ColumnType.DATETIME);
        assertThat(w.type()).contains(ColumnType.CATEGORICAL);
        ProfileDriftReport.Column empty = r.column("empty").orElseThrow();
        assertThat(empty.inDecision()).isFalse();
        assertThat(empty.note()).contains("ks is undefined (no finite values on one side): not in the decision");
        assertThat(empty.type()).contains(ColumnType.NUMERIC);
        assertThat(empty.referenceMissing()).hasValue(400);
        assertThat(empty.currentMissing()).hasValue(0);
        ProfileDriftReport.Column kind = r.column("kind").orElseThrow();
        assertThat(kind.error()).contains("kind changed: numeric in the reference profile, categorical in the"
                + " current one");
        assertThat(kind.results()).isEmpty();
        assertThat(kind.decision()).isEmpty();
        assertThat(r.columns()).extracting(ProfileDriftReport.Column::name)
                .containsExactly("weather", "id", "time", "empty", "kind");
        assertThat(r.skipped()).containsExactly(new SkippedColumn("only_ref", "only in the reference profile"),
                new SkippedColumn("only_cur", "only in the current profile"));
        assertThat(r.decidedColumns()).isEqualTo(1);
        assertThat(r.driftedColumns()).isEqualTo(1);
        assertThat(r.datasetDrift()).isTrue();

        // named columns are in the decision whatever they are; a named column of one profile gets an error
        ProfileDriftReport named = DriftAnalyzer.builder().columns(List.of("id", "time", "only_cur")).build()
                .analyze(ref, cur, Set.of("time"));
        assertThat(named.column("id").orElseThrow().inDecision()).isTrue();
        assertThat(named.column("time").orElseThrow().inDecision()).isTrue();
        ProfileDriftReport.Column onlyCur = named.column("only_cur").orElseThrow();
        assertThat(onlyCur.error()).contains("column 'only_cur' is not in the reference profile");
        assertThat(onlyCur.referenceMissing()).isEmpty();
        assertThat(onlyCur.referenceCount()).isEmpty();
        assertThat(onlyCur.currentCount()).hasValue(400);
        assertThat(named.decidedColumns()).isEqualTo(2);
        assertThat(named.column("id").orElseThrow().decision().orElseThrow().tests()).isEqualTo(2);
        assertThat(named.skipped()).extracting(SkippedColumn::name)
                .containsExactly("weather", "empty", "kind", "only_ref");
        assertThat(named.skipped()).allSatisfy(s -> assertThat(s.reason()).isEqualTo("not among the requested"
                + " columns"));
    }

    @Test
    @DisplayName("methods: a list shows those results in that order, one profiles cannot give empty with a note; the"
            + " decision is the same")
    void methodList() {
        String name = "negative and tiny values";
        DatasetProfile ref = profiles(List.of(name), "reference");
        DatasetProfile cur = profiles(List.of(name), "current");
        ProfileDriftReport every = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(every.column("c0").orElseThrow().results()).extracting(ProfileMethodResult::method)
                .containsExactly(DriftMethod.KS, DriftMethod.PSI, DriftMethod.JENSEN_SHANNON, DriftMethod.HELLINGER,
                        DriftMethod.TVD);
        assertThat(DriftAnalyzer.builder().methods("all").build().analyze(ref, cur)).isEqualTo(every);
        ProfileDriftReport listed = DriftAnalyzer.builder().methods("psi,chi2,wasserstein,ks").build()
                .analyze(ref, cur);
        List<ProfileMethodResult> rs = listed.column("c0").orElseThrow().results();
        assertThat(rs).extracting(ProfileMethodResult::method).containsExactly(DriftMethod.PSI, DriftMethod.CHI2,
                DriftMethod.WASSERSTEIN, DriftMethod.KS);
        assertThat(rs.get(0)).isEqualTo(every.column("c0").orElseThrow().results().get(1));
        assertThat(rs.get(1).statistic()).isEmpty();
        assertThat(rs.get(1).note()).contains("chi2 does not apply to numeric columns");
        assertThat(rs.get(2).note()).contains("wasserstein cannot be computed from profiles");
        assertThat(rs.get(2).drift()).isFalse();
        assertThat(listed.column("c0").orElseThrow().decision()).isEqualTo(every.column("c0").orElseThrow()
                .decision());
    }

    @Test
    @DisplayName("JSON: the raw report's style, every number the report's, null drift_share with a note")
    void json() throws IOException {
        DatasetProfile ref = profiles(CASES, "reference");
        DatasetProfile cur = profiles(CASES, "current");
        ProfileDriftReport r = DriftAnalyzer.builder().alpha(0.01).correction(Correction.BONFERRONI).build()
                .analyze(ref, cur, Set.of("c4"));
        String text = DriftReportJson.toJson(r);
        assertThat(DriftReportJson.toJson(r)).isEqualTo(text);
        JsonNode j = new ObjectMapper().readTree(text);
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("reference_rows", "current_rows", "alpha", "correction", "columns",
                "skipped", "decided_columns", "drifted_columns", "drift_share", "share_threshold", "dataset_drift");
        assertThat(j.get("alpha").asDouble()).isEqualTo(0.01);
        assertThat(j.get("correction").asText()).isEqualTo("bonferroni");
        assertThat(j.get("reference_rows").asLong()).isEqualTo(ref.rows());
        assertThat(j.get("decided_columns").asInt()).isEqualTo(r.decidedColumns()).isEqualTo(4);
        assertThat(j.get("drifted_columns").asInt()).isEqualTo(r.driftedColumns());
        assertThat(j.get("drift_share").asDouble()).isEqualTo(r.driftShare().getAsDouble());
        assertThat(j.get("share_threshold").asDouble()).isEqualTo(0.5);
        assertThat(j.get("dataset_drift").asBoolean()).isEqualTo(r.datasetDrift());
        for (int i = 0; i < CASES.size(); i++) {
            ProfileDriftReport.Column c = r.columns().get(i);
            JsonNode jc = j.get("columns").get(i);
            assertThat(jc.get("name").asText()).isEqualTo(c.name());
            assertThat(jc.get("kind").asText()).isEqualTo("numeric");
            assertThat(jc.get("type").asText()).isEqualTo(c.name().equals("c4") ? "datetime" : "numeric");
            // padded with missing values up to the longest golden case
            assertThat(jc.get("reference_missing").asLong()).isEqualTo(ref.rows() - c.referenceCount().getAsLong())
                    .isEqualTo(c.referenceMissing().getAsLong());
            assertThat(jc.get("current_missing").asLong()).isEqualTo(cur.rows() - c.currentCount().getAsLong());
            assertThat(jc.get("reference_count").asLong()).isEqualTo(c.referenceCount().getAsLong());
            assertThat(jc.get("current_count").asLong()).isEqualTo(c.currentCount().getAsLong());
            assertThat(jc.get("in_decision").asBoolean()).isEqualTo(c.inDecision());
            assertThat(jc.get("drift").asBoolean()).isEqualTo(c.drift());
            assertThat(jc.get("decision_method").asText()).isEqualTo("ks");
            assertThat(jc.get("results").size()).isEqualTo(c.results().size());
            for (int k = 0; k < c.results().size(); k++) {
                ProfileMethodResult m = c.results().get(k);
                JsonNode jm = jc.get("results").get(k);
                assertThat(jm.get("method").asText()).isEqualTo(m.method().id());
                assertThat(jm.get("statistic").asDouble()).isEqualTo(m.statistic().getAsDouble());
                assertThat(jm.get("error_bound").asDouble()).isEqualTo(m.errorBound());
                assertThat(jm.has("p_value")).isEqualTo(m.pValue().isPresent());
                assertThat(jm.get("threshold").asDouble()).isEqualTo(m.threshold());
                assertThat(jm.get("drift").asBoolean()).isEqualTo(m.drift());
            }
            if (c.decision().isPresent()) {
                ColumnDecision d = c.decision().get();
                JsonNode jd = jc.get("decision");
                assertThat(jd.get("method").asText()).isEqualTo("ks");
                assertThat(jd.get("p_value").asDouble()).isEqualTo(d.pValue().getAsDouble());
                assertThat(jd.get("alpha").asDouble()).isEqualTo(0.01);
                assertThat(jd.get("correction").asText()).isEqualTo("bonferroni");
                assertThat(jd.get("tests").asInt()).isEqualTo(4);
                assertThat(jd.get("threshold").asDouble()).isEqualTo(0.01 / 4);
                assertThat(jd.get("effect_size").asDouble()).isEqualTo(d.effectSize().getAsDouble());
                assertThat(jd.get("min_effect").asDouble()).isEqualTo(d.minEffect());
                assertThat(jd.get("significant").asBoolean()).isEqualTo(d.significant());
                assertThat(jd.get("drift").asBoolean()).isEqualTo(d.drift());
                assertThat(jd.get("reason").asText()).isEqualTo(d.reason());
            } else {
                assertThat(c.name()).isEqualTo("c4");
                assertThat(jc.get("decision").isNull()).isTrue();
                assertThat(jc.get("note").asText()).startsWith("datetime column");
            }
        }
        // nothing decided: drift_share null with a note
        ProfileDriftReport none = DriftAnalyzer.builder().build().analyze(ref, cur, Set.of("c0", "c1", "c2", "c3",
                "c4"));
        JsonNode n = new ObjectMapper().readTree(DriftReportJson.toJson(none));
        assertThat(n.get("drift_share").isNull()).isTrue();
        assertThat(n.get("note").asText()).isEqualTo("no column was in the drift decision");
        assertThat(n.get("dataset_drift").asBoolean()).isFalse();
        assertThat(none.driftShare()).isEmpty();
    }

    @Test
    @DisplayName("bad input: alpha outside (0, 1), null profiles, a requested column in neither profile")
    void badInput() {
        for (double alpha : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> DriftAnalyzer.builder().alpha(alpha)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("alpha must be in (0, 1)")
                    .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("alpha"));
        }
        DatasetProfile p = profiles(List.of(CASES.get(0)), "reference");
        assertThatThrownBy(() -> DriftAnalyzer.builder().build().analyze((DatasetProfile) null, p))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("reference profile must not be null");
        assertThatThrownBy(() -> DriftAnalyzer.builder().build().analyze(p, (DatasetProfile) null))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("current profile must not be null");
        assertThatThrownBy(() -> DriftAnalyzer.builder().build().analyze(p, p, null))
                .isInstanceOf(InvalidArgumentException.class)
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("datetimeColumns"));
        assertThatThrownBy(() -> DriftAnalyzer.builder().columns(List.of("c0", "nope")).build().analyze(p, p))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("column 'nope' is in neither the reference nor the current profile")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("columns"));
    }
}
