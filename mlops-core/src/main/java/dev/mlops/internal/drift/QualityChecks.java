package dev.mlops.internal.drift;

import dev.mlops.drift.QualityCheck;
import dev.mlops.drift.QualityCheck.Kind;
import java.util.ArrayList;
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
        double share = (double) (below + above) / cur.length;
        double threshold = Math.max(QualityCheck.OUT_OF_RANGE_SHARE,
                QualityCheck.OUT_OF_RANGE_EXPECTED_FACTOR * 2.0 / (ref.length + 1.0));
        if (below + above == 0 || share < threshold) {
            return null;
        }
        Map<String, Double> n = new LinkedHashMap<>();
        n.put("reference_min", lo);
        n.put("reference_max", hi);
        n.put("current_min", curLo);
        n.put("current_max", curHi);
        n.put("below", (double) below);
        n.put("above", (double) above);
        n.put("share", share);
        n.put("threshold", threshold);
        return new QualityCheck(Kind.OUT_OF_RANGE, column, n, String.format(Locale.ROOT,
                "%d current values below the reference minimum %s and %d above its maximum %s: share %s >= %s",
                below, fmt(lo), above, fmt(hi), fmt(share), fmt(threshold)));
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
