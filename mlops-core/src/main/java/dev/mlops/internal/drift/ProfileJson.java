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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a dataset profile (format version {@value #FORMAT_VERSION}); see docs/drift.md. Writing is
 * deterministic (fixed field order, categories sorted, doubles as Java's shortest round-tripping decimal) and
 * reading restores every bit, so {@code write(read(write(p))) == write(p)}.
 */
public final class ProfileJson {
    public static final String FORMAT = "mlops.profile";
    public static final int FORMAT_VERSION = 1;
    private static final String FIELD = "profile";
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ProfileJson() {
    }

    /** UTF-8 JSON of the columns (snapshots, no pending values), one line. */
    public static byte[] write(long rows, List<ColumnState> columns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("format_version", FORMAT_VERSION);
            g.writeNumberField("rows", rows);
            g.writeArrayFieldStart("columns");
            for (ColumnState c : columns) {
                writeColumn(g, c);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** UTF-8 JSON of one column, as it appears inside a profile. */
    public static byte[] writeColumn(ColumnState c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            writeColumn(g, c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeColumn(JsonGenerator g, ColumnState c) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("kind", c.isNumeric() ? "numeric" : "categorical");
        g.writeNumberField("rows", c.rows());
        g.writeNumberField("missing", c.missing());
        if (c.isNumeric()) {
            Moments m = c.moments();
            KllSketch k = c.kll();
            g.writeNumberField("nan", c.nan());
            g.writeNumberField("positive_infinity", c.positiveInfinity());
            g.writeNumberField("negative_infinity", c.negativeInfinity());
            g.writeNumberField("count", m.n());
            if (m.n() > 0) {
                writeDouble(g, "min", m.min());
                writeDouble(g, "max", m.max());
                writeDouble(g, "mean", m.meanHi());
                writeDouble(g, "mean_low", m.meanLo());
                writeDouble(g, "m2", m.m2());
            }
            ProfileDistinctValues d = c.distinct();
            if (!d.overflowed()) {
                g.writeArrayFieldStart("distinct_values");
                double[] dv = d.values();
                long[] dc = d.counts();
                for (int i = 0; i < dv.length; i++) {
                    g.writeStartArray();
                    g.writeNumber(dv[i]);
                    g.writeNumber(dc[i]);
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeObjectFieldStart("quantiles");
            g.writeStringField("sketch", "kll");
            g.writeNumberField("k", k.k());
            g.writeNumberField("rank_error", KllSketch.normalizedRankError(k.k()));
            g.writeStringField("coin_state", HexFormat.of().toHexDigits(k.rngState()));
            g.writeArrayFieldStart("levels");
            for (int h = 0; h < k.numLevels(); h++) {
                double[] items = k.levelItems(h);
                g.writeArray(items, 0, items.length);
            }
            g.writeEndArray();
            g.writeEndObject();
        } else {
            FrequentItemsCounter f = c.categories();
            g.writeObjectFieldStart("categories");
            g.writeNumberField("cap", f.cap());
            g.writeBooleanField("exact", f.exact());
            g.writeNumberField("total", f.total());
            g.writeNumberField("max_error", f.offset());
            g.writeObjectFieldStart("counts");
            for (Map.Entry<String, Long> e : f.sortedCounts().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            byte[] hll = f.hllBytes();
            if (hll != null) {
                g.writeStringField("distinct_sketch", Base64.getEncoder().encodeToString(hll));
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeDouble(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(field, v);
        } else {
            g.writeStringField(field, Double.toString(v)); // "Infinity": m2 of a spread beyond about 1e154
        }
    }

    /** The parsed profile: its rows and its columns, in order. */
    public record Parsed(long rows, List<ColumnState> columns) {
    }

    /** Parses and checks a profile; anything malformed, inconsistent or of another format version is an error. */
    public static Parsed read(byte[] json) {
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(json)) {
            root = MAPPER.readTree(p);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new InvalidArgumentException(FIELD, "profile is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidArgumentException(FIELD, "profile could not be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidArgumentException(FIELD, "profile must be a JSON object");
        }
        String format = root.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new InvalidArgumentException(FIELD, "profile 'format' must be \"" + FORMAT + "\", was "
                    + root.get("format"));
        }
        JsonNode version = root.get("format_version");
        if (version == null || !version.isIntegralNumber() || version.asLong() != FORMAT_VERSION) {
            throw new InvalidArgumentException(FIELD, "profile format_version " + version
                    + " is not supported: this library reads format_version " + FORMAT_VERSION);
        }
        long rows = longField(root, "rows", "profile");
        JsonNode cols = root.get("columns");
        if (cols == null || !cols.isArray()) {
            throw new InvalidArgumentException(FIELD, "profile 'columns' must be an array");
        }
        List<ColumnState> out = new ArrayList<>();
        for (JsonNode c : cols) {
            String name = c.path("name").isTextual() ? c.get("name").asText() : null;
            if (name == null) {
                throw new InvalidArgumentException(FIELD, "profile column " + out.size() + " has no 'name'");
            }
            String where = "profile column '" + name + "'";
            try {
                out.add(readColumn(c, name, where));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException(FIELD, where + " is inconsistent: " + e.getMessage(), e);
            }
        }
        return new Parsed(rows, out);
    }

    private static ColumnState readColumn(JsonNode c, String name, String where) {
        String kind = c.path("kind").asText("");
        long rows = longField(c, "rows", where);
        long missing = longField(c, "missing", where);
        switch (kind) {
            case "numeric": {
                long nan = longField(c, "nan", where);
                long pos = longField(c, "positive_infinity", where);
                long neg = longField(c, "negative_infinity", where);
                long count = longField(c, "count", where);
                Moments m = count == 0 ? Moments.restore(0, 0, 0, 0, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY)
                        : Moments.restore(count, doubleField(c, "mean", where), doubleField(c, "mean_low", where),
                                doubleField(c, "m2", where), doubleField(c, "min", where),
                                doubleField(c, "max", where));
                JsonNode q = object(c, "quantiles", where);
                if (!"kll".equals(q.path("sketch").asText())) {
                    throw new InvalidArgumentException(FIELD, where + ": quantiles.sketch must be \"kll\"");
                }
                long k = longField(q, "k", where + " quantiles");
                if (k < KllSketch.MIN_K || k > KllSketch.MAX_K) {
                    throw new InvalidArgumentException(FIELD, where + ": quantiles.k must be in [" + KllSketch.MIN_K
                            + ", " + KllSketch.MAX_K + "], was " + k);
                }
                long coin;
                try {
                    String hex = q.path("coin_state").asText("");
                    if (hex.length() != 16) {
                        throw new IllegalArgumentException("16 hex digits expected");
                    }
                    coin = HexFormat.fromHexDigitsToLong(hex);
                } catch (IllegalArgumentException e) {
                    throw new InvalidArgumentException(FIELD, where + ": quantiles.coin_state must be 16 hex digits");
                }
                JsonNode levels = q.get("levels");
                int maxLevels = KllSketch.maxLevels(count);
                if (levels == null || !levels.isArray() || levels.size() == 0 || levels.size() > maxLevels) {
                    String was = levels == null || !levels.isArray() ? String.valueOf(levels)
                            : levels.size() + " arrays";
                    throw new InvalidArgumentException(FIELD, where + ": quantiles.levels must be 1 to " + maxLevels
                            + " arrays for a count of " + count + ", was " + was);
                }
                double[][] items = new double[levels.size()][];
                for (int h = 0; h < levels.size(); h++) {
                    JsonNode l = levels.get(h);
                    if (!l.isArray()) {
                        throw new InvalidArgumentException(FIELD, where + ": quantiles.levels[" + h
                                + "] must be an array");
                    }
                    items[h] = new double[l.size()];
                    for (int i = 0; i < l.size(); i++) {
                        if (!l.get(i).isNumber()) {
                            throw new InvalidArgumentException(FIELD, where + ": quantiles.levels[" + h + "][" + i
                                    + "] must be a number");
                        }
                        items[h][i] = l.get(i).doubleValue();
                    }
                }
                KllSketch sketch;
                try {
                    sketch = KllSketch.restore((int) k, count, m.min(), m.max(), coin, items);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("quantiles.levels: " + e.getMessage(), e);
                }
                ProfileDistinctValues distinct = ProfileDistinctValues.restore(null, null);
                JsonNode dv = c.get("distinct_values");
                if (dv != null) {
                    if (!dv.isArray()) {
                        throw new InvalidArgumentException(FIELD, where + ": 'distinct_values' must be an array");
                    }
                    double[] values = new double[dv.size()];
                    long[] counts = new long[dv.size()];
                    for (int i = 0; i < dv.size(); i++) {
                        JsonNode pair = dv.get(i);
                        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isNumber()
                                || !pair.get(1).isIntegralNumber()) {
                            throw new InvalidArgumentException(FIELD, where + ": distinct_values[" + i
                                    + "] must be [value, count]");
                        }
                        values[i] = pair.get(0).doubleValue();
                        counts[i] = pair.get(1).asLong();
                    }
                    distinct = ProfileDistinctValues.restore(values, counts);
                }
                return ColumnState.restoreNumeric(name, rows, missing, nan, pos, neg, m, sketch, distinct);
            }
            case "categorical": {
                JsonNode cat = object(c, "categories", where);
                long cap = longField(cat, "cap", where + " categories");
                if (cap < FrequentItemsCounter.MIN_CAP || cap > FrequentItemsCounter.MAX_CAP) {
                    throw new InvalidArgumentException(FIELD, where + ": categories.cap must be in ["
                            + FrequentItemsCounter.MIN_CAP + ", " + FrequentItemsCounter.MAX_CAP + "], was " + cap);
                }
                long total = longField(cat, "total", where + " categories");
                long offset = longField(cat, "max_error", where + " categories");
                JsonNode exact = cat.get("exact");
                if (exact == null || !exact.isBoolean() || exact.asBoolean() != (offset == 0)) {
                    throw new InvalidArgumentException(FIELD, where + ": categories.exact must be a boolean, true"
                            + " exactly when max_error is 0");
                }
                JsonNode counts = object(cat, "counts", where);
                Map<String, Long> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToLong()) {
                        throw new InvalidArgumentException(FIELD, where + ": the count of category '" + e.getKey()
                                + "' must be an integer");
                    }
                    map.put(e.getKey(), e.getValue().asLong());
                }
                byte[] hll = null;
                JsonNode h = cat.get("distinct_sketch");
                if (h != null) {
                    try {
                        hll = Base64.getDecoder().decode(h.asText());
                    } catch (IllegalArgumentException e) {
                        throw new InvalidArgumentException(FIELD, where + ": categories.distinct_sketch is not"
                                + " base64");
                    }
                }
                FrequentItemsCounter f;
                try {
                    f = FrequentItemsCounter.restore((int) cap, total, offset, map, hll);
                } catch (RuntimeException e) { // datasketches reports a corrupt sketch with its own exceptions
                    throw new InvalidArgumentException(FIELD, where + ": categories are inconsistent: "
                            + e.getMessage(), e);
                }
                return ColumnState.restoreCategorical(name, rows, missing, f);
            }
            default:
                throw new InvalidArgumentException(FIELD, where + ": 'kind' must be \"numeric\" or \"categorical\","
                        + " was " + c.get("kind"));
        }
    }

    private static JsonNode object(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw new InvalidArgumentException(FIELD, where + ": '" + field + "' must be an object");
        }
        return v;
    }

    private static long longField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new InvalidArgumentException(FIELD, where + ": '" + field
                    + "' must be a non-negative integer, was " + v);
        }
        return v.asLong();
    }

    private static double doubleField(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v != null && v.isNumber()) {
            return v.doubleValue();
        }
        if (v != null && v.isTextual() && (v.asText().equals("Infinity") || v.asText().equals("-Infinity"))) {
            return Double.parseDouble(v.asText());
        }
        throw new InvalidArgumentException(FIELD, where + ": '" + field + "' must be a number, was " + v);
    }
}
