package dev.mlops.internal.drift.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a JSON array of objects (records) column-wise into {@link ColumnBatch}es with Jackson's streaming parser, as
 * {@link dev.mlops.internal.data.TabularInspector} reads such files: each object is a row; a key missing from an
 * object, and {@code null}, are missing values; strings, numbers and booleans are classified by their text as
 * {@link Cells} describes (so the string {@code "12"} is a number, {@code NaN} is missing and {@code Infinity} is a
 * number; numbers are parsed from their text by {@link DecimalParser}); a nested array or object is a text cell
 * holding its compact JSON. Keys that were not selected are skipped. A key may appear once per object.
 *
 * <p>Errors are {@link InvalidArgumentException}s naming the source and line; {@code field()} is {@code SOURCE:LINE}.
 * Not thread-safe.
 */
public final class JsonRecordsColumnReader implements ColumnSource {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final InputStream in;
    private final String source;
    private final Cells cells = new Cells();
    private JsonParser parser;
    private boolean done;
    private long rows;
    private Map<String, Integer> slots;
    private boolean[] keepText;
    private List<String> selectedNames;
    private List<ColumnMode> selectedModes;
    private byte[] ascii = new byte[64];

    /**
     * Reads from {@code in} (closed by {@link #close()}).
     *
     * @param source what to call the input in messages
     */
    public JsonRecordsColumnReader(InputStream in, String source) {
        this.in = Objects.requireNonNull(in, "in");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Opens a JSON records file; the source in messages is the path as given.
     *
     * @throws InvalidArgumentException naming the path when it does not exist or cannot be read
     */
    public static JsonRecordsColumnReader open(Path file) {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) {
                throw new InvalidArgumentException(name, name + " is a directory, not a JSON file");
            }
            return new JsonRecordsColumnReader(Files.newInputStream(file), name);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException(name, name + " does not exist");
        } catch (IOException e) {
            throw new InvalidArgumentException(name, "cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String source() {
        return source;
    }

    /**
     * {@inheritDoc} A selected key that no object has gives a column of missing values (the keys of a file are known
     * only after reading it; {@link dev.mlops.internal.data.TabularInspector#jsonRecords} lists them).
     */
    @Override
    public void select(LinkedHashMap<String, ColumnMode> columns) {
        Objects.requireNonNull(columns, "columns");
        if (slots != null) {
            throw new IllegalStateException("columns of " + source + " were already selected");
        }
        if (columns.isEmpty()) {
            throw new InvalidArgumentException("columns", "select at least one column of " + source);
        }
        Map<String, Integer> s = new HashMap<>();
        boolean[] keep = new boolean[columns.size()];
        List<String> names = new ArrayList<>();
        List<ColumnMode> modes = new ArrayList<>();
        for (Map.Entry<String, ColumnMode> e : columns.entrySet()) {
            keep[names.size()] = Objects.requireNonNull(e.getValue(), "mode") == ColumnMode.TEXT;
            s.put(e.getKey(), names.size());
            names.add(e.getKey());
            modes.add(e.getValue());
        }
        slots = s;
        keepText = keep;
        selectedNames = List.copyOf(names);
        selectedModes = List.copyOf(modes);
    }

    @Override
    public boolean read(ColumnBatch batch) {
        if (slots == null) {
            throw new IllegalStateException("select the columns of " + source + " before reading");
        }
        batch.configure(selectedNames, selectedModes);
        int row = 0;
        try {
            JsonParser p = start();
            int width = selectedNames.size();
            while (!done && row < batch.capacity()) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.END_ARRAY) {
                    t = p.nextToken();
                    if (t != null) {
                        throw error(line(p), "unexpected " + describe(t) + " after the end of the array");
                    }
                    done = true;
                    break;
                }
                if (t != JsonToken.START_OBJECT) {
                    throw error(line(p), "element " + (rows + row + 1) + " of the array is " + describe(t)
                            + ", expected an object (a JSON array of objects)");
                }
                batch.setLine(row, line(p));
                for (int c = 0; c < width; c++) {
                    batch.set(c, row, ColumnBatch.MISSING, Double.NaN, null);
                }
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    Integer slot = slots.get(p.currentName());
                    JsonToken v = p.nextToken();
                    if (slot == null) {
                        p.skipChildren();
                        continue;
                    }
                    store(p, v, batch, slot, row);
                }
                row++;
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new InvalidArgumentException(source + ":" + at, source + " line " + at + ": not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidArgumentException(source, "cannot read " + source + ": " + e.getMessage(), e);
        }
        batch.setSize(row);
        rows += row;
        return row > 0;
    }

    private JsonParser start() throws IOException {
        if (parser == null) {
            parser = JSON.createParser(in);
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new InvalidArgumentException(source, source + " is empty: expected a JSON array of objects");
            }
            if (t != JsonToken.START_ARRAY) {
                throw error(line(parser), "expected a JSON array of objects, found " + describe(t)
                        + " at the top level");
            }
        }
        return parser;
    }

    private void store(JsonParser p, JsonToken v, ColumnBatch batch, int slot, int row) throws IOException {
        switch (v) {
            case VALUE_NULL -> batch.set(slot, row, ColumnBatch.MISSING, Double.NaN, null);
            case START_ARRAY, START_OBJECT -> {
                StringWriter out = new StringWriter();
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    g.copyCurrentStructure(p);
                }
                batch.set(slot, row, ColumnBatch.TEXT, Double.NaN, out.toString());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_STRING -> {
                char[] chars = p.getTextCharacters();
                int off = p.getTextOffset();
                int n = p.getTextLength();
                if (ascii.length < n) {
                    ascii = new byte[Math.max(n, 2 * ascii.length)];
                }
                boolean isAscii = true;
                for (int i = 0; i < n; i++) {
                    char ch = chars[off + i];
                    if (ch >= 0x80) {
                        isAscii = false;
                        break;
                    }
                    ascii[i] = (byte) ch;
                }
                if (isAscii) {
                    try {
                        cells.store(ascii, 0, n, batch, slot, row, keepText[slot]);
                    } catch (Cells.NotUtf8 e) {
                        throw new IllegalStateException("ASCII bytes are UTF-8", e);
                    }
                } else {
                    cells.storeString(new String(chars, off, n), batch, slot, row, keepText[slot]);
                }
            }
            default -> cells.storeString(p.getText(), batch, slot, row, keepText[slot]);
        }
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long bytesRead() {
        if (parser == null) {
            return 0;
        }
        long offset = parser.currentLocation().getByteOffset();
        return Math.max(offset, 0);
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
        in.close();
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + Validate.printable(t.asString()) + "'";
        };
    }

    private InvalidArgumentException error(long at, String what) {
        return new InvalidArgumentException(source + ":" + at, source + " line " + at + ": " + what);
    }
}
