package dev.mlops.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.OutFiles;
import dev.mlops.cli.Output;
import dev.mlops.cli.TableFiles;
import dev.mlops.drift.ColumnDecision;
import dev.mlops.drift.ColumnReport;
import dev.mlops.drift.ColumnType;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftReportHtml;
import dev.mlops.drift.DriftReportJson;
import dev.mlops.drift.MethodResult;
import dev.mlops.drift.ProfileDriftReport;
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
        List<String> requested = columns == null ? null : TableFiles.list("--columns", columns);
        DriftAnalyzer.Builder builder = analyzer(null);
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

    /** The analyzer of {@code --methods}, {@code --alpha} and {@code --columns}, for either path. */
    private DriftAnalyzer.Builder analyzer(List<String> requested) {
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
        if (requested != null) {
            builder.columns(requested);
        }
        return builder;
    }

    /**
     * {@code --reference-profile}: profiles the current file and compares the two profiles with
     * {@link DriftAnalyzer#analyze(DatasetProfile, DatasetProfile, Set)}, which decides by the same options and rule
     * as the raw-data path; the text, JSON and HTML are all rendered from that one {@link ProfileDriftReport}.
     */
    private Integer fromProfile(String fmt) {
        List<String> requested = columns == null ? null : TableFiles.list("--columns", columns);
        DriftAnalyzer analyzer = analyzer(requested).build();
        Output out = output();
        DatasetProfile ref;
        try {
            ref = ProfileCommand.read(referenceProfile, "--reference-profile");
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("--reference-profile", "--reference-profile: " + e.getMessage(), e);
        }
        Set<String> forced = new LinkedHashSet<>(TableFiles.list("--categorical", categorical));
        List<String> curNames = Tables.names(current, "--current");
        if (requested != null) {
            for (String name : requested) {
                if (ref.column(name).isEmpty() && !curNames.contains(name)) {
                    throw new InvalidArgumentException("--columns", "--columns: column '" + name + "' is in neither "
                            + referenceProfile + " nor " + current);
                }
            }
        }
        for (String name : forced) {
            if (ref.column(name).isEmpty() && !curNames.contains(name)) {
                throw new InvalidArgumentException("--categorical", "--categorical: column '" + name
                        + "' is in neither " + referenceProfile + " nor " + current);
            }
        }
        List<String> profiled = curNames.stream().filter(n -> requested == null || requested.contains(n)).toList();
        Tables.TypedProfile typed = Tables.profileTyped(new Tables.Source(current, "--current", profiled),
                TableFiles.options(forced, out::progress));
        DatasetProfile cur = typed.profile();
        Set<String> datetime = new LinkedHashSet<>();
        typed.types().forEach((name, type) -> {
            if (type == ColumnType.DATETIME) {
                datetime.add(name);
            }
        });
        ProfileDriftReport report = analyzer.analyze(ref, cur, datetime);
        String text = switch (fmt) {
            case "html" -> DriftReportHtml.toHtml(report, ref, cur, "Reference profile " + referenceProfile + " ("
                    + report.referenceRows() + " rows), current " + current + " (" + report.currentRows()
                    + " rows)");
            case "json" -> profileJson(report) + "\n";
            default -> profileText(report);
        };
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
                d.put("dataset_drift", report.datasetDrift());
                d.put("drifted_columns", report.driftedColumns());
                d.put("decided_columns", report.decidedColumns());
                out.json(d);
            } else {
                out.line("Wrote the " + fmt + " drift report to " + outFile + ": " + verdict(report.datasetDrift(),
                        report.driftedColumns(), report.decidedColumns(), report.driftShare(),
                        report.shareThreshold()));
            }
        }
        return failOnDrift && report.datasetDrift() ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    /** {@link DriftReportJson}'s JSON of the report with {@code reference_profile} (the file) first. */
    private String profileJson(ProfileDriftReport report) {
        try {
            ObjectNode doc = Output.mapper().createObjectNode();
            doc.put("reference_profile", referenceProfile.toString());
            doc.setAll((ObjectNode) Output.mapper().readTree(DriftReportJson.toJson(report)));
            return Output.mapper().writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String profileText(ProfileDriftReport r) {
        StringBuilder s = new StringBuilder();
        s.append("Reference profile ").append(referenceProfile).append(": ").append(r.referenceRows())
                .append(" rows; current ").append(current).append(": ").append(r.currentRows()).append(" rows; alpha ")
                .append(num(r.alpha())).append(", correction ").append(r.correction().id()).append('\n');
        s.append("Statistics from sketches, each within +- error_bound of the raw-value one; a column's effect size is"
                + " its decision method's statistic - error_bound\n");
        s.append("\nColumns:\n");
        for (ProfileDriftReport.Column c : r.columns()) {
            s.append("  ").append(c.name()).append(" (")
                    .append(c.kind().map(k -> k.name().toLowerCase(Locale.ROOT)).orElse("?")).append("): ");
            if (c.error().isPresent()) {
                s.append("ERROR ").append(c.error().get()).append('\n');
                continue;
            }
            String by = " (by " + c.decisionMethod().orElseThrow().id() + ")";
            if (c.decision().isPresent()) {
                s.append(c.drift() ? "DRIFT" : "no drift").append(by).append("\n      ")
                        .append(c.decision().get().reason()).append('\n');
            } else {
                s.append("not in the decision").append(by).append(c.note().map(n -> " (" + n + ")").orElse(""))
                        .append('\n');
            }
            for (ProfileMethodResult m : c.results()) {
                s.append("      ").append(m.method().id()).append(": statistic ").append(opt(m.statistic()))
                        .append(" +- ").append(num(m.errorBound()));
                if (m.pValue().isPresent()) {
                    s.append(", p ").append(num(m.pValue().getAsDouble()));
                }
                s.append(", threshold ").append(num(m.threshold())).append(m.drift() ? ", drift" : ", no drift");
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
        s.append('\n').append(verdict(r.datasetDrift(), r.driftedColumns(), r.decidedColumns(), r.driftShare(),
                r.shareThreshold())).append('\n');
        r.note().ifPresent(n -> s.append(n).append('\n'));
        return s.toString();
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
        return verdict(r.datasetDrift(), r.driftedColumns(), r.decidedColumns(), r.driftShare(), r.shareThreshold());
    }

    private static String verdict(boolean drift, int drifted, int decided, OptionalDouble driftShare,
            double threshold) {
        String share = driftShare.isPresent() ? num(driftShare.getAsDouble()) : "undefined";
        return (drift ? "Dataset drift: YES" : "Dataset drift: no") + " (" + drifted + " of " + decided
                + " decided columns drift, share " + share + ", threshold " + num(threshold) + ")";
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
