package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.internal.drift.NumericBins;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class DriftReportHtmlTest {
    private static final String XHTML = "http://www.w3.org/1999/xhtml";
    private static final String SVG = "http://www.w3.org/2000/svg";

    @Test
    @DisplayName("Seattle winter against summer: one section and one chart per column, the numbers, no script or URL")
    void seattleWinterSummer() throws Exception {
        List<String[]> rows = DriftData.seattle();
        List<String[]> winter = rows.stream().filter(r -> Set.of("12", "01", "02").contains(r[0].substring(5, 7)))
                .toList();
        List<String[]> summer = rows.stream().filter(r -> Set.of("06", "07", "08").contains(r[0].substring(5, 7)))
                .toList();
        Map<String, ColumnValues> ref = DriftData.seattleColumns(winter);
        Map<String, ColumnValues> cur = DriftData.seattleColumns(summer);
        DriftReport report = DriftAnalyzer.builder().methods("all").build().analyze(ref, cur);
        String html = DriftReportHtml.toHtml(report, ref, cur, "winter vs summer");
        Document doc = parse(html);

        assertSelfContained(doc, html);
        Element summary = sections(doc, "summary").get(0);
        String summaryText = summary.getTextContent();
        assertThat(summaryText).contains(Long.toString(winter.size()), Long.toString(summer.size()),
                report.driftedColumns() + " of " + report.decidedColumns() + " decided",
                num(report.driftShare().getAsDouble()), "Dataset drift: YES");
        for (QualityCheck c : report.checks()) {
            assertThat(summaryText).contains(c.kind().id(), c.message());
        }

        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(report.columns().size()).hasSize(5);
        for (int i = 0; i < columns.size(); i++) {
            Element s = columns.get(i);
            ColumnReport c = report.columns().get(i);
            assertThat(text(s, "h2")).startsWith(c.name());
            assertThat(s.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
            String t = s.getTextContent();
            ColumnDecision d = c.decision().orElseThrow();
            assertThat(t).contains(d.reason(), num(d.pValue().getAsDouble()), num(d.effectSize().getAsDouble()),
                    num(d.threshold()), d.method().id(), d.effect().id());
            for (MethodResult m : c.results()) {
                assertThat(t).contains(m.method().id());
                m.statistic().ifPresent(v -> assertThat(t).contains(num(v)));
            }
            assertThat(s.getAttribute("class")).isEqualTo(c.drift() ? "column drift" : "column ok");
            // the bins table: the reference's bins, counts of both sides
            long[][] counts = binCounts(s);
            if (c.type().orElseThrow() == ColumnType.NUMERIC) {
                double[] sorted = ref.get(c.name()).numbers().clone();
                Arrays.sort(sorted);
                NumericBins bins = NumericBins.fit(sorted);
                assertThat(counts[0]).containsExactly(bins.counts(ref.get(c.name()).numbers()));
                assertThat(counts[1]).containsExactly(bins.counts(cur.get(c.name()).numbers()));
                // bars: two per bin
                assertThat(s.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * bins.size());
            } else {
                assertThat(Arrays.stream(counts[0]).sum()).isEqualTo(winter.size());
                assertThat(Arrays.stream(counts[1]).sum()).isEqualTo(summer.size());
                assertThat(t).contains("rain", "sun");
            }
        }
    }

    @Test
    @DisplayName("hostile column names and categories are escaped; errors and skipped columns have no chart")
    void escapesUserText() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>";
        String category = "\"'&<script>alert(2)</script>";
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, ColumnValues> ref = new LinkedHashMap<>();
        Map<String, ColumnValues> cur = new LinkedHashMap<>();
        ref.put(hostile, ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        cur.put(hostile, ColumnValues.numeric(rnd.doubles(200).map(x -> x + 0.5).toArray(), 3));
        String[] a = new String[200]; // every column of one side has as many rows
        String[] b = new String[203];
        for (int i = 0; i < b.length; i++) {
            if (i < a.length) {
                a[i] = i % 3 == 0 ? category : "plain";
            }
            b[i] = i % 2 == 0 ? category : "plain";
        }
        ref.put("cat&<egory>", ColumnValues.categorical(a, 0));
        cur.put("cat&<egory>", ColumnValues.categorical(b, 0));
        ref.put("changes type", ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        String[] letters = new String[203];
        Arrays.fill(letters, "x");
        cur.put("changes type", ColumnValues.categorical(letters, 0));
        ref.put("only <ref>", ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        DriftReport report = DriftAnalyzer.builder().build().analyze(ref, cur);
        String html = DriftReportHtml.toHtml(report, ref, cur, "a <title> & \"more\"");

        assertThat(html).doesNotContain("<img", "<script", "alert(2)</");
        Document doc = parse(html);
        assertSelfContained(doc, html);
        assertThat(doc.getElementsByTagNameNS(XHTML, "img").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS(XHTML, "title").item(0).getTextContent())
                .isEqualTo("a <title> & \"more\"");
        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(report.columns().size());
        Element first = columns.get(0);
        assertThat(text(first, "code")).isEqualTo(hostile);
        assertThat(first.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
        Element cat = columns.stream().filter(e -> text(e, "code").equals("cat&<egory>")).findFirst().orElseThrow();
        assertThat(cat.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
        assertThat(cat.getTextContent()).contains(category, "per category");
        assertThat(first.getTextContent()).contains("per bin");
        // bin edges of random doubles are shown to 6 significant digits
        NodeList cells = binsTable(first).getElementsByTagNameNS(XHTML, "td");
        int labels = 0;
        for (int i = 0; i < cells.getLength(); i += 3) {
            String label = cells.item(i).getTextContent();
            assertThat(label).matches("[<>\\[(].*");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+(\\.\\d+)?").matcher(label);
            while (m.find()) {
                assertThat(m.group().replace(".", "").replaceFirst("^0+", "")).as(label).hasSizeLessThanOrEqualTo(6);
            }
            labels++;
        }
        assertThat(labels).isEqualTo(12); // ten deciles' intervals and the bins below and above

        long[][] counts = binCounts(cat);
        assertThat(counts[0]).containsExactlyInAnyOrder(67, 133);
        assertThat(counts[1]).containsExactlyInAnyOrder(102, 101);
        Element changed = columns.stream().filter(e -> text(e, "code").equals("changes type")).findFirst()
                .orElseThrow();
        assertThat(changed.getAttribute("class")).isEqualTo("column error");
        assertThat(changed.getElementsByTagNameNS(SVG, "svg").getLength()).isZero();
        assertThat(changed.getTextContent()).contains("type changed");
        assertThat(doc.getDocumentElement().getTextContent()).contains("only <ref>");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("random categorical columns: at most MAX_CATEGORIES bars, counts sum to the values on each side")
    void manyCategories(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int kinds = 1 + rnd.nextInt(80);
        String[] a = new String[50 + rnd.nextInt(500)];
        String[] b = new String[50 + rnd.nextInt(500)];
        for (int i = 0; i < a.length; i++) {
            a[i] = "c" + rnd.nextInt(kinds);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = "c" + rnd.nextInt(kinds + 5);
        }
        Map<String, ColumnValues> ref = Map.of("k", ColumnValues.categorical(a, 0));
        Map<String, ColumnValues> cur = Map.of("k", ColumnValues.categorical(b, 2));
        DriftReport report = DriftAnalyzer.builder().build().analyze(ref, cur);
        Document doc = parse(DriftReportHtml.toHtml(report, ref, cur, "t"));
        Element s = sections(doc, "column").get(0);
        long[][] counts = binCounts(s);
        Set<String> distinct = new HashSet<>(Arrays.asList(a));
        distinct.addAll(Arrays.asList(b));
        assertThat(counts[0]).hasSize(Math.min(distinct.size(), DriftReportHtml.MAX_CATEGORIES));
        assertThat(Arrays.stream(counts[0]).sum()).isEqualTo(a.length);
        assertThat(Arrays.stream(counts[1]).sum()).isEqualTo(b.length);
        assertThat(s.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * counts[0].length);
        if (distinct.size() > DriftReportHtml.MAX_CATEGORIES) {
            assertThat(s.getTextContent()).contains((distinct.size() - DriftReportHtml.MAX_CATEGORIES + 1)
                    + " other categories");
        }
    }

    // ---- the page of a profile comparison ----

    /** Profiles of analyzer columns (numeric values and missing counts, or categories). */
    private static DatasetProfile profile(Map<String, ColumnValues> cols, ProfileOptions options) {
        List<ColumnProfile> out = new ArrayList<>();
        cols.forEach((name, v) -> {
            ColumnProfiler p = v.categories() != null ? ColumnProfiler.categorical(name, options)
                    : ColumnProfiler.numeric(name, options);
            if (v.categories() != null) {
                p.addAll(v.categories());
            } else {
                p.addAll(v.numbers());
            }
            out.add(p.toProfile());
        });
        return DatasetProfile.of(out);
    }

    @Test
    @DisplayName("profiles of Seattle winter and summer: sections, charts, results with error_bound, shares near the raw"
            + " ones")
    void profilesSeattleWinterSummer() throws Exception {
        List<String[]> rows = DriftData.seattle();
        List<String[]> winter = rows.stream().filter(r -> Set.of("12", "01", "02").contains(r[0].substring(5, 7)))
                .toList();
        List<String[]> summer = rows.stream().filter(r -> Set.of("06", "07", "08").contains(r[0].substring(5, 7)))
                .toList();
        Map<String, ColumnValues> rawRef = DriftData.seattleColumns(winter);
        Map<String, ColumnValues> rawCur = DriftData.seattleColumns(summer);
        DatasetProfile ref = profile(rawRef, ProfileOptions.defaults());
        DatasetProfile cur = profile(rawCur, ProfileOptions.defaults());
        List<String> names = new ArrayList<>(rawRef.keySet());
        // a column only in the current profile, with a name to escape: listed as skipped
        List<ColumnProfile> plus = new ArrayList<>(cur.columns());
        plus.add(ColumnProfiler.numeric("<profiled>").addAll(new double[(int) cur.rows()]).toProfile());
        DatasetProfile curPlus = DatasetProfile.of(plus);
        ProfileDriftReport report = DriftAnalyzer.builder().build().analyze(ref, curPlus);
        String html = DriftReportHtml.toHtml(report, ref, curPlus, "winter & summer");
        assertThat(DriftReportHtml.toHtml(report, ref, curPlus, "winter & summer")).isEqualTo(html);
        Document doc = parse(html);
        assertSelfContained(doc, html);

        int decided = 0;
        int drifted = 0;
        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(5);
        for (int i = 0; i < columns.size(); i++) {
            Element s = columns.get(i);
            String name = names.get(i);
            // the page shows the report's results and decision; the results are ProfileComparison's
            List<ProfileMethodResult> results = ProfileComparison.compare(ref.column(name).orElseThrow(),
                    cur.column(name).orElseThrow());
            ProfileDriftReport.Column col = report.column(name).orElseThrow();
            assertThat(col.results()).isEqualTo(results);
            ColumnDecision d = col.decision().orElseThrow();
            decided++;
            drifted += d.drift() ? 1 : 0;
            assertThat(text(s, "code")).isEqualTo(name);
            assertThat(s.getAttribute("class")).isEqualTo(d.drift() ? "column drift" : "column ok");
            assertThat(s.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
            assertResultsTable(s, results);
            assertThat(decisionText(s)).contains(d.reason(), num(d.threshold()), num(d.minEffect()),
                    d.drift() ? "Driftyes" : "Driftno");
            List<String[]> bins = binRows(s);
            assertThat(s.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * bins.size());
            if (!name.equals("weather")) {
                // inexact sketches (361 and 368 values, k 200): each shown share within its error of the raw share
                // of the same bin, and the bins are the binned methods' bins
                dev.mlops.internal.drift.ProfileStatistics.Histogram hist = dev.mlops.internal.drift.ProfileStatistics
                        .histogram(ref.column(name).orElseThrow(), cur.column(name).orElseThrow());
                assertThat(bins).hasSize(hist.size());
                double[][] raw = {rawShares(rawRef.get(name).numbers(), hist), rawShares(rawCur.get(name).numbers(),
                        hist)};
                for (int b = 0; b < bins.size(); b++) {
                    for (int side = 0; side < 2; side++) {
                        String cell = bins.get(b)[side + 1];
                        assertThat(cell).as(name).matches("[0-9.]+% \u00b1 [0-9.]+%");
                        String[] parts = cell.replace("%", "").split(" \u00b1 ");
                        double shown = Double.parseDouble(parts[0]) / 100;
                        double err = Double.parseDouble(parts[1]) / 100;
                        assertThat(Math.abs(shown - raw[side][b])).as(name + " bin " + b + " side " + side)
                                .isLessThanOrEqualTo(err + 0.001);
                    }
                }
                assertThat(s.getTextContent()).contains("shares estimated from its sketch");
            } else {
                Map<String, Long> refCounts = new HashMap<>();
                Map<String, Long> curCounts = new HashMap<>();
                for (String w : rawRef.get(name).categories()) {
                    refCounts.merge(w, 1L, Long::sum);
                }
                for (String w : rawCur.get(name).categories()) {
                    curCounts.merge(w, 1L, Long::sum);
                }
                for (String[] row : bins) {
                    assertThat(Long.parseLong(row[1].split(" ")[0])).isEqualTo(refCounts.getOrDefault(row[0], 0L));
                    assertThat(Long.parseLong(row[2].split(" ")[0])).isEqualTo(curCounts.getOrDefault(row[0], 0L));
                }
                assertThat(bins).hasSize(5);
            }
        }
        boolean datasetDrift = (double) drifted / decided >= DriftAnalyzer.DEFAULT_SHARE;
        assertThat(report.decidedColumns()).isEqualTo(decided);
        assertThat(report.driftedColumns()).isEqualTo(drifted);
        String summary = sections(doc, "summary").get(0).getTextContent();
        assertThat(summary).contains(Long.toString(winter.size()), Long.toString(summer.size()),
                drifted + " of " + decided + " decided", num((double) drifted / decided),
                datasetDrift ? "Dataset drift: YES" : "Dataset drift: no", "alpha 0.05000, correction"
                        + " benjamini_hochberg");
        assertThat(datasetDrift).isTrue();
        assertThat(sections(doc, "skipped").get(0).getTextContent()).contains("<profiled>",
                "only in the current profile");
    }

    private static double[] rawShares(double[] values, dev.mlops.internal.drift.ProfileStatistics.Histogram h) {
        double[] e = h.edges();
        double[] s = new double[h.size()];
        for (double x : values) {
            int b;
            if (h.valueBins()) {
                int k = Arrays.binarySearch(e, x);
                b = k >= 0 ? k : e.length;
            } else {
                b = 0;
                while (b < e.length && x > e[b]) {
                    b++;
                }
            }
            s[b] += 1.0 / values.length;
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    @DisplayName("exact sketches: the profile page's bins table equals the raw-value page's, counts and labels")
    void exactProfilesDrawTheRawBins(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 20 + rnd.nextInt(180); // at most k = 200 values: the sketch keeps them all
        int m = 20 + rnd.nextInt(180);
        boolean discrete = seed % 2 == 0; // at most 20 distinct values: one bin per value
        double shift = rnd.nextDouble() * 0.5;
        double[] a = new double[n];
        double[] b = new double[m];
        for (int i = 0; i < n; i++) {
            a[i] = discrete ? rnd.nextInt(12) : ProfileTestData.gaussian(rnd);
        }
        for (int i = 0; i < m; i++) {
            b[i] = discrete ? rnd.nextInt(14) : ProfileTestData.gaussian(rnd) + shift;
        }
        String[] ca = new String[n];
        String[] cb = new String[m];
        for (int i = 0; i < n; i++) {
            ca[i] = "k" + rnd.nextInt(6);
        }
        for (int i = 0; i < m; i++) {
            cb[i] = "k" + rnd.nextInt(8);
        }
        Map<String, ColumnValues> rawRef = new LinkedHashMap<>();
        Map<String, ColumnValues> rawCur = new LinkedHashMap<>();
        rawRef.put("x", ColumnValues.numeric(a, 0));
        rawCur.put("x", ColumnValues.numeric(b, 0));
        rawRef.put("c", ColumnValues.categorical(ca, 0));
        rawCur.put("c", ColumnValues.categorical(cb, 0));
        DatasetProfile ref = profile(rawRef, ProfileOptions.defaults());
        DatasetProfile cur = profile(rawCur, ProfileOptions.defaults());
        // no correction: the numeric column's decision depends on its own p-value only (the categorical test differs)
        DriftAnalyzer analyzer = DriftAnalyzer.builder().correction(Correction.NONE).build();
        Document fromProfiles = parse(DriftReportHtml.toHtml(analyzer.analyze(ref, cur), ref, cur, "p"));
        DriftReport report = analyzer.analyze(rawRef, rawCur);
        Document fromValues = parse(DriftReportHtml.toHtml(report, rawRef, rawCur, "v"));
        for (int i = 0; i < 2; i++) {
            Element p = sections(fromProfiles, "column").get(i);
            Element v = sections(fromValues, "column").get(i);
            List<String[]> pb = binRows(p);
            List<String[]> vb = binRows(v);
            assertThat(pb).hasSameSizeAs(vb);
            for (int r = 0; r < pb.size(); r++) {
                assertThat(pb.get(r)).as("bin " + r).containsExactly(vb.get(r));
            }
            assertResultsTable(p, ProfileComparison.compare(ref.columns().get(i), cur.columns().get(i)));
            for (String[] row : pb) { // exact: no share carries an error
                assertThat(row[1] + row[2]).doesNotContain("\u00b1");
            }
        }
        // the exact KS from profiles has SciPy's p-value: the profile page's numeric decision is the raw page's
        assertThat(decisionText(sections(fromProfiles, "column").get(0)))
                .isEqualTo(decisionText(sections(fromValues, "column").get(0)));
    }

    @Test
    @DisplayName("profile page: hostile names escaped, kind changes and absent columns as errors, categories above the"
            + " cap as lower bounds")
    void profileErrorsAndFrequentItems() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>";
        SplittableRandom rnd = new SplittableRandom(11);
        ProfileOptions small = new ProfileOptions(200, 16);
        ColumnProfiler a = ColumnProfiler.categorical(hostile, small);
        ColumnProfiler b = ColumnProfiler.categorical(hostile, small);
        Map<String, Long> refTruth = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            String v = i % 3 == 0 ? "<b>hot</b>" : "c" + rnd.nextInt(100);
            a.add(v);
            refTruth.merge(v, 1L, Long::sum);
            b.add(i % 2 == 0 ? "<b>hot</b>" : "c" + rnd.nextInt(100));
        }
        ColumnProfile refCat = a.toProfile();
        ColumnProfile curCat = b.toProfile();
        DatasetProfile ref = DatasetProfile.of(List.of(refCat,
                ColumnProfiler.numeric("kind & type").addAll(rnd.doubles(5000).toArray()).toProfile(),
                ColumnProfiler.numeric("only ref").addAll(rnd.doubles(5000).toArray()).toProfile(),
                ColumnProfiler.numeric("empty").addMissing(5000).toProfile()));
        String[] xs = new String[5000];
        Arrays.fill(xs, "x");
        DatasetProfile cur = DatasetProfile.of(List.of(curCat,
                ColumnProfiler.categorical("kind & type").addAll(xs).toProfile(),
                ColumnProfiler.numeric("empty").addAll(rnd.doubles(5000).toArray()).toProfile()));
        ProfileDriftReport report = DriftAnalyzer.builder().columns(List.of(hostile, "kind & type", "only ref",
                "empty")).build().analyze(ref, cur);
        String html = DriftReportHtml.toHtml(report, ref, cur, "a <title>");
        assertThat(html).doesNotContain("<img", "<b>hot");
        Document doc = parse(html);
        assertSelfContained(doc, html);
        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(4);

        Element cat = columns.get(0);
        assertThat(text(cat, "code")).isEqualTo(hostile);
        assertThat(cat.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
        List<String[]> bins = binRows(cat);
        assertThat(bins.size()).isLessThanOrEqualTo(DriftReportHtml.MAX_CATEGORIES);
        assertThat(bins.get(0)[0]).isEqualTo("<b>hot</b>");
        assertThat(bins.get(bins.size() - 1)[0]).isEqualTo("outside the counters");
        ProfileCategories rc = refCat.categories().orElseThrow();
        assertThat(rc.exact()).isFalse();
        long refShown = 0;
        for (int i = 0; i < bins.size(); i++) {
            String cell = bins.get(i)[1];
            boolean last = i == bins.size() - 1;
            assertThat(cell.startsWith("\u2265 ")).as(cell).isEqualTo(!last);
            long count = Long.parseLong(cell.replace("\u2265 ", "").split(" ")[0]);
            refShown += count;
            String label = bins.get(i)[0];
            if (!last && !label.endsWith("other categories")) {
                // a lower bound from the counters, never above the truth
                assertThat(count).isEqualTo(rc.lowerBound(label)).isLessThanOrEqualTo(refTruth.get(label));
            }
        }
        assertThat(refShown).isEqualTo(5000); // the bars add up to every value
        assertThat(cat.getTextContent()).contains("counts are lower bounds", "at most " + rc.maxError());
        assertThat(cat.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * bins.size());
        assertResultsTable(cat, ProfileComparison.compare(refCat, curCat));

        Element changed = columns.get(1);
        assertThat(changed.getAttribute("class")).isEqualTo("column error");
        assertThat(changed.getElementsByTagNameNS(SVG, "svg").getLength()).isZero();
        assertThat(changed.getTextContent()).contains("kind & type", "kind changed: numeric in the reference profile,"
                + " categorical in the current one");
        assertThat(columns.get(2).getAttribute("class")).isEqualTo("column error");
        assertThat(columns.get(2).getTextContent()).contains("column 'only ref' is not in the current profile");
        Element empty = columns.get(3);
        assertThat(empty.getAttribute("class")).isEqualTo("column undecided");
        assertThat(empty.getElementsByTagNameNS(SVG, "svg").getLength()).isZero();
        assertThat(empty.getTextContent()).contains("ks is undefined", "no finite values on one side",
                "not in the decision");

        String summary = sections(doc, "summary").get(0).getTextContent();
        boolean d = report.column(hostile).orElseThrow().drift();
        assertThat(summary).contains((d ? 1 : 0) + " of 1 decided", d ? "Dataset drift: YES" : "Dataset drift: no");
        assertThat(doc.getElementsByTagNameNS(XHTML, "title").item(0).getTextContent()).isEqualTo("a <title>");
        assertThat(sections(doc, "skipped")).isEmpty(); // every column was named
    }

    /** The results table's rows equal the results, formatted as the page formats numbers. */
    private static void assertResultsTable(Element section, List<ProfileMethodResult> results) {
        Element table = table(section, "results");
        NodeList trs = table.getElementsByTagNameNS(XHTML, "tr");
        assertThat(trs.getLength() - 1).isEqualTo(results.size());
        for (int i = 0; i < results.size(); i++) {
            NodeList tds = ((Element) trs.item(i + 1)).getElementsByTagNameNS(XHTML, "td");
            ProfileMethodResult m = results.get(i);
            String[] expected = {m.method().id(), m.statistic().isPresent() ? num(m.statistic().getAsDouble()) : "-",
                num(m.errorBound()), m.pValue().isPresent() ? num(m.pValue().getAsDouble()) : "-",
                num(m.threshold()), m.drift() ? "yes" : "no", m.note().orElse("")};
            for (int c = 0; c < expected.length; c++) {
                assertThat(tds.item(c).getTextContent()).as(m.method().id() + " cell " + c).isEqualTo(expected[c]);
            }
        }
    }

    private static String decisionText(Element section) {
        NodeList divs = section.getElementsByTagNameNS(XHTML, "div");
        for (int i = 0; i < divs.getLength(); i++) {
            if (((Element) divs.item(i)).getAttribute("class").equals("decision")) {
                return divs.item(i).getTextContent();
            }
        }
        throw new AssertionError("no decision in " + section.getTextContent());
    }

    /** The rows of the bins table: label, reference cell, current cell. */
    private static List<String[]> binRows(Element section) {
        NodeList trs = binsTable(section).getElementsByTagNameNS(XHTML, "tr");
        List<String[]> out = new ArrayList<>();
        for (int i = 1; i < trs.getLength(); i++) {
            NodeList tds = ((Element) trs.item(i)).getElementsByTagNameNS(XHTML, "td");
            out.add(new String[] {tds.item(0).getTextContent(), tds.item(1).getTextContent(),
                tds.item(2).getTextContent()});
        }
        return out;
    }

    private static Element table(Element section, String cls) {
        NodeList tables = section.getElementsByTagNameNS(XHTML, "table");
        for (int i = 0; i < tables.getLength(); i++) {
            if (((Element) tables.item(i)).getAttribute("class").equals(cls)) {
                return (Element) tables.item(i);
            }
        }
        throw new AssertionError("no table " + cls);
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setExpandEntityReferences(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** No script, no event handler, no reference to anything outside the page. */
    private static void assertSelfContained(Document doc, String html) {
        assertThat(doc.getElementsByTagName("script").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "link").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "img").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "iframe").getLength()).isZero();
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attrs = all.item(i).getAttributes();
            for (int j = 0; j < attrs.getLength(); j++) {
                Attr at = (Attr) attrs.item(j);
                if ("http://www.w3.org/2000/xmlns/".equals(at.getNamespaceURI())) {
                    continue; // namespace names are not fetched
                }
                assertThat(at.getName().toLowerCase(Locale.ROOT)).doesNotStartWith("on")
                        .isNotIn("src", "href", "xlink:href", "action");
                assertThat(at.getValue()).doesNotContain("://", "url(", "javascript:");
            }
        }
        String css = doc.getElementsByTagNameNS(XHTML, "style").item(0).getTextContent();
        assertThat(css).doesNotContain("url(", "@import", "://");
        String withoutNamespaces = html.replace("xmlns=\"" + XHTML + "\"", "").replace("xmlns=\"" + SVG + "\"", "");
        assertThat(withoutNamespaces).doesNotContain("http://", "https://");
    }

    private static List<Element> sections(Document doc, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList l = doc.getElementsByTagNameNS(XHTML, "section");
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (Arrays.asList(e.getAttribute("class").split(" ")).contains(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element e, String tag) {
        return e.getElementsByTagNameNS(XHTML, tag).item(0).getTextContent();
    }

    /** The reference and current counts of the section's bins table (each cell "count (share)"). */
    private static long[][] binCounts(Element section) {
        Element table = binsTable(section);
        NodeList trs = table.getElementsByTagNameNS(XHTML, "tr");
        long[][] out = new long[2][trs.getLength() - 1];
        for (int i = 1; i < trs.getLength(); i++) {
            NodeList tds = ((Element) trs.item(i)).getElementsByTagNameNS(XHTML, "td");
            for (int side = 0; side < 2; side++) {
                Node td = tds.item(side + 1);
                out[side][i - 1] = Long.parseLong(td.getTextContent().split(" ")[0]);
            }
        }
        return out;
    }

    private static Element binsTable(Element section) {
        Element table = null;
        NodeList tables = section.getElementsByTagNameNS(XHTML, "table");
        for (int i = 0; i < tables.getLength(); i++) {
            if (((Element) tables.item(i)).getAttribute("class").equals("bins")) {
                table = (Element) tables.item(i);
            }
        }
        assertThat(table).as("bins table").isNotNull();
        return table;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
