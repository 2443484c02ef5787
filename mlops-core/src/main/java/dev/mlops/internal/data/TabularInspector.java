package dev.mlops.internal.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.mlops.InvalidArgumentException;
import dev.mlops.data.Column;
import dev.mlops.data.DatasetSchema;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the row count and schema of a CSV or JSON-records stream in one pass and bounded memory (one record at a
 * time plus a {@link ColumnTyper} per column). Column types follow {@link ColumnTyper}.
 *
 * <p>CSV: as {@link CsvReader} reads it; the header gives the columns, which must be unique. JSON records: one JSON
 * array whose elements are objects; the columns are the keys in the order they first appear, a record without a key
 * counts as missing for it, a key may appear once per object; strings, numbers and booleans are typed by their text
 * (so a string {@code "12"} counts as a number), {@code null} is missing, nested arrays and objects make the column
 * categorical; {@code NaN} and {@code Infinity} are accepted as numbers (as Python writes them).
 *
 * <p>Stateless and thread-safe.
 */
public final class TabularInspector {
    /** The most columns a file may have. */
    public static final int MAX_COLUMNS = CsvReader.MAX_FIELDS;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private TabularInspector() {
    }

    /** The row count and the schema of a tabular file. */
    public record Inspection(long rows, DatasetSchema schema) {
        public Inspection {
            Objects.requireNonNull(schema, "schema");
        }
    }

    /**
     * Inspects UTF-8 CSV text; reads {@code in} to its end and does not close it.
     *
     * @param source the file name for messages
     * @throws InvalidArgumentException naming the source and line when the text is not valid CSV with a header
     */
    public static Inspection csv(InputStream in, String source) {
        CsvReader reader = CsvReader.utf8(new NonClosing(in), source);
        List<String> header = reader.header();
        List<ColumnTyper> typers = new ArrayList<>(header.size());
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String name : header) {
            Integer before = seen.putIfAbsent(name, typers.size());
            if (before != null) {
                throw new InvalidArgumentException(source + ":1", source + " line 1: the header names column '"
                        + dev.mlops.internal.Validate.printable(name) + "' twice (columns " + (before + 1) + " and "
                        + (typers.size() + 1) + "); column names must be unique");
            }
            typers.add(new ColumnTyper());
        }
        long rows = 0;
        for (CsvReader.Record r; (r = reader.next()) != null; ) {
            List<String> fields = r.fields();
            for (int i = 0; i < fields.size(); i++) {
                typers.get(i).accept(fields.get(i));
            }
            rows++;
        }
        List<Column> columns = new ArrayList<>(header.size());
        for (int i = 0; i < header.size(); i++) {
            columns.add(new Column(header.get(i), typers.get(i).type()));
        }
        return new Inspection(rows, new DatasetSchema(columns));
    }

    /**
     * Inspects a JSON array of objects; reads {@code in} to the end of the array (and checks that only white space
     * follows) and does not close it.
     *
     * @param source the file name for messages
     * @throws InvalidArgumentException naming the source, what was found and where, when the text is not a JSON
     *         array of objects
     */
    public static Inspection jsonRecords(InputStream in, String source) {
        Map<String, ColumnTyper> typers = new LinkedHashMap<>();
        long rows = 0;
        try (JsonParser p = JSON.createParser(new NonClosing(in))) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new InvalidArgumentException(source, source + " is empty: expected a JSON array of objects");
            }
            if (t != JsonToken.START_ARRAY) {
                throw new InvalidArgumentException(source, source + " line " + line(p) + ": expected a JSON array"
                        + " of objects, found " + describe(t) + " at the top level");
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw new InvalidArgumentException(source + ":" + line(p), source + " line " + line(p)
                            + ": element " + (rows + 1) + " of the array is " + describe(t)
                            + ", expected an object (a JSON array of objects)");
                }
                rows++;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    ColumnTyper typer = typers.get(name);
                    if (typer == null) {
                        if (typers.size() == MAX_COLUMNS) {
                            throw new InvalidArgumentException(source + ":" + line(p), source + " line " + line(p)
                                    + ": more than " + MAX_COLUMNS + " distinct keys");
                        }
                        typer = new ColumnTyper();
                        typer.acceptMissing(rows - 1);
                        typers.put(name, typer);
                    }
                    JsonToken v = p.nextToken();
                    switch (v) {
                        case VALUE_NULL -> typer.acceptMissing(1);
                        case START_ARRAY, START_OBJECT -> {
                            p.skipChildren();
                            typer.acceptNested();
                        }
                        default -> typer.accept(p.getText());
                    }
                }
                for (ColumnTyper typer : typers.values()) {
                    if (typer.present() + typer.missing() < rows) {
                        typer.acceptMissing(1);
                    }
                }
            }
            t = p.nextToken();
            if (t != null) {
                throw new InvalidArgumentException(source + ":" + line(p), source + " line " + line(p)
                        + ": unexpected " + describe(t) + " after the end of the array");
            }
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new InvalidArgumentException(source + ":" + line, source + " line " + line + ": not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidArgumentException(source, "cannot read " + source + ": " + e.getMessage(), e);
        }
        List<Column> columns = new ArrayList<>(typers.size());
        typers.forEach((name, typer) -> columns.add(new Column(name, typer.type())));
        return new Inspection(rows, new DatasetSchema(columns));
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
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    /** Keeps a parser from closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
