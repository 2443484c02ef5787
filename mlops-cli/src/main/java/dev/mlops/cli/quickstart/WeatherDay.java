package dev.mlops.cli.quickstart;

import java.time.LocalDate;

/**
 * One day of the bundled Seattle weather data.
 *
 * @param date          the day
 * @param precipitation precipitation in mm
 * @param tempMax       maximum temperature in degrees Celsius
 * @param tempMin       minimum temperature in degrees Celsius
 * @param wind          mean wind speed in m/s
 * @param weather       the label: drizzle, rain, sun, snow or fog
 * @param line          the original CSV line
 */
public record WeatherDay(LocalDate date, double precipitation, double tempMax, double tempMin, double wind,
        String weather, String line) {

    /** Whether it rained (the classifier's positive class). */
    public boolean rain() {
        return weather.equals("rain");
    }
}
