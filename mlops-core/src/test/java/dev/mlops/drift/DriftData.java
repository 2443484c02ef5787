package dev.mlops.drift;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Real data for the decision tests (see the SOURCES.md files beside the resources): the Seattle weather table, the
 * 4,000-flight sample, and the delays of every flight of January and March 2001 as counts per delay.
 */
final class DriftData {
    static final String[] SEATTLE_NUMERIC = {"precipitation", "temp_max", "temp_min", "wind"};

    private DriftData() {
    }

    /** A CSV without quoting, as rows of strings (header first). */
    static List<String[]> csv(String resource) {
        try (InputStream in = DriftData.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    rows.add(line.split(",", -1));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Seattle weather rows (without header): date, precipitation, temp_max, temp_min, wind, weather. */
    static List<String[]> seattle() {
        List<String[]> rows = csv("/dev/mlops/drift/golden/seattle-weather.csv");
        return rows.subList(1, rows.size());
    }

    /** The given rows of Seattle as the analyzer's columns: four numeric and weather. */
    static Map<String, ColumnValues> seattleColumns(List<String[]> rows) {
        Map<String, ColumnValues> out = new LinkedHashMap<>();
        for (int c = 0; c < SEATTLE_NUMERIC.length; c++) {
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = Double.parseDouble(rows.get(i)[c + 1]);
            }
            out.put(SEATTLE_NUMERIC[c], ColumnValues.numeric(v, 0));
        }
        String[] weather = new String[rows.size()];
        for (int i = 0; i < weather.length; i++) {
            weather[i] = rows.get(i)[5];
        }
        out.put("weather", ColumnValues.categorical(weather, 0));
        return out;
    }

    /** Seattle parsed once: four numeric columns and weather, for fast resampling. */
    static final class Table {
        final double[][] numeric;
        final String[] weather;

        Table(List<String[]> rows) {
            numeric = new double[SEATTLE_NUMERIC.length][rows.size()];
            weather = new String[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                for (int c = 0; c < SEATTLE_NUMERIC.length; c++) {
                    numeric[c][i] = Double.parseDouble(rows.get(i)[c + 1]);
                }
                weather[i] = rows.get(i)[5];
            }
        }

        int rows() {
            return weather.length;
        }

        /** n rows drawn with replacement (whole rows, so the columns keep their joint distribution). */
        Map<String, ColumnValues> resample(SplittableRandom rnd, int n) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(rows());
            }
            Map<String, ColumnValues> out = new LinkedHashMap<>();
            for (int c = 0; c < SEATTLE_NUMERIC.length; c++) {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = numeric[c][idx[i]];
                }
                out.put(SEATTLE_NUMERIC[c], ColumnValues.numeric(v, 0));
            }
            String[] w = new String[n];
            for (int i = 0; i < n; i++) {
                w[i] = weather[idx[i]];
            }
            out.put("weather", ColumnValues.categorical(w, 0));
            return out;
        }
    }

    /** {@code [0]} the January delays, {@code [1]} the March delays, every flight of 2001 (minutes). */
    static double[][] delaysJanuaryMarch() {
        List<String[]> rows = csv("/dev/mlops/drift/decide/delay-counts.csv");
        long jan = 0;
        long mar = 0;
        for (String[] r : rows.subList(1, rows.size())) {
            jan += Long.parseLong(r[1]);
            mar += Long.parseLong(r[2]);
        }
        double[][] out = {new double[(int) jan], new double[(int) mar]};
        int[] at = new int[2];
        for (String[] r : rows.subList(1, rows.size())) {
            double d = Double.parseDouble(r[0]);
            for (int side = 0; side < 2; side++) {
                long k = Long.parseLong(r[side + 1]);
                for (long j = 0; j < k; j++) {
                    out[side][at[side]++] = d;
                }
            }
        }
        return out;
    }

    /** n values drawn with replacement. */
    static double[] resample(SplittableRandom rnd, double[] pool, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = pool[rnd.nextInt(pool.length)];
        }
        return out;
    }
}
