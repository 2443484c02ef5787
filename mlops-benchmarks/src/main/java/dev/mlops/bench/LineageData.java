package dev.mlops.bench;

import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A lineage graph shaped like real pipelines, generated deterministically from a seed.
 *
 * <p>Runs happen one after another. Each run reads 1 to 5 distinct datasets and writes 1 to 3 new ones. An input
 * is, with probability {@code rawShare}, a new raw dataset (an ingested source that no run produced), otherwise one
 * of the {@code window} most recently created datasets, so that runs consume what recent runs produced: the graph
 * is a braid of long chains (a dataset made by a run that read datasets made by earlier runs, and so on), not a
 * star. Generation stops once runs plus datasets reach {@code nodes}. Every dataset is registered, every run is
 * created, linked and completed through the {@link MetadataStore} SPI with the audit events the API would write,
 * so the store holds exactly what a real history of that many runs would leave.
 *
 * <p>The depth of a node is the length of the longest path from a raw dataset to it; the benchmark's roots are
 * random output datasets at least {@link #MIN_ROOT_DEPTH} deep, so that a depth-5 upstream query walks five full
 * levels.
 *
 * @param nodes    how many nodes (runs plus datasets) to generate, at least
 * @param seed     the seed of the generator
 * @param window   how many of the most recent datasets an input is drawn from
 * @param rawShare the probability that an input is a new raw dataset
 */
record LineageData(int nodes, long seed, int window, double rawShare) {
    /** Bump when the generated data changes, so that cached copies are not reused. */
    static final int VERSION = 1;
    static final int MIN_ROOT_DEPTH = 12;
    private static final Duration RUN_SPACING = Duration.ofSeconds(20);
    private static final Duration RUN_LENGTH = Duration.ofMinutes(5);

    LineageData {
        if (nodes < 100 || window < 1 || !(rawShare >= 0 && rawShare < 1)) {
            throw new IllegalArgumentException("nodes >= 100, window >= 1, 0 <= rawShare < 1; was " + nodes + ", "
                    + window + ", " + rawShare);
        }
    }

    static LineageData of(int nodes) {
        return new LineageData(nodes, 20240101L, 1000, 0.1);
    }

    /** The cache key: generator, version and every parameter. */
    String key() {
        return "lineage-v" + VERSION + "-n" + nodes + "-w" + window + "-raw" + Math.round(rawShare * 1000)
                + "-s" + seed;
    }

    /** What one run did. */
    interface Visitor {
        /**
         * @param run       the run's index
         * @param runId     its id
         * @param start     its start time
         * @param newRaw    the raw datasets created for it (also among {@code inputs})
         * @param inputs    the datasets it read
         * @param outputs   the datasets it wrote
         * @param runDepth  its depth
         */
        void run(int run, String runId, Instant start, int[] newRaw, int[] inputs, int[] outputs, int runDepth);
    }

    /** Replays the generation, calling {@code visitor} for each run in order; returns the number of runs. */
    int simulate(Visitor visitor) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] depth = new int[nodes];
        int datasets = 0;
        int runs = 0;
        while (runs + datasets < nodes) {
            Instant start = Generators.BASE_TIME.plus(RUN_SPACING.multipliedBy(runs));
            String runId = Generators.runId(start, random);
            int inputCount = 1 + random.nextInt(5);
            int[] inputs = new int[inputCount];
            int[] raw = new int[inputCount];
            int rawCount = 0;
            int runDepth = 0;
            for (int i = 0; i < inputCount; i++) {
                int chosen;
                if (datasets < window || random.nextDouble() < rawShare) {
                    chosen = datasets++;
                    depth[chosen] = 0;
                    raw[rawCount++] = chosen;
                } else {
                    do {
                        chosen = datasets - 1 - random.nextInt(window);
                    } while (contains(inputs, i, chosen));
                }
                inputs[i] = chosen;
                runDepth = Math.max(runDepth, depth[chosen] + 1);
            }
            int outputCount = 1 + random.nextInt(3);
            int[] outputs = new int[outputCount];
            for (int i = 0; i < outputCount; i++) {
                outputs[i] = datasets++;
                depth[outputs[i]] = runDepth + 1;
            }
            visitor.run(runs, runId, start, Arrays.copyOf(raw, rawCount), inputs, outputs, runDepth);
            runs++;
        }
        return runs;
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int i = 0; i < length; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** The node of dataset {@code index}: one of 5,000 table names, a digest unique to the index. */
    NodeRef dataset(int index) {
        return NodeRef.dataset(datasetName(index), datasetDigest(index));
    }

    private static String datasetName(int index) {
        return "table-" + (index % 5000);
    }

    private String datasetDigest(int index) {
        return Generators.digest("lineage:" + seed + ":" + index);
    }

    /** Writes the graph into {@code store}. */
    void generate(MetadataStore store) {
        long startNanos = System.nanoTime();
        long expectedRuns = Math.round(nodes / 3.3);
        simulate((run, runId, start, newRaw, inputs, outputs, runDepth) -> {
            for (int d : newRaw) {
                register(store, d, start);
            }
            Generators.createRun(store, new NewRun(runId, "stage-" + (run % 64), null, start,
                    Map.of("pipeline", "p" + (run % 16)), null, Generators.ENVIRONMENT));
            for (int d : outputs) {
                register(store, d, start.plus(RUN_LENGTH));
            }
            List<RunLink> links = new ArrayList<>(inputs.length + outputs.length);
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            for (int d : inputs) {
                NodeRef node = dataset(d);
                links.add(RunLink.input(node));
                in.add(node.id());
            }
            for (int d : outputs) {
                NodeRef node = dataset(d);
                links.add(RunLink.output(node));
                out.add(node.id());
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("inputs", in);
            data.put("outputs", out);
            Instant end = start.plus(RUN_LENGTH);
            store.addLinks(runId, links, Generators.audit(end, "run.add_links", "run:" + runId, data));
            Generators.finishRun(store, runId, RunStatus.COMPLETED, end, null);
            Generators.progress("lineage runs", run + 1, expectedRuns, startNanos);
        });
    }

    private void register(MetadataStore store, int index, Instant created) {
        SplittableRandom sizes = new SplittableRandom(seed ^ index);
        Generators.register(store, new DatasetVersion(datasetName(index), datasetDigest(index),
                "s3://bench-lake/" + datasetName(index) + "/part-" + index + ".parquet", "binary",
                1_000 + sizes.nextLong(1L << 32), null, null, Map.of(), created, Generators.ACTOR));
    }

    /** Statistics of a generated graph, for the log. */
    record Shape(int runs, int datasets, int maxDepth, List<NodeRef> roots, double meanRootDepth) {
    }

    /**
     * Replays the generation without a store and picks {@code count} distinct random output datasets at least
     * {@link #MIN_ROOT_DEPTH} deep (a reservoir sample over all of them, seeded).
     */
    Shape shape(int count) {
        SplittableRandom pick = new SplittableRandom(seed + 1);
        int[] reservoir = new int[count];
        int[] reservoirDepth = new int[count];
        long[] seen = {0};
        int[] stats = new int[2]; // datasets, max depth
        int runs = simulate((run, runId, start, newRaw, inputs, outputs, runDepth) -> {
            stats[0] += newRaw.length + outputs.length;
            stats[1] = Math.max(stats[1], runDepth + 1);
            if (runDepth + 1 < MIN_ROOT_DEPTH) {
                return;
            }
            for (int d : outputs) {
                long n = ++seen[0];
                if (n <= count) {
                    reservoir[(int) n - 1] = d;
                    reservoirDepth[(int) n - 1] = runDepth + 1;
                } else {
                    long j = pick.nextLong(n);
                    if (j < count) {
                        reservoir[(int) j] = d;
                        reservoirDepth[(int) j] = runDepth + 1;
                    }
                }
            }
        });
        int found = (int) Math.min(count, seen[0]);
        if (found == 0) {
            throw new IllegalStateException("no dataset of " + key() + " is " + MIN_ROOT_DEPTH + " deep");
        }
        List<NodeRef> roots = new ArrayList<>(found);
        double depthSum = 0;
        for (int i = 0; i < found; i++) {
            roots.add(dataset(reservoir[i]));
            depthSum += reservoirDepth[i];
        }
        return new Shape(runs, stats[0], stats[1], List.copyOf(roots), depthSum / found);
    }
}
