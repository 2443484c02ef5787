package dev.mlops.internal.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnDecision;
import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.ColumnType;
import dev.mlops.drift.Correction;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftMethod;
import dev.mlops.drift.ProfileDriftReport;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.ProfileMethodResult;
import dev.mlops.drift.SkippedColumn;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The work of {@link DriftAnalyzer#analyze(DatasetProfile, DatasetProfile, Set)}: per column
 * {@link ProfileStatistics#compare} at the analyzer's alpha and minimum effects, then the decision of
 * {@link Decisions} on the decision method's p-value and lowered statistic ({@code statistic - error_bound}).
 * Stateless and thread-safe.
 */
public final class ProfileDrift {
    private ProfileDrift() {
    }

    /**
     * The analyzer's options that apply to profiles.
     *
     * @param columns the requested columns, or null for every shared column
     * @param shown   the methods to show, in this order, or null for every method computed from the profiles
     */
    public record Settings(double alpha, Correction correction, double minNumericEffect, double minCategoricalEffect,
            double share, List<String> columns, List<DriftMethod> shown) {
    }

    /** What one column needs for the decision, between the per-column pass and the correction. */
    private static final class Pending {
        String name;
        ProfileKind kind;
        ColumnType type;
        OptionalLong refMissing = OptionalLong.empty();
        OptionalLong curMissing = OptionalLong.empty();
        OptionalLong refCount = OptionalLong.empty();
        OptionalLong curCount = OptionalLong.empty();
        boolean identifierLike;
        boolean inDecision;
        List<ProfileMethodResult> results = List.of();
        ProfileMethodResult decisive;
        String note;
        String error;
    }

    /**
     * Compares the profiles.
     *
     * @throws InvalidArgumentException naming {@code reference}, {@code current} or {@code datetimeColumns} when null,
     *                                  or {@code columns} for a requested column in neither profile
     */
    public static ProfileDriftReport analyze(DatasetProfile reference, DatasetProfile current,
            Set<String> datetimeColumns, Settings s) {
        if (reference == null || current == null) {
            String field = reference == null ? "reference" : "current";
            throw new InvalidArgumentException(field, field + " profile must not be null");
        }
        if (datetimeColumns == null || datetimeColumns.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidArgumentException("datetimeColumns", "datetimeColumns must be a set of names");
        }
        List<String> refNames = reference.columnNames();
        List<String> curNames = current.columnNames();
        List<String> compare = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        List<SkippedColumn> skipped = new ArrayList<>();
        if (s.columns() == null) {
            refNames.stream().filter(curNames::contains).forEach(compare::add);
            refNames.stream().filter(n -> !curNames.contains(n))
                    .forEach(n -> skipped.add(new SkippedColumn(n, "only in the reference profile")));
            curNames.stream().filter(n -> !refNames.contains(n))
                    .forEach(n -> skipped.add(new SkippedColumn(n, "only in the current profile")));
        } else {
            for (String name : s.columns()) {
                if (!refNames.contains(name) && !curNames.contains(name)) {
                    throw new InvalidArgumentException("columns", "column '" + name
                            + "' is in neither the reference nor the current profile");
                }
                compare.add(name);
                named.add(name);
            }
            Set<String> others = new LinkedHashSet<>(refNames);
            others.addAll(curNames);
            others.stream().filter(n -> !named.contains(n))
                    .forEach(n -> skipped.add(new SkippedColumn(n, "not among the requested columns")));
        }
        List<Pending> pending = new ArrayList<>();
        for (String name : compare) {
            pending.add(column(name, reference.column(name).orElse(null), current.column(name).orElse(null),
                    named.contains(name), datetimeColumns.contains(name), s));
        }
        double[] pv = pending.stream().filter(p -> p.inDecision)
                .mapToDouble(p -> p.decisive.pValue().getAsDouble()).toArray();
        double threshold = Corrections.threshold(s.correction(), s.alpha(), pv);
        List<ProfileDriftReport.Column> columns = new ArrayList<>();
        int decided = 0;
        int drifted = 0;
        for (Pending p : pending) {
            Optional<ColumnDecision> decision = Optional.empty();
            if (p.inDecision) {
                ProfileMethodResult m = p.decisive;
                double lowered = Math.max(0, m.statistic().getAsDouble() - m.errorBound());
                ColumnDecision d = Decisions.decide(m.method(), m.pValue(), s.alpha(), s.correction(), pv.length,
                        threshold, m.method(), m.errorBound() == 0 ? m.method().id()
                                : m.method().id() + " - error_bound", OptionalDouble.of(lowered),
                        p.kind == ProfileKind.NUMERIC ? s.minNumericEffect() : s.minCategoricalEffect(), null);
                decision = Optional.of(d);
                decided++;
                drifted += d.drift() ? 1 : 0;
            }
            columns.add(new ProfileDriftReport.Column(p.name, Optional.ofNullable(p.kind), Optional.ofNullable(p.type),
                    p.refMissing, p.curMissing, p.refCount, p.curCount,
                    p.identifierLike, p.inDecision, p.results, decision.map(ColumnDecision::drift).orElse(false),
                    decision, Optional.ofNullable(p.note), Optional.ofNullable(p.error)));
        }
        Decisions.Dataset dataset = Decisions.dataset(decided, drifted, s.share());
        return new ProfileDriftReport(reference.rows(), current.rows(), s.alpha(), s.correction(), columns, skipped,
                decided, drifted, dataset.share(), s.share(), dataset.drift(), dataset.note());
    }

    private static Pending column(String name, ColumnProfile ref, ColumnProfile cur, boolean named, boolean datetime,
            Settings s) {
        Pending p = new Pending();
        p.name = name;
        p.kind = (ref != null ? ref : cur).kind();
        p.type = p.kind == ProfileKind.CATEGORICAL ? ColumnType.CATEGORICAL
                : datetime ? ColumnType.DATETIME : ColumnType.NUMERIC;
        if (ref != null) {
            p.refMissing = OptionalLong.of(ref.missing());
            p.refCount = OptionalLong.of(ref.count());
        }
        if (cur != null) {
            p.curMissing = OptionalLong.of(cur.missing());
            p.curCount = OptionalLong.of(cur.count());
        }
        if (ref == null || cur == null) {
            p.error = "column '" + name + "' is not in the " + (ref == null ? "reference" : "current") + " profile";
            return p;
        }
        if (ref.kind() != cur.kind()) {
            p.error = "kind changed: " + kind(ref) + " in the reference profile, " + kind(cur)
                    + " in the current one";
            return p;
        }
        List<ProfileMethodResult> all = ProfileStatistics.compare(ref, cur, s.alpha(), s.minNumericEffect(),
                s.minCategoricalEffect());
        p.decisive = all.get(0); // ks or l_infinity
        p.results = s.shown() == null ? all : pick(s.shown(), all, ref.kind(), s.alpha());
        p.identifierLike = ref.categories().map(c -> c.total() >= DriftAnalyzer.IDENTIFIER_MIN_VALUES
                && c.distinctCount() >= DriftAnalyzer.IDENTIFIER_DISTINCT_SHARE * c.total()).orElse(false);
        if (p.decisive.statistic().isEmpty()) {
            p.note = p.decisive.method().id() + " is undefined" + p.decisive.note().map(n -> " (" + n + ")")
                    .orElse("") + ": not in the decision";
        } else if (named) {
            p.inDecision = true;
        } else if (datetime) {
            p.note = "datetime column: reported, left out of the decision unless named in columns";
        } else if (p.identifierLike) {
            p.note = "identifier-like column (nearly every value distinct): reported, left out of the decision"
                    + " unless named in columns";
        } else {
            p.inDecision = true;
        }
        return p;
    }

    /** The shown methods' results in the shown order; one not computed from profiles empty with a note. */
    private static List<ProfileMethodResult> pick(List<DriftMethod> shown, List<ProfileMethodResult> computed,
            ProfileKind kind, double alpha) {
        List<ProfileMethodResult> out = new ArrayList<>(shown.size());
        for (DriftMethod m : shown) {
            ProfileMethodResult found = computed.stream().filter(r -> r.method() == m).findFirst().orElse(null);
            if (found == null) {
                boolean applies = kind == ProfileKind.NUMERIC ? m.appliesToNumeric() : m.appliesToCategorical();
                found = new ProfileMethodResult(m, OptionalDouble.empty(), 0, OptionalDouble.empty(),
                        m.kind() == DriftMethod.Kind.P_VALUE ? alpha : m.defaultThreshold(), false, Optional.of(
                                applies ? m.id() + " cannot be computed from profiles"
                                        : m.id() + " does not apply to " + kind.name().toLowerCase(Locale.ROOT)
                                                + " columns"));
            }
            out.add(found);
        }
        return out;
    }

    private static String kind(ColumnProfile p) {
        return p.kind().name().toLowerCase(Locale.ROOT);
    }
}
