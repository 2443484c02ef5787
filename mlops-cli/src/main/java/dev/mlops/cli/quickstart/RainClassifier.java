package dev.mlops.cli.quickstart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A small logistic-regression classifier for "will it rain today" from the day's temperatures, wind and season
 * (precipitation is deliberately not a feature: it would give the answer away). Trained by full-batch gradient
 * descent with L2 regularisation on standardised features; deterministic. Immutable once trained.
 */
public final class RainClassifier {
    /** The feature names, in the order of {@link #features(WeatherDay)}. */
    public static final List<String> FEATURES = List.of("temp_max", "temp_min", "temp_range", "wind",
            "season_sin", "season_cos");
    /** The quickstart's learning rate of gradient descent. */
    public static final double LEARNING_RATE = 0.5;
    /** The quickstart's number of epochs. */
    public static final int EPOCHS = 200;
    /** The quickstart's L2 penalty. */
    public static final double L2 = 0.001;

    private final double[] means;
    private final double[] stds;
    private final double[] weights;
    private final double bias;

    private RainClassifier(double[] means, double[] stds, double[] weights, double bias) {
        this.means = means;
        this.stds = stds;
        this.weights = weights;
        this.bias = bias;
    }

    static double[] features(WeatherDay d) {
        double angle = 2 * Math.PI * (d.date().getDayOfYear() - 1) / 365.25;
        return new double[] {d.tempMax(), d.tempMin(), d.tempMax() - d.tempMin(), d.wind(), Math.sin(angle),
                Math.cos(angle)};
    }

    /**
     * Trains on {@code days}.
     *
     * @param progress called after each epoch with the epoch number and the metrics of that epoch
     */
    public static RainClassifier train(List<WeatherDay> days, double learningRate, int epochs, double l2,
            BiConsumer<Integer, Map<String, Double>> progress) {
        int n = days.size();
        int k = FEATURES.size();
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = features(days.get(i));
            y[i] = days.get(i).rain() ? 1 : 0;
        }
        double[] means = new double[k];
        double[] stds = new double[k];
        for (int j = 0; j < k; j++) {
            double sum = 0;
            for (double[] row : x) {
                sum += row[j];
            }
            means[j] = sum / n;
            double ss = 0;
            for (double[] row : x) {
                ss += (row[j] - means[j]) * (row[j] - means[j]);
            }
            stds[j] = Math.sqrt(ss / n);
            if (stds[j] == 0) {
                stds[j] = 1;
            }
        }
        double[][] z = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                z[i][j] = (x[i][j] - means[j]) / stds[j];
            }
        }
        double[] w = new double[k];
        double b = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double[] grad = new double[k];
            double gradB = 0;
            for (int i = 0; i < n; i++) {
                double p = sigmoid(b + dot(w, z[i]));
                double err = p - y[i];
                for (int j = 0; j < k; j++) {
                    grad[j] += err * z[i][j];
                }
                gradB += err;
            }
            for (int j = 0; j < k; j++) {
                w[j] -= learningRate * (grad[j] / n + l2 * w[j]);
            }
            b -= learningRate * gradB / n;
            RainClassifier current = new RainClassifier(means, stds, w.clone(), b);
            progress.accept(epoch, current.evaluate(days));
        }
        return new RainClassifier(means, stds, w, b);
    }

    /** The probability of rain on {@code day}. */
    public double predict(WeatherDay day) {
        double[] f = features(day);
        double s = bias;
        for (int j = 0; j < f.length; j++) {
            s += weights[j] * (f[j] - means[j]) / stds[j];
        }
        return sigmoid(s);
    }

    /**
     * The log loss of each day, in order (nats, >= 0; probabilities clipped to [1e-12, 1 - 1e-12]): the per-example
     * scores a paired comparison of two models needs.
     */
    public double[] logLosses(List<WeatherDay> days) {
        double[] losses = new double[days.size()];
        for (int i = 0; i < losses.length; i++) {
            WeatherDay d = days.get(i);
            double p = Math.min(1 - 1e-12, Math.max(1e-12, predict(d)));
            losses[i] = d.rain() ? -Math.log(p) : -Math.log(1 - p);
        }
        return losses;
    }

    /** Log loss (nats per example, >= 0) and accuracy (share in [0, 1], threshold 0.5) on {@code days}. */
    public Map<String, Double> evaluate(List<WeatherDay> days) {
        double loss = 0;
        int correct = 0;
        for (WeatherDay d : days) {
            double p = Math.min(1 - 1e-12, Math.max(1e-12, predict(d)));
            loss += d.rain() ? -Math.log(p) : -Math.log(1 - p);
            if ((p >= 0.5) == d.rain()) {
                correct++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("log_loss", loss / days.size());
        m.put("accuracy", (double) correct / days.size());
        return m;
    }

    /** The model as a JSON-ready map (what is stored as the model artifact). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "logistic_regression");
        m.put("label", "weather == rain");
        m.put("features", FEATURES);
        m.put("means", toList(means));
        m.put("stds", toList(stds));
        m.put("weights", toList(weights));
        m.put("bias", bias);
        m.put("threshold", 0.5);
        return m;
    }

    /**
     * The model written by {@link #toJson()}, read back (as parsed JSON: numbers, lists and maps).
     *
     * @throws IllegalArgumentException when the document is not such a model
     */
    public static RainClassifier fromJson(Map<String, Object> json) {
        if (!"logistic_regression".equals(json.get("type")) || !FEATURES.equals(json.get("features"))) {
            throw new IllegalArgumentException("not a rain classifier: type " + json.get("type") + ", features "
                    + json.get("features"));
        }
        double[] means = toArray(json.get("means"));
        double[] stds = toArray(json.get("stds"));
        double[] weights = toArray(json.get("weights"));
        if (!(json.get("bias") instanceof Number bias)) {
            throw new IllegalArgumentException("bias is not a number: " + json.get("bias"));
        }
        return new RainClassifier(means, stds, weights, bias.doubleValue());
    }

    private static double[] toArray(Object value) {
        if (!(value instanceof List<?> list) || list.size() != FEATURES.size()) {
            throw new IllegalArgumentException("expected " + FEATURES.size() + " numbers, found " + value);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("expected a number, found " + list.get(i));
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return list;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double sigmoid(double s) {
        return 1 / (1 + Math.exp(-s));
    }
}
