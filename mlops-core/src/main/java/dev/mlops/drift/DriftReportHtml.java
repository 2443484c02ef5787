package dev.mlops.drift;

import dev.mlops.internal.drift.NumericBins;
import dev.mlops.internal.drift.ProfileStatistics;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a {@link DriftReport} as one self-contained HTML page: inline CSS and inline SVG only, no scripts and no
 * external references. The page holds a summary (rows, drifted and decided columns, drift share, the dataset decision,
 * the checks that fired), then one {@code <section class="column">} per compared column with the reference and current
 * distributions overlaid as shares (numeric and datetime columns on the reference's bins, the bins of the binned
 * methods; categorical columns one bar per category, the {@value #MAX_CATEGORIES} most frequent, the rest summed as one
 * bar), the table of method results and the decision with its numbers, then the skipped columns. Every text (column
 * names, categories, messages) is escaped; the markup is well-formed XHTML, so an XML parser reads it.
 * {@link #toHtml(ProfileDriftReport, DatasetProfile, DatasetProfile, String)} renders a comparison of two profiles
 * the same way, its charts drawn from the profiles. Stateless and thread-safe.
 */
public final class DriftReportHtml {
    /** Most categories drawn with a bar each; the others are summed into one bar. */
    public static final int MAX_CATEGORIES = 30;

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?(E-?\\d+)?");
    private static final String REF_COLOR = "#1f77b4";
    private static final String CUR_COLOR = "#ff7f0e";
    private static final int CHART_W = 1000;
    private static final int PLOT_H = 200;
    private static final int LEFT = 50;
    private static final int RIGHT = 110;
    private static final int MAX_BAR_W = 70;
    private static final int LABEL_DIGITS = 6;
    private static final int TOP = 20;
    private static final double LABEL_CHAR_W = 7.0; // px per character of an 11px x-axis label, generous

    private DriftReportHtml() {
    }

    /**
     * The report as an HTML page.
     *
     * @param report    the report
     * @param reference the reference columns the report was computed from (as given to {@link DriftAnalyzer#analyze})
     * @param current   the current columns
     * @param title     the page title, for example the two file names (escaped)
     * @return the page, UTF-8 text ending with a newline
     * @throws NullPointerException when an argument is null
     */
    public static String toHtml(DriftReport report, Map<String, ColumnValues> reference,
            Map<String, ColumnValues> current, String title) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(title, "title");
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(esc(title)).append("</title>\n<style>\n")
                .append(CSS).append("</style>\n</head>\n<body>\n<h1>Drift report</h1>\n<p class=\"title\">")
                .append(esc(title)).append("</p>\n");
        summary(h, report);
        for (ColumnReport c : report.columns()) {
            column(h, c, reference.get(c.name()), current.get(c.name()));
        }
        if (!report.skipped().isEmpty()) {
            h.append("<section class=\"skipped\">\n<h2>Skipped columns</h2>\n<ul>\n");
            for (SkippedColumn k : report.skipped()) {
                h.append("<li><code>").append(esc(k.name())).append("</code>: ").append(esc(k.reason()))
                        .append("</li>\n");
            }
            h.append("</ul>\n</section>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /**
     * A {@link ProfileDriftReport} as an HTML page with the look of {@link #toHtml(DriftReport, Map, Map, String)}:
     * the statistics, decisions and verdict are the report's, and the charts are drawn from the two profiles it was
     * computed from. The page holds a summary (rows, drifted and decided columns, drift share, alpha and correction,
     * the dataset decision), then one {@code <section class="column">} per compared column: the kind, counts and
     * range of both sides; the two distributions overlaid as shares (numeric columns on the bins of the binned
     * methods, fitted on the reference profile, each share with its sketch error; categorical columns one bar per
     * counted category, the {@value #MAX_CATEGORIES} most frequent, the rest summed, and the values outside the
     * counters of a side whose counts are not exact); the decision with its numbers, or why the column is not in it;
     * the table of results. Then the skipped columns. Escaped and well-formed as the other page. Stateless and
     * thread-safe; the same arguments give the same bytes.
     *
     * @param report    the report
     * @param reference the reference profile the report was computed from
     * @param current   the current profile
     * @param title     the page title, for example the two file names (escaped)
     * @return the page, UTF-8 text ending with a newline
     * @throws NullPointerException when an argument is null
     */
    public static String toHtml(ProfileDriftReport report, DatasetProfile reference, DatasetProfile current,
            String title) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(title, "title");
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(esc(title)).append("</title>\n<style>\n")
                .append(CSS).append("</style>\n</head>\n<body>\n<h1>Drift report from profiles</h1>\n")
                .append("<p class=\"title\">").append(esc(title)).append("</p>\n");
        h.append("<section class=\"summary\">\n<h2>Summary</h2>\n<p class=\"verdict ")
                .append(report.datasetDrift() ? "drift" : "ok").append("\">")
                .append(report.datasetDrift() ? "Dataset drift: YES" : "Dataset drift: no").append("</p>\n")
                .append("<table class=\"facts\">\n");
        row(h, "Reference rows", Long.toString(report.referenceRows()));
        row(h, "Current rows", Long.toString(report.currentRows()));
        row(h, "Drifted columns", report.driftedColumns() + " of " + report.decidedColumns() + " decided");
        row(h, "Drift share", opt(report.driftShare()) + " (threshold " + num(report.shareThreshold()) + ")");
        row(h, "Significance", "alpha " + num(report.alpha()) + ", correction " + report.correction().id());
        row(h, "Statistics", "from the profiles' sketches, each within \u00b1 error_bound of the raw-value one; a"
                + " column's effect size is its decision method's statistic - error_bound");
        h.append("</table>\n");
        report.note().ifPresent(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        h.append("</section>\n");
        for (ProfileDriftReport.Column c : report.columns()) {
            profileColumn(h, c, reference.column(c.name()).orElse(null), current.column(c.name()).orElse(null));
        }
        if (!report.skipped().isEmpty()) {
            h.append("<section class=\"skipped\">\n<h2>Skipped columns</h2>\n<ul>\n");
            for (SkippedColumn k : report.skipped()) {
                h.append("<li><code>").append(esc(k.name())).append("</code>: ").append(esc(k.reason()))
                        .append("</li>\n");
            }
            h.append("</ul>\n</section>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static String kind(ProfileDriftReport.Column c) {
        return c.kind().map(k -> k.name().toLowerCase(Locale.ROOT)).orElse("unknown");
    }

    private static void profileColumn(StringBuilder h, ProfileDriftReport.Column c, ColumnProfile ref,
            ColumnProfile cur) {
        String status = c.error().isPresent() ? "error" : c.drift() ? "drift"
                : c.decision().isPresent() ? "ok" : "undecided";
        h.append("<section class=\"column ").append(status).append("\">\n<h2><code>").append(esc(c.name()))
                .append("</code> <span class=\"badge ").append(status).append("\">")
                .append(switch (status) {
                    case "error" -> "error";
                    case "drift" -> "drift";
                    case "ok" -> "no drift";
                    default -> "not in the decision";
                }).append("</span></h2>\n<p class=\"meta\">");
        h.append(c.kind().isEmpty() ? "not profiled" : esc(kind(c)) + " profile").append("; values ")
                .append(c.referenceCount().isPresent() ? Long.toString(c.referenceCount().getAsLong()) : "-")
                .append(" / ")
                .append(c.currentCount().isPresent() ? Long.toString(c.currentCount().getAsLong()) : "-")
                .append(", missing ").append(ref == null ? "-" : Long.toString(ref.missing())).append(" / ")
                .append(cur == null ? "-" : Long.toString(cur.missing()));
        if (c.kind().orElse(null) == ProfileKind.NUMERIC) {
            long rn = nonFinite(ref);
            long cn = nonFinite(cur);
            if (rn > 0 || cn > 0) {
                h.append(", NaN or infinite ").append(rn).append(" / ").append(cn);
            }
            h.append("; range ").append(range(ref)).append(" / ").append(range(cur));
        }
        h.append(" (reference / current)").append(c.identifierLike() ? "; identifier-like" : "").append("</p>\n");
        if (c.error().isPresent()) {
            h.append("<p class=\"error\">").append(esc(c.error().get())).append("</p>\n</section>\n");
            return;
        }
        if (ref != null && cur != null && ref.kind() == cur.kind()) {
            chart(h, ref.kind() == ProfileKind.NUMERIC ? profileNumericBins(ref, cur) : profileCategoryBins(ref, cur));
        }
        if (c.decision().isPresent()) {
            decision(h, c.decision().get());
        }
        c.note().ifPresent(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        h.append("<table class=\"results\">\n<tr><th>Method</th><th>Statistic</th><th>Error bound</th>")
                .append("<th>p-value</th><th>Threshold</th><th>Drift</th><th>Note</th></tr>\n");
        for (ProfileMethodResult m : c.results()) {
            h.append("<tr><td>").append(esc(m.method().id())).append("</td><td>").append(opt(m.statistic()))
                    .append("</td><td>").append(num(m.errorBound())).append("</td><td>").append(opt(m.pValue()))
                    .append("</td><td>").append(num(m.threshold())).append("</td><td>")
                    .append(m.drift() ? "yes" : "no").append("</td><td>").append(esc(m.note().orElse("")))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static long nonFinite(ColumnProfile p) {
        return p == null ? 0 : p.nanCount() + p.positiveInfinityCount() + p.negativeInfinityCount();
    }

    private static String range(ColumnProfile p) {
        if (p == null || p.min().isEmpty()) {
            return "-";
        }
        return "[" + round(p.min().getAsDouble()) + ", " + round(p.max().getAsDouble()) + "]";
    }

    /**
     * The bins of the binned methods ({@link ProfileStatistics#histogram}) with both sides' shares; a share known
     * exactly is shown as "count (share)", an estimated one as "share ± error". Null when a side has no finite value.
     */
    private static Bins profileNumericBins(ColumnProfile ref, ColumnProfile cur) {
        if (ref.count() == 0 || cur.count() == 0) {
            return null;
        }
        ProfileStatistics.Histogram hist = ProfileStatistics.histogram(ref, cur);
        double[] e = hist.edges();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < hist.size(); i++) {
            String label;
            if (hist.valueBins()) {
                label = i < e.length ? Double.toString(e[i]) : "other";
            } else if (i == 0) {
                label = "< " + ref.min().getAsDouble();
            } else if (i == e.length) {
                label = "> " + e[e.length - 1];
            } else {
                label = (i == 1 ? "[" + ref.min().getAsDouble() : "(" + e[i - 1]) + ", " + e[i] + "]";
            }
            labels.add(relabel(label, false));
        }
        return new Bins("Bin", labels, hist.referenceShares(), hist.currentShares(),
                shareCells(hist.referenceShares(), hist.referenceErrors(), ref.count()),
                shareCells(hist.currentShares(), hist.currentErrors(), cur.count()),
                total(ref.count(), hist.referenceErrors()), total(cur.count(), hist.currentErrors()));
    }

    private static List<String> shareCells(double[] shares, double[] errors, long n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            out.add(errors[i] == 0 ? Math.round(shares[i] * n) + " (" + pct(shares[i]) + ")"
                    : pct(shares[i]) + " \u00b1 " + pct(errors[i]));
        }
        return out;
    }

    private static String total(long n, double[] errors) {
        boolean exact = Arrays.stream(errors).allMatch(x -> x == 0);
        return values(n) + (exact ? "" : ", shares estimated from its sketch");
    }

    /**
     * Counted categories of both sides, most frequent first, the {@value #MAX_CATEGORIES} most frequent shown and the
     * others summed; a side whose counts are not exact gets a bar for its values outside the counters, and its
     * counts are shown as lower bounds. Null when a side has no values.
     */
    private static Bins profileCategoryBins(ColumnProfile refCol, ColumnProfile curCol) {
        ProfileCategories ref = refCol.categories().orElseThrow();
        ProfileCategories cur = curCol.categories().orElseThrow();
        if (ref.total() == 0 || cur.total() == 0) {
            return null;
        }
        Map<String, long[]> counts = new HashMap<>();
        for (FrequentItemsRow row : ref.items()) {
            counts.computeIfAbsent(row.value(), k -> new long[2])[0] = row.lowerBound();
        }
        for (FrequentItemsRow row : cur.items()) {
            counts.computeIfAbsent(row.value(), k -> new long[2])[1] = row.lowerBound();
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(en -> -(en.getValue()[0] + en.getValue()[1]))
                .thenComparing(Map.Entry::getKey));
        boolean exact = ref.exact() && cur.exact();
        int slots = MAX_CATEGORIES - (exact ? 0 : 1);
        int shown = sorted.size() <= slots ? sorted.size() : slots - 1;
        List<String> labels = new ArrayList<>();
        List<long[]> bars = new ArrayList<>();
        for (int i = 0; i < shown; i++) {
            labels.add(sorted.get(i).getKey());
            bars.add(sorted.get(i).getValue().clone());
        }
        if (shown < sorted.size()) {
            long[] rest = new long[2];
            for (int i = shown; i < sorted.size(); i++) {
                rest[0] += sorted.get(i).getValue()[0];
                rest[1] += sorted.get(i).getValue()[1];
            }
            labels.add((sorted.size() - shown) + " other categories");
            bars.add(rest);
        }
        if (!exact) {
            long[] counted = new long[2];
            for (long[] b : bars) {
                counted[0] += b[0];
                counted[1] += b[1];
            }
            labels.add("outside the counters");
            bars.add(new long[] {ref.total() - counted[0], cur.total() - counted[1]});
        }
        int n = bars.size();
        double[] rs = new double[n];
        double[] cs = new double[n];
        List<String> rc = new ArrayList<>();
        List<String> cc = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rs[i] = (double) bars.get(i)[0] / ref.total();
            cs[i] = (double) bars.get(i)[1] / cur.total();
            boolean bounds = !exact && i < n - 1;
            rc.add(categoryCell(bars.get(i)[0], rs[i], bounds && !ref.exact()));
            cc.add(categoryCell(bars.get(i)[1], cs[i], bounds && !cur.exact()));
        }
        return new Bins("Category", labels, rs, cs, rc, cc, categoryTotal(ref), categoryTotal(cur));
    }

    private static String values(long n) {
        return n + (n == 1 ? " value" : " values");
    }

    private static String categoryCell(long count, double share, boolean lowerBound) {
        return lowerBound ? "\u2265 " + count + " (\u2265 " + pct(share) + ")" : count + " (" + pct(share) + ")";
    }

    private static String categoryTotal(ProfileCategories c) {
        return values(c.total()) + (c.exact() ? "" : ", counts are lower bounds, each at most " + c.maxError()
                + " below the truth");
    }

    private static void summary(StringBuilder h, DriftReport r) {
        h.append("<section class=\"summary\">\n<h2>Summary</h2>\n<p class=\"verdict ")
                .append(r.datasetDrift() ? "drift" : "ok").append("\">")
                .append(r.datasetDrift() ? "Dataset drift: YES" : "Dataset drift: no").append("</p>\n")
                .append("<table class=\"facts\">\n");
        row(h, "Reference rows", Long.toString(r.referenceRows()));
        row(h, "Current rows", Long.toString(r.currentRows()));
        row(h, "Drifted columns", r.driftedColumns() + " of " + r.decidedColumns() + " decided");
        row(h, "Drift share", opt(r.driftShare()) + " (threshold " + num(r.shareThreshold()) + ")");
        row(h, "Significance", "alpha " + num(r.alpha()) + ", correction " + r.correction().id());
        h.append("</table>\n");
        r.note().ifPresent(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        if (r.checks().isEmpty()) {
            h.append("<p>No schema or quality check fired.</p>\n");
        } else {
            h.append("<h3>Checks that fired</h3>\n<table class=\"checks\">\n<tr><th>Check</th><th>Column</th>")
                    .append("<th>Numbers</th><th>Finding</th></tr>\n");
            for (QualityCheck c : r.checks()) {
                StringBuilder nums = new StringBuilder();
                c.numbers().forEach((k, v) -> nums.append(nums.length() == 0 ? "" : ", ").append(k).append(' ')
                        .append(num(v)));
                h.append("<tr><td>").append(esc(c.kind().id())).append("</td><td><code>").append(esc(c.column()))
                        .append("</code></td><td>").append(esc(nums.toString())).append("</td><td>")
                        .append(esc(c.message())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</section>\n");
    }

    private static void column(StringBuilder h, ColumnReport c, ColumnValues ref, ColumnValues cur) {
        String status = c.error().isPresent() ? "error" : c.drift() ? "drift"
                : c.decision().isPresent() ? "ok" : "undecided";
        h.append("<section class=\"column ").append(status).append("\">\n<h2><code>").append(esc(c.name()))
                .append("</code> <span class=\"badge ").append(status).append("\">")
                .append(switch (status) {
                    case "error" -> "error";
                    case "drift" -> "drift";
                    case "ok" -> "no drift";
                    default -> "not in the decision";
                }).append("</span></h2>\n<p class=\"meta\">")
                .append(esc(c.type().map(ColumnType::id).orElse("unknown type"))).append("; values ")
                .append(c.referenceCount()).append(" / ").append(c.currentCount()).append(", missing ")
                .append(count(c.referenceMissing())).append(" / ").append(count(c.currentMissing()))
                .append(" (reference / current)")
                .append(c.identifierLike() ? "; identifier-like" : "").append("</p>\n");
        if (c.error().isPresent()) {
            h.append("<p class=\"error\">").append(esc(c.error().get())).append("</p>\n</section>\n");
            return;
        }
        if (ref != null && cur != null && ref.count() > 0 && cur.count() > 0) {
            boolean categorical = c.type().map(t -> t == ColumnType.CATEGORICAL).orElse(false)
                    || ref.categories() != null || cur.categories() != null;
            chart(h, categorical ? categoryBins(ref, cur)
                    : numericBins(ref, cur, c.type().map(t -> t == ColumnType.DATETIME).orElse(false)));
        }
        c.decision().ifPresent(d -> decision(h, d));
        c.note().ifPresent(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        if (!c.results().isEmpty()) {
            h.append("<table class=\"results\">\n<tr><th>Method</th><th>Statistic</th><th>p-value</th>")
                    .append("<th>Threshold</th><th>Drift</th><th>Category</th><th>Note</th></tr>\n");
            for (MethodResult m : c.results()) {
                h.append("<tr><td>").append(esc(m.method().id())).append("</td><td>").append(opt(m.statistic()))
                        .append("</td><td>").append(opt(m.pValue())).append("</td><td>").append(num(m.threshold()))
                        .append("</td><td>").append(m.drift() ? "yes" : "no").append("</td><td>")
                        .append(esc(m.category().orElse(""))).append("</td><td>").append(esc(m.note().orElse("")))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</section>\n");
    }

    private static void decision(StringBuilder h, ColumnDecision d) {
        h.append("<div class=\"decision\">\n<p><b>Decision:</b> ").append(esc(d.reason())).append("</p>\n")
                .append("<table class=\"facts\">\n");
        row(h, "Test", d.method().id() + ", p " + opt(d.pValue()) + " against " + num(d.threshold()) + " (alpha "
                + num(d.alpha()) + ", " + d.correction().id() + " over " + d.tests() + " tests): "
                + (d.significant() ? "significant" : "not significant"));
        row(h, "Effect size", d.effect().id() + " " + opt(d.effectSize()) + " against minimum " + num(d.minEffect())
                + ": " + (d.largeEnough() ? "large enough" : "too small"));
        d.category().ifPresent(cat -> row(h, "Category", cat));
        row(h, "Drift", d.drift() ? "yes" : "no");
        h.append("</table>\n</div>\n");
    }

    /**
     * What a chart shows: per bin a label, each side's share (the bar heights) and the text of its table cell (also
     * the bar's tooltip), and what each side's total is, for the caption.
     */
    private record Bins(String kind, List<String> labels, double[] ref, double[] cur, List<String> refCells,
            List<String> curCells, String refTotal, String curTotal) {
    }

    /** Bins of counts: shares of each side's total, cells "count (share)". */
    private static Bins counted(String kind, List<String> labels, long[] ref, long[] cur) {
        long refTotal = Arrays.stream(ref).sum();
        long curTotal = Arrays.stream(cur).sum();
        double[] rs = new double[ref.length];
        double[] cs = new double[cur.length];
        List<String> rc = new ArrayList<>();
        List<String> cc = new ArrayList<>();
        for (int i = 0; i < ref.length; i++) {
            rs[i] = refTotal == 0 ? 0 : (double) ref[i] / refTotal;
            cs[i] = curTotal == 0 ? 0 : (double) cur[i] / curTotal;
            rc.add(ref[i] + " (" + pct(rs[i]) + ")");
            cc.add(cur[i] + " (" + pct(cs[i]) + ")");
        }
        return new Bins(kind, labels, rs, cs, rc, cc, values(refTotal), values(curTotal));
    }

    private static Bins numericBins(ColumnValues ref, ColumnValues cur, boolean datetime) {
        double[] sorted = ref.numbers().clone();
        Arrays.sort(sorted);
        if (!Double.isFinite(sorted[0]) || !Double.isFinite(sorted[sorted.length - 1])) {
            return null;
        }
        for (double v : cur.numbers()) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        NumericBins bins = NumericBins.fit(sorted);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < bins.size(); i++) {
            labels.add(relabel(bins.label(i), datetime));
        }
        return counted("Bin", labels, bins.counts(ref.numbers()), bins.counts(cur.numbers()));
    }

    private static Bins categoryBins(ColumnValues ref, ColumnValues cur) {
        Map<String, long[]> counts = new HashMap<>();
        for (String s : values(ref)) {
            counts.computeIfAbsent(s, k -> new long[2])[0]++;
        }
        for (String s : values(cur)) {
            counts.computeIfAbsent(s, k -> new long[2])[1]++;
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -(e.getValue()[0] + e.getValue()[1]))
                .thenComparing(Map.Entry::getKey));
        int shown = sorted.size() <= MAX_CATEGORIES ? sorted.size() : MAX_CATEGORIES - 1;
        LinkedHashMap<String, long[]> kept = new LinkedHashMap<>();
        for (int i = 0; i < shown; i++) {
            kept.put(sorted.get(i).getKey(), sorted.get(i).getValue());
        }
        List<String> labels = new ArrayList<>(kept.keySet());
        int n = labels.size() + (shown < sorted.size() ? 1 : 0);
        long[] r = new long[n];
        long[] c = new long[n];
        for (int i = 0; i < labels.size(); i++) {
            r[i] = kept.get(labels.get(i))[0];
            c[i] = kept.get(labels.get(i))[1];
        }
        if (shown < sorted.size()) {
            for (int i = shown; i < sorted.size(); i++) {
                r[n - 1] += sorted.get(i).getValue()[0];
                c[n - 1] += sorted.get(i).getValue()[1];
            }
            labels.add((sorted.size() - shown) + " other categories");
        }
        return counted("Category", labels, r, c);
    }

    /**
     * Rewrites the numbers of a bin label for reading: epoch seconds as ISO-8601 instants (UTC, a date alone at
     * midnight), other numbers rounded to {@value #LABEL_DIGITS} significant digits.
     */
    private static String relabel(String label, boolean datetime) {
        Matcher m = NUMBER.matcher(label);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            double x = Double.parseDouble(m.group());
            m.appendReplacement(b, Matcher.quoteReplacement(datetime ? instant(x) : round(x)));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static String instant(double seconds) {
        if (!(Math.abs(seconds) < 1e15)) {
            return round(seconds);
        }
        long whole = (long) Math.floor(seconds);
        long nanos = Math.min(999_999_999L, Math.round((seconds - whole) * 1e9));
        String iso = Instant.ofEpochSecond(whole, nanos).toString();
        return iso.endsWith("T00:00:00Z") ? iso.substring(0, iso.length() - "T00:00:00Z".length()) : iso;
    }

    private static String round(double x) {
        if (x == 0 || !Double.isFinite(x)) {
            return Double.toString(x);
        }
        BigDecimal d = new BigDecimal(x).round(new MathContext(LABEL_DIGITS)).stripTrailingZeros();
        double a = Math.abs(x);
        return a >= 1e-4 && a < 1e9 ? d.toPlainString() : d.toString();
    }

    private static String[] values(ColumnValues v) {
        if (v.categories() != null) {
            return v.categories();
        }
        double[] x = v.numbers();
        String[] s = new String[x.length];
        for (int i = 0; i < x.length; i++) {
            double d = x[i];
            s[i] = d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        return s;
    }

    private static void chart(StringBuilder h, Bins b) {
        if (b == null) {
            return;
        }
        int n = b.labels().size();
        double[] rs = b.ref();
        double[] cs = b.cur();
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.max(rs[i], cs[i]));
        }
        double[] axis = axis(max);
        double top = axis[0];
        int ticks = (int) axis[1];
        int plotW = CHART_W - LEFT - RIGHT;
        double slot = (double) plotW / n;
        double barW = Math.max(1, Math.min(MAX_BAR_W, slot * 0.8));
        int longest = b.labels().stream().mapToInt(l -> shorten(l).length()).max().orElse(0);
        int height = TOP + PLOT_H + 20 + (int) Math.ceil(longest * LABEL_CHAR_W * Math.sin(Math.toRadians(35)));
        h.append("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(CHART_W)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(CHART_W).append(' ')
                .append(height).append("\" role=\"img\">\n");
        for (int t = 0; t <= ticks; t++) { // grid and y axis labels
            double v = top * t / ticks;
            double y = TOP + PLOT_H - PLOT_H * v / top;
            h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                    .append(px(y)).append("\" y2=\"").append(px(y)).append("\" class=\"grid\"/>\n")
                    .append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(px(y + 4))
                    .append("\" class=\"ylab\">").append(pct(v)).append("</text>\n");
        }
        for (int i = 0; i < n; i++) {
            double x = LEFT + slot * i + (slot - barW) / 2;
            bar(h, x, barW, rs[i], top, REF_COLOR, "reference " + b.labels().get(i) + ": " + b.refCells().get(i));
            bar(h, x + barW * 0.2, barW * 0.6, cs[i], top, CUR_COLOR, "current " + b.labels().get(i) + ": "
                    + b.curCells().get(i));
            double lx = LEFT + slot * i + slot / 2;
            double ly = TOP + PLOT_H + 8;
            h.append("<text class=\"xlab\" transform=\"translate(").append(px(lx)).append(' ').append(px(ly))
                    .append(") rotate(35)\">").append(esc(shorten(b.labels().get(i)))).append("</text>\n");
        }
        h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                .append(TOP + PLOT_H).append("\" y2=\"").append(TOP + PLOT_H).append("\" class=\"axis\"/>\n")
                .append("</svg>\n<figcaption><span class=\"swatch\" style=\"background:").append(REF_COLOR)
                .append("\"></span> reference (").append(esc(b.refTotal())).append(") <span class=\"swatch\" ")
                .append("style=\"background:").append(CUR_COLOR).append("\"></span> current (")
                .append(esc(b.curTotal())).append("), share of each side's values per ")
                .append(b.kind().toLowerCase(Locale.ROOT))
                .append("</figcaption>\n</figure>\n");
        h.append("<table class=\"bins\">\n<tr><th>").append(b.kind())
                .append("</th><th>Reference</th><th>Current</th></tr>\n");
        for (int i = 0; i < n; i++) {
            h.append("<tr><td>").append(esc(b.labels().get(i))).append("</td><td>").append(esc(b.refCells().get(i)))
                    .append("</td><td>").append(esc(b.curCells().get(i))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void bar(StringBuilder h, double x, double w, double share, double top, String color,
            String title) {
        double bh = PLOT_H * share / top;
        h.append("<rect x=\"").append(px(x)).append("\" y=\"").append(px(TOP + PLOT_H - bh)).append("\" width=\"")
                .append(px(w)).append("\" height=\"").append(px(bh)).append("\" fill=\"").append(color)
                .append("\" fill-opacity=\"0.75\"><title>").append(esc(title)).append("</title></rect>\n");
    }

    /** The top of the y axis (a share) at or above {@code max}, and its number of round ticks. */
    private static double[] axis(double max) {
        double[][] axes = {{0.05, 5}, {0.1, 5}, {0.2, 4}, {0.25, 5}, {0.3, 3}, {0.4, 4}, {0.5, 5}, {0.6, 3},
            {0.8, 4}, {1.0, 5}};
        for (double[] a : axes) {
            if (max <= a[0]) {
                return a;
            }
        }
        return axes[axes.length - 1];
    }

    private static String shorten(String s) {
        return s.length() <= 24 ? s : s.substring(0, 23) + "\u2026";
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    /** Escapes text for element content and double- or single-quoted attributes. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r' || ch == 0xFFFE || ch == 0xFFFF) {
                        b.append('\uFFFD'); // not allowed in XML
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100).replace(".0%", "%");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String opt(OptionalDouble v) {
        return v.isPresent() ? num(v.getAsDouble()) : "-";
    }

    private static String count(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em;
              color: #222; max-width: 1100px; }
            h1 { margin-bottom: 0.2em; }
            .title { color: #555; margin-top: 0; word-break: break-all; }
            section { border-top: 1px solid #ddd; padding-top: 0.5em; margin-top: 1.5em; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f5f5f5; }
            .results td:nth-child(2), .results td:nth-child(3), .results td:nth-child(4), .bins td { text-align: right;
              font-variant-numeric: tabular-nums; }
            .bins td:first-child { text-align: left; }
            .verdict { font-size: 1.3em; font-weight: bold; }
            .verdict.drift { color: #b00020; }
            .verdict.ok { color: #1b7a1b; }
            .badge { font-size: 0.6em; padding: 2px 8px; border-radius: 10px; vertical-align: middle; color: #fff; }
            .badge.drift { background: #b00020; }
            .badge.ok { background: #1b7a1b; }
            .badge.undecided { background: #777; }
            .badge.error { background: #a05a00; }
            .meta, .note { color: #555; }
            .error { color: #a05a00; font-weight: bold; }
            .decision { background: #fafafa; border-left: 4px solid #bbb; padding: 0.2em 0.8em; margin: 0.5em 0; }
            section.drift .decision { border-left-color: #b00020; }
            section.ok .decision { border-left-color: #1b7a1b; }
            figure { margin: 0.5em 0; }
            svg.chart { max-width: 100%; height: auto; }
            svg .grid { stroke: #e5e5e5; stroke-width: 1; }
            svg .axis { stroke: #444; stroke-width: 1; }
            svg .ylab { font-size: 11px; text-anchor: end; fill: #555; }
            svg .xlab { font-size: 11px; text-anchor: start; fill: #333; }
            .swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
            figcaption { font-size: 0.9em; color: #444; }
            """;
}
