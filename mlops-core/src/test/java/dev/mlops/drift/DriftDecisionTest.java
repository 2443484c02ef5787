package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decision rule on real data: false alarms on seeded resamplings of the same data stay at or below the nominal
 * level from 100 to 1,000,000 rows a side, the stated power (a shift of 0.3 standard deviations, a 10-point change of
 * a category's share, from 10,000 rows a side), and real shifts (Seattle winter against summer, January against March
 * flight delays).
 */
class DriftDecisionTest {
    private static final double ALPHA = 0.05;
    private static final DriftData.Table SEATTLE = new DriftData.Table(DriftData.seattle());

    /** The most false alarms out of {@code trials} that a rate of at most alpha explains (mean + 3 sd). */
    private static long allowed(long trials) {
        return (long) Math.floor(ALPHA * trials + 3 * Math.sqrt(trials * ALPHA * (1 - ALPHA)));
    }

    /**
     * The most false alarms out of {@code trials} independent resamplings that a column whose test holds its level
     * alpha explains: the smallest c with {@code P(Binomial(trials, alpha) > c) <= 0.001}. A correct column fails
     * this with probability at most 0.1% (the runs are seeded, so a pass is reproducible); a column that alarms at
     * twice the nominal rate is caught with a probability of about 0.6 at 300 trials and 0.998 at 1,000, one at the
     * 23% that pooling the columns used to hide, always.
     */
    static long allowedFalseAlarms(long trials) {
        return BinomialDistribution.of(Math.toIntExact(trials), ALPHA).inverseSurvivalProbability(1e-3);
    }

    @Test
    void theToleranceIsTheBinomialQuantile() {
        // P(Binomial(1000, 0.05) > 73) = 0.00065 <= 0.001 < P(> 72) = 0.00101 (computed independently with SciPy
        // 1.17: binom.sf(73, 1000, 0.05), binom.sf(72, 1000, 0.05))
        assertThat(allowedFalseAlarms(1000)).isEqualTo(73);
        assertThat(allowedFalseAlarms(300)).isLessThan(30); // below 10%: a doubled rate is visible
        assertThat(allowedFalseAlarms(200)).isLessThan(22);
    }

    /**
     * Rows a side, resamplings of all five columns, and resamplings of the categorical column alone (cheap, so many
     * more: a chi-squared test with sparse cells is where a level could be missed). 100 to 10,000 rows: the exact KS
     * path; 20,000 and 30,000: the asymptotic KS path, where significance at 0.05 already needs
     * {@code D > 1.36 sqrt(2 / n) >= 0.011}, so the minimum effect of 0.01 removes nothing and the test decides
     * alone; 100,000 and 1,000,000: the minimum effect removes every alarm.
     */
    @ParameterizedTest(name = "{0} rows a side, {1} resamplings, {2} more of the categorical column")
    @CsvSource({"100, 1000, 3000", "1000, 400, 1600", "10000, 200, 300", "20000, 200, 100", "30000, 200, 100",
        "100000, 3, 0", "1000000, 1, 0"})
    void sameDistributionStaysAtTheNominalLevel(int n, int reps, int categoricalReps) {
        falseAlarms(n, reps, categoricalReps, 11 + n);
    }

    @Tag("soak")
    @ParameterizedTest(name = "soak: {0} rows a side, {1} resamplings, {2} more of the categorical column")
    @CsvSource({"100, 5000, 10000", "1000, 2000, 5000", "10000, 1000, 2000", "20000, 1000, 1000",
        "30000, 1000, 1000", "100000, 100, 100", "1000000, 20, 20"})
    void sameDistributionStaysAtTheNominalLevelSoak(int n, int reps, int categoricalReps) {
        falseAlarms(n, reps, categoricalReps, 7 + n);
    }

    /**
     * Two resamplings of the Seattle rows (4 numeric columns and {@code weather}) per repetition. Without correction
     * each column's decision is a level-alpha test, so each column on its own may drift in at most alpha of the
     * repetitions (within {@link #allowedFalseAlarms}); with Benjamini-Hochberg (the default) at most alpha of the
     * reports may flag any column, and the dataset may drift in at most alpha of them. From 100,000 rows on, the
     * minimum effect size leaves no room for any false alarm at all.
     *
     * <p>To keep the run short, each repetition is analysed once, without correction, and Benjamini-Hochberg is
     * applied to its five p-values by hand ({@link #benjaminiHochbergDrifts}); the first repetitions are also
     * analysed by the default analyzer, which must decide exactly as the hand computation.
     */
    private static void falseAlarms(int n, int reps, int categoricalReps, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DriftAnalyzer uncorrected = DriftAnalyzer.builder().correction(Correction.NONE).build();
        DriftAnalyzer corrected = DriftAnalyzer.builder().build();
        Map<String, long[]> alarms = new LinkedHashMap<>(); // column -> {alarms, trials}
        long reportsWithAlarm = 0;
        long datasetAlarms = 0;
        long heldBackByMinimumEffect = 0;
        for (int i = 0; i < reps; i++) {
            Map<String, ColumnValues> ref = SEATTLE.resample(rnd, n);
            Map<String, ColumnValues> cur = SEATTLE.resample(rnd, n);
            DriftReport raw = uncorrected.analyze(ref, cur);
            assertThat(raw.decidedColumns()).isEqualTo(5);
            List<ColumnDecision> decisions = new ArrayList<>();
            for (ColumnReport c : raw.columns()) {
                long[] a = alarms.computeIfAbsent(c.name(), k -> new long[2]);
                a[0] += c.drift() ? 1 : 0;
                a[1]++;
                ColumnDecision d = c.decision().orElseThrow();
                decisions.add(d);
                if (!c.name().equals("weather") && d.significant() && !d.largeEnough()) {
                    heldBackByMinimumEffect++;
                }
            }
            boolean[] bh = benjaminiHochbergDrifts(decisions);
            int drifted = 0;
            for (boolean b : bh) {
                drifted += b ? 1 : 0;
            }
            reportsWithAlarm += drifted > 0 ? 1 : 0;
            datasetAlarms += drifted >= DriftAnalyzer.DEFAULT_SHARE * 5 ? 1 : 0;
            if (i < 10) {
                DriftReport r = corrected.analyze(ref, cur);
                for (int c = 0; c < 5; c++) {
                    ColumnDecision d = r.columns().get(c).decision().orElseThrow();
                    assertThat(d.tests()).isEqualTo(5);
                    assertThat(d.threshold()).isBetween(ALPHA / 5, ALPHA);
                    assertThat(d.drift()).as(d.reason()).isEqualTo(bh[c]);
                }
                assertThat(r.datasetDrift()).isEqualTo(drifted >= DriftAnalyzer.DEFAULT_SHARE * 5);
            }
        }
        long[] weather = alarms.get("weather");
        for (int i = 0; i < categoricalReps; i++) {
            DriftReport r = uncorrected.analyze(Map.of("weather", weatherResample(rnd, n)),
                    Map.of("weather", weatherResample(rnd, n)));
            weather[0] += r.columns().get(0).drift() ? 1 : 0;
            weather[1]++;
        }
        assertThat(alarms.keySet()).containsExactly("precipitation", "temp_max", "temp_min", "wind", "weather");
        alarms.forEach((column, a) -> assertThat(a[0])
                .as("%s: false alarms without correction in %d resamplings (%.1f%%)", column, a[1], 100.0 * a[0] / a[1])
                .isLessThanOrEqualTo(allowedFalseAlarms(a[1])));
        assertThat(reportsWithAlarm).as("reports with any false alarm (Benjamini-Hochberg), of %d", reps)
                .isLessThanOrEqualTo(allowedFalseAlarms(reps));
        assertThat(datasetAlarms).as("dataset false alarms, of %d", reps)
                .isLessThanOrEqualTo(allowedFalseAlarms(reps));
        if (n <= 30_000) {
            // the KS test decides alone: no significant numeric column was held back by the minimum effect
            assertThat(heldBackByMinimumEffect).as("significant numeric columns below the minimum effect").isZero();
        }
        if (n >= 100_000) {
            alarms.forEach((column, a) -> assertThat(a[0]).as(column).isZero());
        }
    }

    /**
     * Benjamini-Hochberg at alpha over the decisions' uncorrected p-values: the threshold is {@code k alpha / m} for
     * the largest k with {@code p(k) <= k alpha / m} ({@code alpha / m} when there is none); a column drifts when its
     * p-value is at most the threshold and its effect reaches the minimum.
     */
    static boolean[] benjaminiHochbergDrifts(List<ColumnDecision> decisions) {
        int m = decisions.size();
        double[] p = new double[m];
        for (int i = 0; i < m; i++) {
            p[i] = decisions.get(i).pValue().orElseThrow();
        }
        double[] sorted = p.clone();
        java.util.Arrays.sort(sorted);
        double threshold = ALPHA / m;
        for (int k = m; k >= 1; k--) {
            if (sorted[k - 1] <= k * ALPHA / m) {
                threshold = k * ALPHA / m;
                break;
            }
        }
        boolean[] out = new boolean[m];
        for (int i = 0; i < m; i++) {
            out[i] = p[i] <= threshold && decisions.get(i).largeEnough();
        }
        return out;
    }

    private static ColumnValues weatherResample(SplittableRandom rnd, int n) {
        String[] w = new String[n];
        for (int i = 0; i < n; i++) {
            w[i] = SEATTLE.weather[rnd.nextInt(SEATTLE.rows())];
        }
        return ColumnValues.categorical(w, 0);
    }

    @Test
    void aSignificantButTinyDifferenceAtAMillionRowsIsNotFlagged() {
        // Two resamplings of the January delays, a million a side, and 0.5% of the current flights 30 minutes
        // later: significant at this size, but far below one point of a cumulative share.
        SplittableRandom rnd = new SplittableRandom(5);
        double[] jan = DriftData.delaysJanuaryMarch()[0];
        double[] ref = DriftData.resample(rnd, jan, 1_000_000);
        double[] cur = DriftData.resample(rnd, jan, 1_000_000);
        for (int i = 0; i < cur.length; i += 200) {
            cur[i] += 30;
        }
        DriftReport r = DriftAnalyzer.builder().build().analyze(Map.of("delay", ColumnValues.numeric(ref, 0)),
                Map.of("delay", ColumnValues.numeric(cur, 0)));
        ColumnDecision d = r.columns().get(0).decision().orElseThrow();
        assertThat(d.significant()).as(d.reason()).isTrue();
        assertThat(d.largeEnough()).as(d.reason()).isFalse();
        assertThat(d.drift()).isFalse();
        assertThat(d.reason()).contains("significant but too small");
    }

    @ParameterizedTest(name = "0.3 sd of {0} at {1} rows a side")
    @CsvSource({"temp_max, 10000", "wind, 10000", "temp_max, 100000"})
    void aShiftOfThreeTenthsOfAStandardDeviationIsFound(String column, int n) {
        SplittableRandom rnd = new SplittableRandom(31 + n);
        DriftAnalyzer analyzer = DriftAnalyzer.builder().build();
        int reps = n == 10000 ? 20 : 2;
        long others = 0;
        for (int i = 0; i < reps; i++) {
            Map<String, ColumnValues> ref = SEATTLE.resample(rnd, n);
            Map<String, ColumnValues> cur = SEATTLE.resample(rnd, n);
            double[] v = cur.get(column).numbers();
            double sd = populationSd(ref.get(column).numbers());
            for (int j = 0; j < v.length; j++) {
                v[j] += 0.3 * sd;
            }
            DriftReport r = analyzer.analyze(ref, cur);
            ColumnReport c = r.column(column).orElseThrow();
            assertThat(c.drift()).as(c.decision().orElseThrow().reason()).isTrue();
            others += r.driftedColumns() - 1;
        }
        // Benjamini-Hochberg keeps the share of false alarms among the flagged columns at alpha, not the other
        // columns' alarms at zero: once one column is flagged, the others are judged at 2 alpha / 5.
        assertThat(others).as("false alarms in the four unchanged columns").isLessThanOrEqualTo(allowed(4L * reps));
    }

    @Test
    void aShiftOfThreeTenthsOfAStandardDeviationIsFoundInGaussianData() {
        SplittableRandom rnd = new SplittableRandom(3);
        DriftAnalyzer analyzer = DriftAnalyzer.builder().build();
        for (int i = 0; i < 20; i++) {
            double[] ref = new double[10_000];
            double[] cur = new double[10_000];
            for (int j = 0; j < ref.length; j++) {
                ref[j] = 100 + 7 * rnd.nextGaussian();
                cur[j] = 100 + 7 * (rnd.nextGaussian() + 0.3);
            }
            DriftReport r = analyzer.analyze(Map.of("x", ColumnValues.numeric(ref, 0)),
                    Map.of("x", ColumnValues.numeric(cur, 0)));
            assertThat(r.columns().get(0).drift()).isTrue();
        }
    }

    @ParameterizedTest(name = "10 points from {0} to {1} at {2} rows a side")
    @CsvSource({"sun, rain, 10000", "rain, fog, 10000", "sun, drizzle, 100000"})
    void aTenPointChangeOfACategorysShareIsFound(String from, String to, int n) {
        SplittableRandom rnd = new SplittableRandom(41 + n);
        DriftAnalyzer analyzer = DriftAnalyzer.builder().build();
        int reps = n == 10000 ? 20 : 2;
        long others = 0;
        for (int i = 0; i < reps; i++) {
            Map<String, ColumnValues> ref = SEATTLE.resample(rnd, n);
            Map<String, ColumnValues> cur = SEATTLE.resample(rnd, n);
            String[] w = cur.get("weather").categories();
            List<Integer> at = new ArrayList<>();
            for (int j = 0; j < w.length; j++) {
                if (w[j].equals(from)) {
                    at.add(j);
                }
            }
            for (int k = 0; k < n / 10; k++) { // exactly 10 points of the current rows move
                int pick = rnd.nextInt(at.size());
                w[at.get(pick)] = to;
                at.set(pick, at.get(at.size() - 1));
                at.remove(at.size() - 1);
            }
            DriftReport r = analyzer.analyze(ref, cur);
            ColumnReport c = r.column("weather").orElseThrow();
            ColumnDecision d = c.decision().orElseThrow();
            assertThat(c.drift()).as(d.reason()).isTrue();
            assertThat(d.method()).isEqualTo(DriftMethod.CHI2);
            assertThat(d.effect()).isEqualTo(DriftMethod.L_INFINITY);
            assertThat(d.effectSize().getAsDouble()).isBetween(0.07, 0.13);
            others += r.driftedColumns() - 1;
        }
        assertThat(others).as("false alarms in the four unchanged columns").isLessThanOrEqualTo(allowed(4L * reps));
    }

    @Test
    void seattleWinterAgainstSummerDrifts() {
        List<String[]> winter = new ArrayList<>();
        List<String[]> summer = new ArrayList<>();
        for (String[] row : DriftData.seattle()) {
            int month = Integer.parseInt(row[0].substring(5, 7));
            if (month == 12 || month <= 2) {
                winter.add(row);
            } else if (month >= 6 && month <= 8) {
                summer.add(row);
            }
        }
        DriftReport r = DriftAnalyzer.builder().build().analyze(DriftData.seattleColumns(winter),
                DriftData.seattleColumns(summer));
        assertThat(r.referenceRows()).isEqualTo(361);
        assertThat(r.currentRows()).isEqualTo(368);
        ColumnReport t = r.column("temp_max").orElseThrow();
        ColumnDecision d = t.decision().orElseThrow();
        assertThat(d.drift()).isTrue();
        assertThat(d.pValue().getAsDouble()).isLessThan(1e-100);
        assertThat(d.effectSize().getAsDouble()).isGreaterThan(0.9);
        assertThat(d.reason()).startsWith("ks p = ").contains("over 5 columns").endsWith(": drift");
        assertThat(r.datasetDrift()).isTrue();
        assertThat(r.driftShare().getAsDouble()).isEqualTo((double) r.driftedColumns() / 5);
        // winter's temperatures lie below summer's: the range check reports it first
        assertThat(r.checks()).anySatisfy(q -> {
            assertThat(q.kind()).isEqualTo(QualityCheck.Kind.OUT_OF_RANGE);
            assertThat(q.column()).isEqualTo("temp_max");
            assertThat(q.numbers().get("above")).isGreaterThan(100);
        });
    }

    @Test
    void januaryAgainstMarchFlightDelaysDrift() {
        double[][] d = DriftData.delaysJanuaryMarch();
        assertThat(d[0]).hasSize(508_239);
        assertThat(d[1]).hasSize(511_502);
        DriftReport r = DriftAnalyzer.builder().build().analyze(Map.of("delay", ColumnValues.numeric(d[0], 0)),
                Map.of("delay", ColumnValues.numeric(d[1], 0)));
        ColumnDecision dec = r.columns().get(0).decision().orElseThrow();
        assertThat(dec.drift()).as(dec.reason()).isTrue();
        assertThat(dec.pValue().getAsDouble()).isLessThan(1e-50);
        assertThat(dec.effectSize().getAsDouble()).isBetween(0.02, 0.03); // 2.1 points, as SciPy's ks_2samp gives
        assertThat(dec.reason()).isEqualTo("ks p = 1.677e-100 <= 0.05000 (benjamini_hochberg of alpha 0.05000 over 1"
                + " columns) and ks = 0.02126 >= 0.01000: drift");
        assertThat(r.datasetDrift()).isTrue();
    }

    @Test
    void theFourThousandFlightSampleIsTooSmallToSeeTheDelayShift() {
        // The same change of 2 points in a cumulative share needs far more flights than the 4,000-row sample has
        // (about 1,400 a month): the decision says so instead of guessing.
        List<String[]> rows = DriftData.csv("/dev/mlops/drift/golden/flights-4k.csv");
        List<Double> jan = new ArrayList<>();
        List<Double> mar = new ArrayList<>();
        for (String[] row : rows.subList(1, rows.size())) {
            String month = row[0].substring(5, 7);
            if (month.equals("01")) {
                jan.add(Double.parseDouble(row[1]));
            } else if (month.equals("03")) {
                mar.add(Double.parseDouble(row[1]));
            }
        }
        Map<String, ColumnValues> ref = new LinkedHashMap<>();
        ref.put("delay", ColumnValues.numeric(jan.stream().mapToDouble(Double::doubleValue).toArray(), 0));
        Map<String, ColumnValues> cur = new LinkedHashMap<>();
        cur.put("delay", ColumnValues.numeric(mar.stream().mapToDouble(Double::doubleValue).toArray(), 0));
        ColumnDecision d = DriftAnalyzer.builder().build().analyze(ref, cur).columns().get(0).decision().orElseThrow();
        assertThat(d.significant()).as(d.reason()).isFalse();
        assertThat(d.pValue().getAsDouble()).isGreaterThan(0.5);
    }

    private static double populationSd(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / v.length);
    }
}
