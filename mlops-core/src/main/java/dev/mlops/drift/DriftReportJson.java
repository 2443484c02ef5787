package dev.mlops.drift;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mlops.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Writes a {@link DriftReport} as the JSON of {@code cli-contract.md}'s {@code drift} command, fields always in the
 * same order: {@code reference_rows}, {@code current_rows}, {@code alpha}, {@code correction}, {@code checks},
 * {@code columns} (each: {@code name}, {@code type}, {@code reference_missing}, {@code current_missing},
 * {@code reference_count}, {@code current_count}, {@code identifier_like}, {@code in_decision}, {@code results}
 * [{@code method}, {@code statistic}, {@code p_value}, {@code threshold}, {@code drift}, {@code note},
 * {@code category}], {@code drift}, {@code decision}, {@code note}, {@code error}), {@code skipped},
 * {@code decided_columns}, {@code drifted_columns}, {@code drift_share}, {@code share_threshold},
 * {@code dataset_drift}, {@code note}. A number that is absent or not finite is written as {@code null} and the
 * object carries a {@code note}; optional notes, categories and errors are left out when empty. Stateless and
 * thread-safe.
 */
public final class DriftReportJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private DriftReportJson() {
    }

    /** The report as a JSON string (no trailing newline). */
    public static String toJson(DriftReport report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(report, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the report to {@code out} in UTF-8 (not closed).
     *
     * @throws StorageException when writing fails
     */
    public static void write(DriftReport report, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            writeReport(g, report);
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("could not write the drift report: " + e.getMessage(), e);
        }
    }

    /**
     * A {@link ProfileDriftReport} as a JSON string (no trailing newline), in the style of the raw-data report:
     * {@code reference_rows}, {@code current_rows}, {@code alpha}, {@code correction}, {@code columns} (each:
     * {@code name}, {@code kind}, {@code type}, {@code reference_missing}, {@code current_missing},
     * {@code reference_count}?, {@code current_count}?, {@code identifier_like},
     * {@code in_decision}, {@code results} [{@code method}, {@code statistic}, {@code error_bound},
     * {@code p_value}?, {@code threshold}, {@code drift}, {@code note}?], {@code decision_method}, {@code drift},
     * {@code decision}, {@code note}?, {@code error}?), {@code skipped}, {@code decided_columns},
     * {@code drifted_columns}, {@code drift_share}, {@code share_threshold}, {@code dataset_drift}, {@code note}?.
     * {@code type} is the contract's ({@code datetime} for the datetime columns given to the analysis); the missing
     * count of a profile that lacks the column is {@code null}. Fields marked ? are left out when empty (a count of a
     * profile that lacks the column, the p-value of a method without one); {@code decision_method} and {@code decision} are left out for a column with an error, and
     * {@code decision} is {@code null} for a column left out of the decision. The same report gives the same bytes.
     */
    public static String toJson(ProfileDriftReport report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(report, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes a {@link ProfileDriftReport} to {@code out} in UTF-8 (not closed), as {@link #toJson(ProfileDriftReport)}.
     *
     * @throws StorageException when writing fails
     */
    public static void write(ProfileDriftReport report, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            writeProfileReport(g, report);
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("could not write the drift report: " + e.getMessage(), e);
        }
    }

    private static void writeProfileReport(JsonGenerator g, ProfileDriftReport r) throws IOException {
        g.writeStartObject();
        g.writeNumberField("reference_rows", r.referenceRows());
        g.writeNumberField("current_rows", r.currentRows());
        number(g, "alpha", r.alpha());
        g.writeStringField("correction", r.correction().id());
        g.writeArrayFieldStart("columns");
        for (ProfileDriftReport.Column c : r.columns()) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            if (c.kind().isPresent()) {
                g.writeStringField("kind", c.kind().get().name().toLowerCase(java.util.Locale.ROOT));
            } else {
                g.writeNullField("kind");
            }
            if (c.type().isPresent()) {
                g.writeStringField("type", c.type().get().id());
            } else {
                g.writeNullField("type");
            }
            count(g, "reference_missing", c.referenceMissing());
            count(g, "current_missing", c.currentMissing());
            if (c.referenceCount().isPresent()) {
                g.writeNumberField("reference_count", c.referenceCount().getAsLong());
            }
            if (c.currentCount().isPresent()) {
                g.writeNumberField("current_count", c.currentCount().getAsLong());
            }
            g.writeBooleanField("identifier_like", c.identifierLike());
            g.writeBooleanField("in_decision", c.inDecision());
            g.writeArrayFieldStart("results");
            for (ProfileMethodResult m : c.results()) {
                g.writeStartObject();
                g.writeStringField("method", m.method().id());
                String note = m.note().orElse(null);
                note = optional(g, "statistic", m.statistic(), note, m.method().id() + " statistic is undefined");
                number(g, "error_bound", m.errorBound());
                if (m.pValue().isPresent()) {
                    number(g, "p_value", m.pValue().getAsDouble());
                }
                number(g, "threshold", m.threshold());
                g.writeBooleanField("drift", m.drift());
                if (note != null) {
                    g.writeStringField("note", note);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (c.error().isEmpty()) {
                g.writeStringField("decision_method", c.decisionMethod().orElseThrow().id());
            }
            g.writeBooleanField("drift", c.drift());
            if (c.decision().isPresent()) {
                decision(g, c.decision().get());
            } else if (c.error().isEmpty()) {
                g.writeNullField("decision");
            }
            text(g, "note", c.note());
            text(g, "error", c.error());
            g.writeEndObject();
        }
        g.writeEndArray();
        datasetDecision(g, r.skipped(), r.decidedColumns(), r.driftedColumns(), r.driftShare(), r.shareThreshold(),
                r.datasetDrift(), r.note());
        g.writeEndObject();
    }

    /** The members both report kinds end with: the skipped columns and the dataset decision. */
    private static void datasetDecision(JsonGenerator g, List<SkippedColumn> skipped, int decided, int drifted,
            OptionalDouble driftShare, double shareThreshold, boolean datasetDrift, Optional<String> reportNote)
            throws IOException {
        g.writeArrayFieldStart("skipped");
        for (SkippedColumn s : skipped) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            g.writeStringField("reason", s.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("decided_columns", decided);
        g.writeNumberField("drifted_columns", drifted);
        String note = optional(g, "drift_share", driftShare, reportNote.orElse(null), "drift_share is undefined");
        number(g, "share_threshold", shareThreshold);
        g.writeBooleanField("dataset_drift", datasetDrift);
        if (note != null) {
            g.writeStringField("note", note);
        }
    }

    private static void writeReport(JsonGenerator g, DriftReport r) throws IOException {
        g.writeStartObject();
        g.writeNumberField("reference_rows", r.referenceRows());
        g.writeNumberField("current_rows", r.currentRows());
        number(g, "alpha", r.alpha());
        g.writeStringField("correction", r.correction().id());
        g.writeArrayFieldStart("checks");
        for (QualityCheck c : r.checks()) {
            g.writeStartObject();
            g.writeStringField("check", c.kind().id());
            g.writeStringField("column", c.column());
            for (Map.Entry<String, Double> e : c.numbers().entrySet()) {
                number(g, e.getKey(), e.getValue());
            }
            g.writeStringField("message", c.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("columns");
        for (ColumnReport c : r.columns()) {
            column(g, c);
        }
        g.writeEndArray();
        datasetDecision(g, r.skipped(), r.decidedColumns(), r.driftedColumns(), r.driftShare(), r.shareThreshold(),
                r.datasetDrift(), r.note());
        g.writeEndObject();
    }

    private static void column(JsonGenerator g, ColumnReport c) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        if (c.type().isPresent()) {
            g.writeStringField("type", c.type().get().id());
        } else {
            g.writeNullField("type");
        }
        count(g, "reference_missing", c.referenceMissing());
        count(g, "current_missing", c.currentMissing());
        g.writeNumberField("reference_count", c.referenceCount());
        g.writeNumberField("current_count", c.currentCount());
        g.writeBooleanField("identifier_like", c.identifierLike());
        g.writeBooleanField("in_decision", c.inDecision());
        g.writeArrayFieldStart("results");
        for (MethodResult m : c.results()) {
            g.writeStartObject();
            g.writeStringField("method", m.method().id());
            String note = m.note().orElse(null);
            note = optional(g, "statistic", m.statistic(), note, m.method().id() + " statistic is undefined");
            if (m.method().kind() == DriftMethod.Kind.P_VALUE) {
                note = optional(g, "p_value", m.pValue(), note, m.method().id() + " p-value is undefined");
            } else {
                g.writeNullField("p_value");
            }
            number(g, "threshold", m.threshold());
            g.writeBooleanField("drift", m.drift());
            if (note != null) {
                g.writeStringField("note", note);
            }
            if (m.category().isPresent()) {
                g.writeStringField("category", m.category().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("drift", c.drift());
        if (c.decision().isPresent()) {
            decision(g, c.decision().get());
        } else {
            g.writeNullField("decision");
        }
        text(g, "note", c.note());
        text(g, "error", c.error());
        g.writeEndObject();
    }

    private static void decision(JsonGenerator g, ColumnDecision d) throws IOException {
        g.writeObjectFieldStart("decision");
        g.writeStringField("method", d.method().id());
        String note = optional(g, "p_value", d.pValue(), null, d.method().id() + " p-value is undefined");
        number(g, "alpha", d.alpha());
        g.writeStringField("correction", d.correction().id());
        g.writeNumberField("tests", d.tests());
        number(g, "threshold", d.threshold());
        g.writeBooleanField("significant", d.significant());
        g.writeStringField("effect", d.effect().id());
        note = optional(g, "effect_size", d.effectSize(), note, d.effect().id() + " is undefined");
        number(g, "min_effect", d.minEffect());
        g.writeBooleanField("large_enough", d.largeEnough());
        if (d.category().isPresent()) {
            g.writeStringField("category", d.category().get());
        }
        g.writeBooleanField("drift", d.drift());
        g.writeStringField("reason", d.reason());
        if (note != null) {
            g.writeStringField("note", note);
        }
        g.writeEndObject();
    }

    /** Writes the value or null; returns the note to write (the given one, or {@code ifMissing} when null). */
    private static String optional(JsonGenerator g, String field, OptionalDouble v, String note, String ifMissing)
            throws IOException {
        if (v.isPresent() && Double.isFinite(v.getAsDouble())) {
            g.writeNumberField(field, v.getAsDouble());
            return note;
        }
        g.writeNullField(field);
        return note != null ? note : ifMissing;
    }

    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(field, v);
        } else {
            g.writeNullField(field);
        }
    }

    private static void count(JsonGenerator g, String field, OptionalLong v) throws IOException {
        if (v.isPresent()) {
            g.writeNumberField(field, v.getAsLong());
        } else {
            g.writeNullField(field);
        }
    }

    private static void text(JsonGenerator g, String field, Optional<String> v) throws IOException {
        if (v.isPresent()) {
            g.writeStringField(field, v.get());
        }
    }
}
