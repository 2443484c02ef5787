package dev.mlops.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The model the serving example serves: a binary logistic regression over a few numeric features, stored as a small
 * JSON document (UTF-8). Immutable and thread-safe.
 *
 * <p>The format, {@value #FORMAT}:
 * <pre>{@code
 * {
 *   "format": "mlops-example/logistic-regression/v1",
 *   "features": ["temp_max", "temp_min", "wind"],
 *   "center": [16.11, 8.03, 3.27],
 *   "scale": [7.33, 5.07, 1.47],
 *   "coefficients": [-2.91, 2.11, 0.52],
 *   "intercept": -0.45,
 *   "classes": ["dry", "wet"]
 * }
 * }</pre>
 * {@code features} names the inputs, in order; each input {@code x[i]} is standardised as
 * {@code (x[i] - center[i]) / scale[i]}; the probability of the positive class ({@code classes[1]}; {@code classes[0]}
 * is the negative one) is {@code 1 / (1 + exp(-z))} with {@code z = intercept + sum(coefficients[i] * standardised
 * x[i])}; the predicted class is the positive one when that probability is at least 0.5. All numbers are finite,
 * every scale is positive, and the arrays have one entry per feature. Other fields are ignored.
 *
 * @param features     the input names, in order, distinct
 * @param center       what is subtracted from each input
 * @param scale        what each centred input is divided by, positive
 * @param coefficients the weight of each standardised input
 * @param intercept    the bias
 * @param classes      the negative and the positive class label
 */
public record LogisticModel(List<String> features, double[] center, double[] scale, double[] coefficients,
        double intercept, List<String> classes) {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "mlops-example/logistic-regression/v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Checks the model.
     *
     * @throws InvalidArgumentException (field {@code model}) naming what is wrong
     */
    public LogisticModel {
        features = List.copyOf(features);
        classes = List.copyOf(classes);
        center = center.clone();
        scale = scale.clone();
        coefficients = coefficients.clone();
        int n = features.size();
        if (n == 0 || features.stream().distinct().count() != n) {
            throw invalid("needs at least one feature and distinct feature names, has " + features);
        }
        if (center.length != n || scale.length != n || coefficients.length != n) {
            throw invalid("center, scale and coefficients need one entry per feature (" + n + "), have "
                    + center.length + ", " + scale.length + " and " + coefficients.length);
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(center[i]) || !Double.isFinite(coefficients[i]) || !Double.isFinite(scale[i])
                    || scale[i] <= 0) {
                throw invalid("feature " + features.get(i) + " needs a finite center and coefficient and a finite,"
                        + " positive scale");
            }
        }
        if (!Double.isFinite(intercept)) {
            throw invalid("the intercept must be finite");
        }
        if (classes.size() != 2 || classes.get(0).equals(classes.get(1))) {
            throw invalid("needs two distinct classes (negative, positive), has " + classes);
        }
    }

    /**
     * Reads a model from its JSON bytes.
     *
     * @throws InvalidArgumentException (field {@code model}) when the bytes are not a model of this format
     */
    public static LogisticModel fromJson(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from a byte array failed", e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw invalid("is not a JSON object with \"format\": \"" + FORMAT + "\"");
        }
        return new LogisticModel(strings(root, "features"), numbers(root, "center"), numbers(root, "scale"),
                numbers(root, "coefficients"), number(root.get("intercept"), "intercept"), strings(root, "classes"));
    }

    /** This model as JSON bytes (UTF-8), in the documented format. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        features.forEach(root.putArray("features")::add);
        ArrayNode c = root.putArray("center");
        Arrays.stream(center).forEach(c::add);
        ArrayNode s = root.putArray("scale");
        Arrays.stream(scale).forEach(s::add);
        ArrayNode w = root.putArray("coefficients");
        Arrays.stream(coefficients).forEach(w::add);
        root.put("intercept", intercept);
        classes.forEach(root.putArray("classes")::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /**
     * The probability of the positive class for {@code inputs} (one finite value per feature, by name; other
     * entries are ignored).
     *
     * @throws InvalidArgumentException naming the feature that is missing or not finite
     */
    public double probability(Map<String, Double> inputs) {
        double[] x = new double[features.size()];
        for (int i = 0; i < x.length; i++) {
            String name = features.get(i);
            Double value = inputs.get(name);
            if (value == null || !Double.isFinite(value)) {
                throw new InvalidArgumentException(name, "feature " + name + " needs a finite number, got "
                        + (value == null ? "none" : value));
            }
            x[i] = value;
        }
        return probability(x);
    }

    /** The probability of the positive class for the feature values {@code x}, in the order of {@link #features}. */
    public double probability(double[] x) {
        double z = intercept;
        for (int i = 0; i < coefficients.length; i++) {
            z += coefficients[i] * (x[i] - center[i]) / scale[i];
        }
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** The predicted class for a probability of the positive class. */
    public String label(double probability) {
        return probability >= 0.5 ? classes.get(1) : classes.get(0);
    }

    /**
     * Fits a model by full-batch gradient descent on the mean log loss, from zero coefficients: deterministic, the
     * same rows give the same bytes.
     *
     * @param features   the feature names
     * @param x          the rows, one value per feature each
     * @param positive   whether each row is of the positive class
     * @param classes    the negative and the positive class label
     * @param iterations gradient steps
     * @param step       the step size
     */
    public static LogisticModel fit(List<String> features, double[][] x, boolean[] positive, List<String> classes,
            int iterations, double step) {
        int n = x.length;
        int k = features.size();
        if (n == 0 || positive.length != n) {
            throw new InvalidArgumentException("rows", "fitting needs rows, and one class per row");
        }
        double[] center = new double[k];
        double[] scale = new double[k];
        for (int j = 0; j < k; j++) {
            double sum = 0;
            for (double[] row : x) {
                sum += row[j];
            }
            center[j] = sum / n;
            double squares = 0;
            for (double[] row : x) {
                squares += (row[j] - center[j]) * (row[j] - center[j]);
            }
            double sd = Math.sqrt(squares / n);
            scale[j] = sd > 0 ? sd : 1.0;
        }
        double[][] z = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                z[i][j] = (x[i][j] - center[j]) / scale[j];
            }
        }
        double[] w = new double[k];
        double b = 0;
        for (int it = 0; it < iterations; it++) {
            double[] gradient = new double[k];
            double gradientB = 0;
            for (int i = 0; i < n; i++) {
                double s = b;
                for (int j = 0; j < k; j++) {
                    s += w[j] * z[i][j];
                }
                double err = 1.0 / (1.0 + Math.exp(-s)) - (positive[i] ? 1 : 0);
                for (int j = 0; j < k; j++) {
                    gradient[j] += err * z[i][j];
                }
                gradientB += err;
            }
            for (int j = 0; j < k; j++) {
                w[j] -= step * gradient[j] / n;
            }
            b -= step * gradientB / n;
        }
        return new LogisticModel(features, center, scale, w, b, classes);
    }

    /** The share of rows whose predicted class is their class. */
    public double accuracy(double[][] x, boolean[] positive) {
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            if ((probability(x[i]) >= 0.5) == positive[i]) {
                right++;
            }
        }
        return x.length == 0 ? Double.NaN : (double) right / x.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogisticModel m && features.equals(m.features) && Arrays.equals(center, m.center)
                && Arrays.equals(scale, m.scale) && Arrays.equals(coefficients, m.coefficients)
                && Double.compare(intercept, m.intercept) == 0 && classes.equals(m.classes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * features.hashCode() + Arrays.hashCode(coefficients)) + Double.hashCode(intercept);
    }

    @Override
    public String toString() {
        return "LogisticModel[features=" + features + ", coefficients=" + Arrays.toString(coefficients)
                + ", intercept=" + intercept + ", classes=" + classes + "]";
    }

    /** The arrays are copies: the record's accessors would otherwise hand out its state. */
    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    private static List<String> strings(JsonNode root, String field) {
        JsonNode array = root.get(field);
        if (array == null || !array.isArray()) {
            throw invalid("needs \"" + field + "\": an array of strings");
        }
        String[] out = new String[array.size()];
        for (int i = 0; i < out.length; i++) {
            if (!array.get(i).isTextual()) {
                throw invalid("needs \"" + field + "\": an array of strings");
            }
            out[i] = array.get(i).asText();
        }
        return List.of(out);
    }

    private static double[] numbers(JsonNode root, String field) {
        JsonNode array = root.get(field);
        if (array == null || !array.isArray()) {
            throw invalid("needs \"" + field + "\": an array of numbers");
        }
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(array.get(i), field);
        }
        return out;
    }

    private static double number(JsonNode node, String field) {
        if (node == null || !node.isNumber()) {
            throw invalid("needs \"" + field + "\" to be numbers");
        }
        return node.asDouble();
    }

    private static InvalidArgumentException invalid(String what) {
        return new InvalidArgumentException("model", "the logistic-regression model " + what);
    }
}
