package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.OutFiles;
import dev.mlops.cli.Output;
import dev.mlops.cli.TableFiles;
import dev.mlops.drift.ColumnDecision;
import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.ColumnReport;
import dev.mlops.drift.ColumnType;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftReportHtml;
import dev.mlops.drift.DriftReportJson;
import dev.mlops.drift.MethodResult;
import dev.mlops.drift.ProfileComparison;
import dev.mlops.drift.ProfileMethodResult;
import dev.mlops.drift.QualityCheck;
import dev.mlops.drift.SkippedColumn;
import dev.mlops.drift.Tables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlops drift}: compares a current data file with a reference with {@link DriftAnalyzer} and prints the report
 * as text, as {@link DriftReportJson}'s JSON or as {@link DriftReportHtml}'s HTML page. Needs no store and opens none.
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = {"Compare a current data file with a reference (CSV with a header, or a JSON array of records)"
                + " column by column, and decide whether the data drifted. Needs no store.",
                "Exit 0 when done, 1 with --fail-on-drift when the dataset drifts, 2 for bad arguments or files."})
public final class DriftCommand extends BaseCommand {
    @Option(names = "--reference", paramLabel = "REF", description = "The reference data file (CSV or JSON records).")
    Path reference;

    @Option(names = "--reference-profile", paramLabel = "PROFILE.json",
            description = "A profile (from mlops profile) in place of --reference: statistics from the"
                    + " sketches, each with its error_bound.")
    Path referenceProfile;

    @Option(names = "--current", required = true, paramLabel = "CUR", description = "The current data file.")
    Path current;

    @Option(names = "--columns", paramLabel = "a,b",
            description = "Columns to compare, in this order (default: every column present in both files).")
    String columns;

    @Option(names = "--methods", paramLabel = "auto|all|m1,m2", defaultValue = "auto",
            description = "Methods whose results are shown: auto (the decision's test and effect size), all (every"
                    + " method that applies), or a list such as ks,psi,jensen_shannon (default: ${DEFAULT-VALUE}).")
    String methods;

    @Option(names = "--alpha", paramLabel = "X", defaultValue = "0.05",
            description = "Significance level for p-value methods (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--categorical", paramLabel = "a,b",
            description = "Columns compared as categories whatever their values.")
    String categorical;

    @Option(names = "--format", paramLabel = "text|json|html",
            description = "Report format (default: text, or json with --json); html is one self-contained page"
                    + " with a chart per column.")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE (whole or not at all).")
    Path outFile;

    @Option(names = "--fail-on-drift", description = "Exit 1 when the dataset drifts.")
    boolean failOnDrift;

    @Override
    public Integer call() {
        String fmt = format == null ? (json() ? "json" : "text") : format.strip().toLowerCase(Locale.ROOT);
        if (!fmt.equals("text") && !fmt.equals("json") && !fmt.equals("html")) {
            throw new InvalidArgumentException("--format", "--format must be text, json or html, was '" + format
                    + "'");
        }
        if (json() && !fmt.equals("json") && outFile == null) {
            throw new InvalidArgumentException("--format", "--json prints JSON on stdout: use --format json, or"
                    + " --out FILE for the " + fmt + " report");
        }
        if (referenceProfile != null) {
            if (reference != null) {
                throw new InvalidArgumentException("--reference-profile", "--reference-profile replaces --reference:"
                        + " pass one of them");
            }
            return fromProfile(fmt);
        }
        if (reference == null) {
            throw new InvalidArgumentException("--reference", "--reference REF is required");
        }
        DriftAnalyzer.Builder builder = DriftAnalyzer.builder();
        try {
            builder.methods(methods);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("--methods", "--methods: " + e.getMessage(), e);
        }
        try {
            builder.alpha(alpha);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("--alpha", "--alpha must be in (0, 1), was " + alpha, e);
        }
        List<String> requested = columns == null ? null : TableFiles.list("--columns", columns);
        Set<String> forced = new LinkedHashSet<>(TableFiles.list("--categorical", categorical));

        Output out = output();
        Consumer<String> progress = out::progress;
        List<String> refNames = Tables.names(reference, "--reference");
        List<String> curNames = Tables.names(current, "--current");
        List<String> compared = new ArrayList<>();
        if (requested != null) {
            for (String name : requested) {
                if (!refNames.contains(name) && !curNames.contains(name)) {
                    throw new InvalidArgumentException("--columns", "--columns: column '" + name + "' is in neither "
                            + reference + " nor " + current);
                }
            }
            compared.addAll(requested);
            builder.columns(requested);
        } else {
            refNames.stream().filter(curNames::contains).forEach(compared::add);
        }
        for (String name : forced) {
            if (!refNames.contains(name) && !curNames.contains(name)) {
                throw new InvalidArgumentException("--categorical", "--categorical: column '" + name
                        + "' is in neither " + reference + " nor " + current);
            }
        }
        builder.categorical(forced);

        List<String> refCompared = compared.stream().filter(refNames::contains).toList();
        List<String> curCompared = compared.stream().filter(curNames::contains).toList();
        Tables.Pair tables = Tables.readPair(new Tables.Source(reference, "--reference", refCompared),
                new Tables.Source(current, "--current", curCompared), TableFiles.options(forced, progress));
        Tables.Table ref = tables.reference();
        Tables.Table cur = tables.current();
        DriftReport report = builder.build().analyze(ref.columns(), cur.columns());

        String rendered = switch (fmt) {
            case "json" -> DriftReportJson.toJson(report) + "\n";
            case "html" -> DriftReportHtml.toHtml(report, ref.columns(), cur.columns(),
                    "Reference " + reference + " (" + report.referenceRows() + " rows), current " + current + " ("
                            + report.currentRows() + " rows)");
            default -> text(report);
        };
        byte[] bytes = rendered.getBytes(StandardCharsets.UTF_8);
        if (outFile == null) {
            out.out().print(new String(bytes, StandardCharsets.UTF_8));
            out.out().flush();
        } else {
            OutFiles.write("--out", outFile, o -> {
                o.write(bytes);
                return null;
            });
            if (json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("out", outFile.toAbsolutePath().toString());
                doc.put("format", fmt);
                doc.put("dataset_drift", report.datasetDrift());
                doc.put("drifted_columns", report.driftedColumns());
                doc.put("decided_columns", report.decidedColumns());
                out.json(doc);
            } else {
                out.line("Wrote the " + fmt + " drift report to " + outFile + ": " + verdict(report));
            }
        }
        return failOnDrift && report.datasetDrift() ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    /**
     * {@code --reference-profile}: profiles the current file and compares the two profiles with
     * {@link ProfileComparison}. A column drifts when its decision method ({@code ks} for numeric columns,
     * {@code l_infinity} for categorical ones) drifts; the dataset drifts when at least half the compared columns do.
     * The HTML page ({@link DriftReportHtml#toHtml(DatasetProfile, DatasetProfile, List, List, String)}) applies the
     * same rule to the same comparisons.
     */
    /**
     * Whether a categorical reference profile looks like an identifier, by the raw-data report's rule: at least
     * {@link DriftAnalyzer#IDENTIFIER_MIN_VALUES} values, of which at least
     * {@link DriftAnalyzer#IDENTIFIER_DISTINCT_SHARE} distinct (the profile's distinct count, exact below its
     * category cap, else its estimate).
     */
    private static boolean identifierLike(ColumnProfile reference) {
        return reference.categories().map(c -> c.total() >= DriftAnalyzer.IDENTIFIER_MIN_VALUES
                && c.distinctCount() >= DriftAnalyzer.IDENTIFIER_DISTINCT_SHARE * c.total()).orElse(false);
    }

    private Integer fromProfile(String fmt) {
        if (!methods.strip().equalsIgnoreCase("auto")) {
            throw new InvalidArgumentException("--methods", "--methods: with --reference-profile every method that"
                    + " can be computed from profiles is reported; leave --methods out");
        }
        Output out = output();
        DatasetProfile ref;
        try {
            ref = ProfileCommand.read(referenceProfile, "--reference-profile");
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("--reference-profile", "--reference-profile: " + e.getMessage(), e);
        }
        Set<String> forced = new LinkedHashSet<>(TableFiles.list("--categorical", categorical));
        List<String> curNames = Tables.names(current, "--current");
        List<String> requested = columns == null ? null : TableFiles.list("--columns", columns);
        if (requested != null) {
            for (String name : requested) {
                if (ref.column(name).isEmpty() && !curNames.contains(name)) {
                    throw new InvalidArgumentException("--columns", "--columns: column '" + name + "' is in neither "
                            + referenceProfile + " nor " + current);
                }
            }
        }
        List<String> profiled = curNames.stream().filter(n -> requested == null || requested.contains(n)).toList();
        Tables.TypedProfile typed = Tables.profileTyped(new Tables.Source(current, "--current", profiled),
                TableFiles.options(forced, out::progress));
        DatasetProfile cur = typed.profile();
        List<String> order = new ArrayList<>();
        if (requested != null) {
            order.addAll(requested);
        } else {
            ref.columnNames().stream().filter(curNames::contains).forEach(order::add);
        }
        List<Map<String, Object>> cols = new ArrayList<>();
        List<Map<String, Object>> skipped = new ArrayList<>();
        if (requested == null) {
            for (String n : ref.columnNames()) {
                if (!curNames.contains(n)) {
                    skipped.add(Map.of("name", n, "reason", "only in the reference profile"));
                }
            }
            for (String n : curNames) {
                if (ref.column(n).isEmpty()) {
                    skipped.add(Map.of("name", n, "reason", "only in the current data"));
                }
            }
        }
        int decided = 0;
        int drifted = 0;
        for (String name : order) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            java.util.Optional<ColumnProfile> rc = ref.column(name);
            java.util.Optional<ColumnProfile> cc = cur.column(name);
            rc.or(() -> cc).ifPresent(p -> c.put("kind", p.kind().name().toLowerCase(Locale.ROOT)));
            rc.ifPresent(p -> c.put("reference_count", p.count()));
            cc.ifPresent(p -> c.put("current_count", p.count()));
            if (rc.isEmpty() || cc.isEmpty()) {
                c.put("error", rc.isEmpty() ? "column '" + name + "' is not in the reference profile"
                        : "column '" + name + "' is not in the current data");
            } else if (rc.get().kind() != cc.get().kind()) {
                c.put("error", "kind changed: " + rc.get().kind().name().toLowerCase(Locale.ROOT)
                        + " in the reference profile, " + cc.get().kind().name().toLowerCase(Locale.ROOT)
                        + " in the current data");
            } else {
                List<ProfileMethodResult> rs = ProfileComparison.compare(rc.get(), cc.get());
                List<Map<String, Object>> results = new ArrayList<>();
                for (ProfileMethodResult m : rs) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("method", m.method().id());
                    r.put("statistic", m.statistic().isPresent() ? m.statistic().getAsDouble() : null);
                    r.put("error_bound", m.errorBound());
                    if (m.pValue().isPresent()) {
                        r.put("p_value", m.pValue().getAsDouble());
                    }
                    r.put("threshold", m.threshold());
                    r.put("drift", m.drift());
                    m.note().ifPresent(n -> r.put("note", n));
                    results.add(r);
                }
                c.put("results", results);
                boolean drift = rs.get(0).drift();
                c.put("decision_method", rs.get(0).method().id());
                // as in the raw-data report: datetime and identifier-like columns are reported but left out of
                // the decision unless --columns names them
                String leftOut = requested != null && requested.contains(name) ? null
                        : typed.types().get(name) == ColumnType.DATETIME
                                ? "datetime column: reported, left out of the decision unless named in --columns"
                                : identifierLike(rc.get())
                                        ? "identifier-like column (nearly every value distinct): reported, left out"
                                                + " of the decision unless named in --columns"
                                        : null;
                c.put("in_decision", leftOut == null);
                if (leftOut != null) {
                    drift = false;
                    c.put("note", leftOut);
                }
                c.put("drift", drift);
                if (leftOut == null && rs.get(0).statistic().isPresent()) {
                    decided++;
                    if (drift) {
                        drifted++;
                    }
                }
            }
            cols.add(c);
        }
        boolean datasetDrift = decided > 0 && (double) drifted / decided >= DriftAnalyzer.DEFAULT_SHARE;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("reference_profile", referenceProfile.toString());
        doc.put("reference_rows", ref.rows());
        doc.put("current_rows", cur.rows());
        doc.put("columns", cols);
        doc.put("skipped", skipped);
        doc.put("decided_columns", decided);
        doc.put("drifted_columns", drifted);
        doc.put("drift_share", decided == 0 ? null : (double) drifted / decided);
        doc.put("share_threshold", DriftAnalyzer.DEFAULT_SHARE);
        doc.put("dataset_drift", datasetDrift);
        String verdict = (datasetDrift ? "Dataset drift: YES" : "Dataset drift: no") + " (" + drifted + " of "
                + decided + " decided columns drift, threshold " + num(DriftAnalyzer.DEFAULT_SHARE) + ")";
        String text;
        if (fmt.equals("html")) {
            Map<String, String> leftOut = new LinkedHashMap<>();
            for (Map<String, Object> c : cols) {
                if (Boolean.FALSE.equals(c.get("in_decision"))) {
                    leftOut.put((String) c.get("name"), (String) c.get("note"));
                }
            }
            text = DriftReportHtml.toHtml(ref, cur, order, leftOut, skipped.stream()
                    .map(k -> new SkippedColumn((String) k.get("name"), (String) k.get("reason"))).toList(),
                    "Reference profile " + referenceProfile + " (" + ref.rows() + " rows), current " + current + " ("
                            + cur.rows() + " rows)");
        } else if (fmt.equals("json")) {
            try {
                text = Output.mapper().writeValueAsString(doc) + "\n";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            StringBuilder s = new StringBuilder();
            s.append("Reference profile ").append(referenceProfile).append(": ").append(ref.rows())
                    .append(" rows; current ").append(current).append(": ").append(cur.rows()).append(" rows\n");
            s.append("Statistics from sketches; a method drifts when statistic - error_bound > threshold\n");
            s.append("\nColumns:\n");
            for (Map<String, Object> c : cols) {
                s.append("  ").append(c.get("name")).append(" (").append(c.getOrDefault("kind", "?")).append("): ");
                if (c.containsKey("error")) {
                    s.append("ERROR ").append(c.get("error")).append('\n');
                    continue;
                }
                s.append(Boolean.TRUE.equals(c.get("drift")) ? "DRIFT" : "no drift").append(" (by ")
                        .append(c.get("decision_method")).append(")\n");
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> results = (List<Map<String, Object>>) c.get("results");
                for (Map<String, Object> r : results) {
                    Object st = r.get("statistic");
                    s.append("      ").append(r.get("method")).append(": statistic ")
                            .append(st == null ? "-" : num((Double) st)).append(" +- ")
                            .append(num((Double) r.get("error_bound")));
                    if (r.containsKey("p_value")) {
                        s.append(", p ").append(num((Double) r.get("p_value")));
                    }
                    s.append(", threshold ").append(num((Double) r.get("threshold")))
                            .append(Boolean.TRUE.equals(r.get("drift")) ? ", drift" : ", no drift");
                    if (r.containsKey("note")) {
                        s.append(" (").append(r.get("note")).append(')');
                    }
                    s.append('\n');
                }
            }
            s.append('\n').append(verdict).append('\n');
            text = s.toString();
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (outFile == null) {
            out.out().print(text);
            out.out().flush();
        } else {
            OutFiles.write("--out", outFile, o -> {
                o.write(bytes);
                return null;
            });
            if (json()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("out", outFile.toAbsolutePath().toString());
                d.put("format", fmt);
                d.put("dataset_drift", datasetDrift);
                d.put("drifted_columns", drifted);
                d.put("decided_columns", decided);
                out.json(d);
            } else {
                out.line("Wrote the " + fmt + " drift report to " + outFile + ": " + verdict);
            }
        }
        return failOnDrift && datasetDrift ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    private String text(DriftReport r) {
        StringBuilder s = new StringBuilder();
        s.append("Reference ").append(reference).append(": ").append(r.referenceRows()).append(" rows; current ")
                .append(current).append(": ").append(r.currentRows()).append(" rows; alpha ").append(num(r.alpha()))
                .append(", correction ").append(r.correction().id()).append('\n');
        if (!r.checks().isEmpty()) {
            s.append("\nChecks:\n");
            for (QualityCheck c : r.checks()) {
                s.append("  ").append(c.kind().id()).append(' ').append(c.column()).append(": ").append(c.message())
                        .append('\n');
            }
        }
        s.append("\nColumns:\n");
        for (ColumnReport c : r.columns()) {
            s.append("  ").append(c.name()).append(" (").append(c.type().map(ColumnType::id).orElse("?"))
                    .append(", missing ").append(count(c.referenceMissing())).append(" / ")
                    .append(count(c.currentMissing()))
                    .append("): ");
            if (c.error().isPresent()) {
                s.append("ERROR ").append(c.error().get()).append('\n');
                continue;
            }
            if (c.decision().isPresent()) {
                ColumnDecision d = c.decision().get();
                s.append(c.drift() ? "DRIFT" : "no drift").append("\n      ").append(d.reason()).append('\n');
            } else {
                s.append("not in the decision").append(c.note().map(n -> " (" + n + ")").orElse("")).append('\n');
            }
            for (MethodResult m : c.results()) {
                s.append("      ").append(m.method().id()).append(": statistic ").append(opt(m.statistic()));
                if (m.method().kind() == dev.mlops.drift.DriftMethod.Kind.P_VALUE) {
                    s.append(", p ").append(opt(m.pValue()));
                }
                s.append(", threshold ").append(num(m.threshold())).append(m.drift() ? ", drift" : ", no drift");
                m.category().ifPresent(cat -> s.append(", category ").append(cat));
                m.note().ifPresent(n -> s.append(" (").append(n).append(')'));
                s.append('\n');
            }
        }
        if (!r.skipped().isEmpty()) {
            s.append("\nSkipped:\n");
            for (SkippedColumn k : r.skipped()) {
                s.append("  ").append(k.name()).append(": ").append(k.reason()).append('\n');
            }
        }
        s.append('\n').append(verdict(r)).append('\n');
        r.note().ifPresent(n -> s.append(n).append('\n'));
        return s.toString();
    }

    private static String verdict(DriftReport r) {
        String share = r.driftShare().isPresent() ? num(r.driftShare().getAsDouble()) : "undefined";
        return (r.datasetDrift() ? "Dataset drift: YES" : "Dataset drift: no") + " (" + r.driftedColumns() + " of "
                + r.decidedColumns() + " decided columns drift, share " + share + ", threshold "
                + num(r.shareThreshold()) + ")";
    }

    private static String count(java.util.OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
    }

    private static String opt(OptionalDouble v) {
        return v.isPresent() ? num(v.getAsDouble()) : "-";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
