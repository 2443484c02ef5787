package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.FrequentItemsRow;
import dev.mlops.drift.KllQuantiles;
import dev.mlops.drift.ProfileCategories;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.QualityCheck;
import dev.mlops.drift.QualityCheck.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The per-column quality checks of {@link QualityCheck}, with the thresholds it documents. Stateless. */
public final class QualityChecks {
    private QualityChecks() {
    }

    /** A missing-share jump, or nothing. Rows of 0 on a side give no check. */
    public static QualityCheck missingShare(String column, long refMissing, long refRows, long curMissing,
            long curRows) {
        if (refRows == 0 || curRows == 0) {
            return null;
        }
        double r = (double) refMissing / refRows;
        double c = (double) curMissing / curRows;
        double increase = c - r;
        if (!(increase >= QualityCheck.MISSING_SHARE_INCREASE)) {
            return null;
        }
        Map<String, Double> n = new LinkedHashMap<>();
        n.put("reference_missing", (double) refMissing);
        n.put("reference_share", r);
        n.put("current_missing", (double) curMissing);
        n.put("current_share", c);
        n.put("increase", increase);
        n.put("threshold", QualityCheck.MISSING_SHARE_INCREASE);
        return new QualityCheck(Kind.MISSING_SHARE_JUMP, column, n, String.format(Locale.ROOT,
                "share of missing values rose from %s to %s (+%s >= %s)", fmt(r), fmt(c), fmt(increase),
                fmt(QualityCheck.MISSING_SHARE_INCREASE)));
    }

    /** Current values outside the reference's [min, max], or nothing. Both arrays non-empty and finite. */
    public static QualityCheck outOfRange(String column, double[] ref, double[] cur) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : ref) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        long below = 0;
        long above = 0;
        double curLo = Double.POSITIVE_INFINITY;
        double curHi = Double.NEGATIVE_INFINITY;
        for (double v : cur) {
            if (v < lo) {
                below++;
            } else if (v > hi) {
                above++;
            }
            curLo = Math.min(curLo, v);
            curHi = Math.max(curHi, v);
        }
        return outOfRange(column, lo, hi, ref.length, curLo, curHi, below, above, cur.length);
    }

    /**
     * Current values outside the reference's [min, max] from counts, or nothing: {@code below} and {@code above}
     * of the {@code curCount} current values lie below {@code refMin} and above {@code refMax} ({@code refCount}
     * reference values). Both counts positive.
     */
    public static QualityCheck outOfRange(String column, double refMin, double refMax, long refCount, double curMin,
            double curMax, long below, long above, long curCount) {
        if (refCount <= 0 || curCount <= 0) {
            return null;
        }
        double share = (double) (below + above) / curCount;
        double threshold = Math.max(QualityCheck.OUT_OF_RANGE_SHARE,
                QualityCheck.OUT_OF_RANGE_EXPECTED_FACTOR * 2.0 / (refCount + 1.0));
        if (below + above == 0 || share < threshold) {
            return null;
        }
        Map<String, Double> n = new LinkedHashMap<>();
        n.put("reference_min", refMin);
        n.put("reference_max", refMax);
        n.put("current_min", curMin);
        n.put("current_max", curMax);
        n.put("below", (double) below);
        n.put("above", (double) above);
        n.put("share", share);
        n.put("threshold", threshold);
        return new QualityCheck(Kind.OUT_OF_RANGE, column, n, String.format(Locale.ROOT,
                "%d current values below the reference minimum %s and %d above its maximum %s: share %s >= %s",
                below, fmt(refMin), above, fmt(refMax), fmt(share), fmt(threshold)));
    }

    /**
     * The checks of one monitored column, a window's profile against the reference's (same kind), in this order:
     * missing-share jump (missing values, and NaN for a numeric column, over the rows), values outside the
     * reference range (numeric: counts from the window's KLL sketch, exact while it holds every value, else within
     * its rank error), unseen categories (categorical, only when the reference's category counts are exact: beyond
     * the cap a category it did not count may still have occurred). Adds what fires to {@code out}.
     */
    public static void window(ColumnProfile window, ColumnProfile reference, List<QualityCheck> out) {
        String name = window.name();
        QualityCheck missing = missingShare(name, reference.missing() + reference.nanCount(), reference.rows(),
                window.missing() + window.nanCount(), window.rows());
        if (missing != null) {
            out.add(missing);
        }
        if (window.kind() == ProfileKind.NUMERIC) {
            KllQuantiles w = window.quantiles().orElseThrow();
            if (w.n() == 0 || reference.count() == 0) {
                return;
            }
            double refMin = reference.min().getAsDouble();
            double refMax = reference.max().getAsDouble();
            double curMin = window.min().getAsDouble();
            double curMax = window.max().getAsDouble();
            long below = curMin < refMin ? Math.round(w.rank(Math.nextDown(refMin)) * w.n()) : 0;
            long above = curMax > refMax ? Math.round((1 - w.rank(refMax)) * w.n()) : 0;
            QualityCheck range = outOfRange(name, refMin, refMax, reference.count(), curMin, curMax, below, above,
                    w.n());
            if (range != null) {
                out.add(range);
            }
            return;
        }
        ProfileCategories r = reference.categories().orElseThrow();
        ProfileCategories c = window.categories().orElseThrow();
        if (!r.exact() || c.total() == 0) {
            return;
        }
        Map<String, Long> rm = new HashMap<>();
        for (FrequentItemsRow row : r.items()) {
            rm.put(row.value(), row.lowerBound());
        }
        Map<String, Long> cm = new HashMap<>();
        for (FrequentItemsRow row : c.items()) {
            cm.put(row.value(), row.lowerBound());
        }
        QualityCheck unseen = unseen(name, rm, cm);
        if (unseen != null) {
            out.add(unseen);
        }
    }

    /** Current values in categories the reference never had, or nothing. */
    public static QualityCheck unseen(String column, Map<String, Long> ref, Map<String, Long> cur) {
        long unseenRows = 0;
        long total = 0;
        TreeSet<String> unseen = new TreeSet<>();
        for (Map.Entry<String, Long> e : cur.entrySet()) {
            total += e.getValue();
            if (!ref.containsKey(e.getKey())) {
                unseenRows += e.getValue();
                unseen.add(e.getKey());
            }
        }
        double share = total == 0 ? 0 : (double) unseenRows / total;
        if (unseenRows == 0 || share < QualityCheck.UNSEEN_SHARE) {
            return null;
        }
        List<String> examples = new ArrayList<>();
        for (String s : unseen) {
            if (examples.size() == 5) {
                break;
            }
            examples.add(s.length() > 40 ? s.substring(0, 40) + "..." : s);
        }
        Map<String, Double> n = new LinkedHashMap<>();
        n.put("unseen_categories", (double) unseen.size());
        n.put("unseen_values", (double) unseenRows);
        n.put("share", share);
        n.put("threshold", QualityCheck.UNSEEN_SHARE);
        return new QualityCheck(Kind.UNSEEN_CATEGORIES, column, n, String.format(Locale.ROOT,
                "%d categories the reference never had hold %d current values: share %s >= %s (first: %s)",
                unseen.size(), unseenRows, fmt(share), fmt(QualityCheck.UNSEEN_SHARE), String.join(", ", examples)));
    }

    /** A number with four significant digits, for messages. */
    public static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
