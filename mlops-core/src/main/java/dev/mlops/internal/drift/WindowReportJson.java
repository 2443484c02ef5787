package dev.mlops.internal.drift;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.QualityCheck;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The JSON of a {@link WindowReport} (docs/drift.md, "Window report JSON"), one line, fields always in this order:
 * {@code format} ({@value #FORMAT}), {@code format_version} ({@value #FORMAT_VERSION}), {@code sequence},
 * {@code start}, {@code end} (ISO-8601 instants, full precision), {@code rows}, {@code drift},
 * {@code profile_digest} (the digest of the window profile's JSON, which is not repeated here), {@code checks}
 * (each: {@code kind} (as {@link QualityCheck.Kind#id()}), {@code column}, {@code numbers} (an object, in order),
 * {@code message}), {@code columns} (each: {@code name}, {@code kind} ({@code numeric} or {@code categorical}),
 * {@code statistic_name}, {@code statistic} (null when NaN), {@code error_bound}, {@code p_value} and {@code alpha}
 * (null when NaN), {@code threshold}, {@code drift}, {@code value_count}, {@code invalid_count},
 * {@code reference_count}). Doubles are written so that they read back exactly. The same report always gives the same
 * bytes. Reads format versions 1 (without {@code checks}, {@code p_value} and {@code alpha}: read as none, NaN and
 * NaN) and {@value #FORMAT_VERSION}. Stateless and thread-safe.
 */
public final class WindowReportJson {
    /** The value of {@code format}. */
    public static final String FORMAT = "mlops.window_report";
    /** The format version written and read. */
    public static final int FORMAT_VERSION = 2;
    private static final String FIELD = "report";
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private WindowReportJson() {
    }

    /** The report as UTF-8 JSON; {@code profileDigest} is the digest of {@code report.profile()}'s JSON. */
    public static String write(WindowReport report, String profileDigest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("format_version", FORMAT_VERSION);
            g.writeNumberField("sequence", report.sequence());
            g.writeStringField("start", report.start().toString());
            g.writeStringField("end", report.end().toString());
            g.writeNumberField("rows", report.rows());
            g.writeBooleanField("drift", report.drift());
            g.writeStringField("profile_digest", profileDigest);
            g.writeArrayFieldStart("checks");
            for (QualityCheck q : report.checks()) {
                g.writeStartObject();
                g.writeStringField("kind", q.kind().id());
                g.writeStringField("column", q.column());
                g.writeObjectFieldStart("numbers");
                for (Map.Entry<String, Double> e : q.numbers().entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                g.writeStringField("message", q.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("columns");
            for (WindowColumn c : report.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("kind", c.kind().name().toLowerCase(Locale.ROOT));
                g.writeStringField("statistic_name", c.statisticName());
                if (Double.isNaN(c.statistic())) {
                    g.writeNullField("statistic");
                } else {
                    g.writeNumberField("statistic", c.statistic());
                }
                g.writeNumberField("error_bound", c.errorBound());
                nullable(g, "p_value", c.pValue());
                nullable(g, "alpha", c.alpha());
                g.writeNumberField("threshold", c.threshold());
                g.writeBooleanField("drift", c.drift());
                g.writeNumberField("value_count", c.valueCount());
                g.writeNumberField("invalid_count", c.invalidCount());
                g.writeNumberField("reference_count", c.referenceCount());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void nullable(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }

    /**
     * Reads a report written by {@link #write}, with its window profile.
     *
     * @param where names the stored report in messages
     * @throws InvalidArgumentException (field {@code report}) when the JSON is malformed, of another format or
     *         version, or its row count or columns do not match {@code profile}
     */
    public static WindowReport read(String json, DatasetProfile profile, String where) {
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(json)) {
            root = MAPPER.readTree(p);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw invalid(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw invalid(where + " could not be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw invalid(where + " must be a JSON object", null);
        }
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw invalid(where + ": 'format' must be \"" + FORMAT + "\", was " + root.get("format"), null);
        }
        JsonNode version = root.get("format_version");
        if (version == null || !version.isIntegralNumber() || version.asLong() < 1
                || version.asLong() > FORMAT_VERSION) {
            throw invalid(where + ": format_version " + version + " is not supported: this library reads"
                    + " format_version 1 to " + FORMAT_VERSION, null);
        }
        boolean v1 = version.asLong() == 1;
        long rows = longField(root, "rows", where);
        if (rows != profile.rows()) {
            throw invalid(where + " says " + rows + " rows but its window profile has " + profile.rows(), null);
        }
        JsonNode cols = root.get("columns");
        if (cols == null || !cols.isArray()) {
            throw invalid(where + ": 'columns' must be an array", null);
        }
        List<WindowColumn> columns = new ArrayList<>();
        for (JsonNode c : cols) {
            String at = where + " column " + columns.size();
            String name = textField(c, "name", at);
            ProfileKind kind;
            try {
                kind = ProfileKind.valueOf(textField(c, "kind", at).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid(at + ": 'kind' must be numeric or categorical, was " + c.get("kind"), e);
            }
            double stat = nullableDouble(c, "statistic", at);
            double p = v1 ? Double.NaN : nullableDouble(c, "p_value", at);
            double alpha = v1 ? Double.NaN : nullableDouble(c, "alpha", at);
            columns.add(new WindowColumn(name, kind, textField(c, "statistic_name", at), stat,
                    doubleField(c, "error_bound", at), p, alpha, doubleField(c, "threshold", at),
                    booleanField(c, "drift", at), longField(c, "value_count", at), longField(c, "invalid_count", at),
                    longField(c, "reference_count", at)));
        }
        List<QualityCheck> checks = new ArrayList<>();
        if (!v1) {
            JsonNode qs = root.get("checks");
            if (qs == null || !qs.isArray()) {
                throw invalid(where + ": 'checks' must be an array", null);
            }
            for (JsonNode q : qs) {
                checks.add(check(q, where + " check " + checks.size()));
            }
        }
        if (!columns.stream().map(WindowColumn::name).toList().equals(profile.columnNames())) {
            throw invalid(where + " has columns " + columns.stream().map(WindowColumn::name).toList()
                    + " but its window profile has " + profile.columnNames(), null);
        }
        return new WindowReport(longField(root, "sequence", where), instant(root, "start", where),
                instant(root, "end", where), rows, checks, columns, profile);
    }

    private static QualityCheck check(JsonNode q, String at) {
        String id = textField(q, "kind", at);
        QualityCheck.Kind kind = null;
        for (QualityCheck.Kind k : QualityCheck.Kind.values()) {
            if (k.id().equals(id)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw invalid(at + ": 'kind' \"" + id + "\" is not a quality check", null);
        }
        JsonNode numbers = q.get("numbers");
        if (numbers == null || !numbers.isObject()) {
            throw invalid(at + ": 'numbers' must be an object", null);
        }
        Map<String, Double> n = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = numbers.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                throw invalid(at + ": number '" + e.getKey() + "' must be a finite number", null);
            }
            n.put(e.getKey(), e.getValue().asDouble());
        }
        return new QualityCheck(kind, textField(q, "column", at), n, textField(q, "message", at));
    }

    private static double nullableDouble(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v != null && v.isNull()) {
            return Double.NaN;
        }
        return doubleField(n, field, where);
    }

    private static InvalidArgumentException invalid(String message, Throwable cause) {
        return new InvalidArgumentException(FIELD, message, cause);
    }

    private static String textField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw invalid(where + ": '" + field + "' must be a string", null);
        }
        return v.asText();
    }

    private static long longField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw invalid(where + ": '" + field + "' must be an integer", null);
        }
        return v.asLong();
    }

    private static double doubleField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw invalid(where + ": '" + field + "' must be a number", null);
        }
        return v.asDouble();
    }

    private static boolean booleanField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isBoolean()) {
            throw invalid(where + ": '" + field + "' must be true or false", null);
        }
        return v.asBoolean();
    }

    private static Instant instant(JsonNode n, String field, String where) {
        String text = textField(n, field, where);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid(where + ": '" + field + "' must be an ISO-8601 instant, was \"" + text + "\"", e);
        }
    }
}
