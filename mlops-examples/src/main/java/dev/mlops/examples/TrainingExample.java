package dev.mlops.examples;

import dev.mlops.Mlops;
import dev.mlops.data.DatasetVersion;
import dev.mlops.tracking.ActiveRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Tracking inside ordinary Java training code: a linear regression fitted by mini-batch stochastic gradient descent
 * on a CSV file, with the data registered as a dataset version, params and per-epoch metrics logged, and the fitted
 * model stored as the run's output artifact.
 *
 * <p>Run: {@code java dev.mlops.examples.TrainingExample [STORE_URI] [WORK_DIR]} (defaults {@code memory:} and a
 * temporary directory).
 */
public final class TrainingExample {

    /** What the example produced. */
    public record Result(String runId, DatasetVersion dataset, double[] weights, double finalLoss) {
    }

    private TrainingExample() {
    }

    public static void main(String[] args) throws IOException {
        String store = args.length > 0 ? args[0] : "memory:";
        Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("mlops-example");
        try (Mlops mlops = Mlops.open(store)) {
            Result r = train(mlops, work, 20, 0.05, 42);
            System.out.printf(Locale.ROOT, "run %s: y = %.3f * x1 + %.3f * x2 + %.3f, final MSE %.5f%n", r.runId(),
                    r.weights()[0], r.weights()[1], r.weights()[2], r.finalLoss());
        }
    }

    /**
     * Writes a synthetic data set ({@code y = 3 x1 - 2 x2 + 1 + noise}), registers it and trains on it in a run.
     *
     * @param epochs       passes over the data
     * @param learningRate the SGD step size
     * @param seed         the random seed (data and shuffling), for reproducible runs
     */
    public static Result train(Mlops mlops, Path workDir, int epochs, double learningRate, long seed) {
        Path csv = workDir.resolve("regression.csv");
        writeData(csv, 2_000, seed);
        DatasetVersion dataset = mlops.datasets().register("synthetic-regression", csv).value();

        try (ActiveRun run = mlops.tracking().start("fit-linear-regression")) {
            try {
                run.logInput(dataset)
                        .logParam("epochs", Integer.toString(epochs))
                        .logParam("learning_rate", Double.toString(learningRate))
                        .logParam("seed", Long.toString(seed));
                double[][] rows = readData(csv);
                double[] w = new double[3];
                SplittableRandom random = new SplittableRandom(seed);
                double loss = Double.NaN;
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    for (int i = 0; i < rows.length; i++) {
                        double[] row = rows[random.nextInt(rows.length)];
                        double err = w[0] * row[0] + w[1] * row[1] + w[2] - row[2];
                        w[0] -= learningRate * err * row[0];
                        w[1] -= learningRate * err * row[1];
                        w[2] -= learningRate * err;
                    }
                    loss = meanSquaredError(rows, w);
                    run.logMetric("mse", loss, epoch);
                }
                Path model = workDir.resolve("model.txt");
                Files.writeString(model, String.format(Locale.ROOT, "%.17g %.17g %.17g%n", w[0], w[1], w[2]));
                run.logArtifact("linear-regression", model);
                return new Result(run.id(), dataset, w, loss);
            } catch (IOException | RuntimeException e) {
                run.fail(e);
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
    }

    static void writeData(Path csv, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>(rows + 1);
        lines.add("x1,x2,y");
        for (int i = 0; i < rows; i++) {
            double x1 = random.nextDouble(-1, 1);
            double x2 = random.nextDouble(-1, 1);
            double y = 3 * x1 - 2 * x2 + 1 + random.nextDouble(-0.1, 0.1);
            lines.add(String.format(Locale.ROOT, "%.6f,%.6f,%.6f", x1, x2, y));
        }
        try {
            Files.write(csv, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[][] readData(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        double[][] rows = new double[lines.size() - 1][];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            rows[i - 1] = new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        }
        return rows;
    }

    static double meanSquaredError(double[][] rows, double[] w) {
        double sum = 0;
        for (double[] row : rows) {
            double err = w[0] * row[0] + w[1] * row[1] + w[2] - row[2];
            sum += err * err;
        }
        return sum / rows.length;
    }
}
