package dev.mlops.cli.quickstart;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The bundled Seattle weather data (NOAA, 2012-2015; see {@code data/SOURCES.md} beside it). */
public final class SeattleWeather {
    public static final String RESOURCE = "/dev/mlops/cli/data/seattle-weather.csv";
    public static final String HEADER = "date,precipitation,temp_max,temp_min,wind,weather";

    private SeattleWeather() {
    }

    /** Every day, in date order. */
    public static List<WeatherDay> load() {
        try (InputStream in = SeattleWeather.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled data " + RESOURCE + " is missing from the jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String header = reader.readLine();
            if (!HEADER.equals(header)) {
                throw new IllegalStateException("unexpected header in " + RESOURCE + ": " + header);
            }
            List<WeatherDay> days = new ArrayList<>();
            String line;
            int number = 1;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 6) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": expected 6 fields, found " + f.length);
                }
                days.add(new WeatherDay(LocalDate.parse(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), f[5], line));
            }
            return days;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled data " + RESOURCE, e);
        }
    }
}
