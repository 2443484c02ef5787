package dev.mlops.bench;

import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.MetricFilter;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A history of training runs, generated deterministically from a seed, for run searches.
 *
 * <p>Each run belongs to one of {@code jobs} jobs (uniformly), starts a minute after the previous one (with
 * jitter), has tags {@code env} ({@code prod} 40%, {@code staging} 30%, {@code dev} 30%) and {@code team} (one of 8),
 * two params, and a metric history of ten steps of {@code loss} and {@code accuracy}, whose last accuracy is uniform
 * in [0.5, 1). 90% of the runs complete, 5% fail, 5% stay running. Everything goes through the
 * {@link MetadataStore} SPI with the audit events the API would write: create, params, one metrics batch, finish.
 *
 * @param runs how many runs
 * @param jobs how many job names
 * @param seed the seed of the generator
 */
record RunSearchData(int runs, int jobs, long seed) {
    /** Bump when the generated data changes, so that cached copies are not reused. */
    static final int VERSION = 1;
    static final String ACCURACY = "accuracy";
    private static final Duration RUN_SPACING = Duration.ofMinutes(1);

    static RunSearchData of(int runs) {
        return new RunSearchData(runs, 50, 20240102L);
    }

    /** The cache key: generator, version and every parameter. */
    String key() {
        return "runs-v" + VERSION + "-n" + runs + "-j" + jobs + "-s" + seed;
    }

    static String job(int j) {
        return "train-" + (j < 10 ? "0" : "") + j;
    }

    /**
     * The benchmark's queries, one per job: runs of the job, tagged {@code env=prod}, whose latest accuracy is at
     * least {@code threshold}. With the defaults each matches about 2,000 * 0.4 * 0.4 = 320 runs, so a page of
     * 100 is full and has a next page.
     */
    List<RunQuery> queries(double threshold) {
        List<RunQuery> queries = new ArrayList<>(jobs);
        for (int j = 0; j < jobs; j++) {
            queries.add(RunQuery.builder().jobName(job(j)).tag("env", "prod")
                    .metric(ACCURACY, MetricFilter.Comparison.GE, threshold).build());
        }
        return queries;
    }

    /** Writes the runs into {@code store}. */
    void generate(MetadataStore store) {
        SplittableRandom random = new SplittableRandom(seed);
        long startNanos = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            Instant start = Generators.BASE_TIME.plus(RUN_SPACING.multipliedBy(i))
                    .plusMillis(random.nextInt(30_000));
            String id = Generators.runId(start, random);
            String job = job(random.nextInt(jobs));
            double envDraw = random.nextDouble();
            String env = envDraw < 0.4 ? "prod" : envDraw < 0.7 ? "staging" : "dev";
            Map<String, String> tags = Map.of("env", env, "team", "team-" + random.nextInt(8));
            Generators.createRun(store, new NewRun(id, job, null, start, tags, null, Generators.ENVIRONMENT));

            Map<String, String> params = Map.of("learning_rate", Double.toString(0.001 * (1 + random.nextInt(100))),
                    "batch_size", Integer.toString(16 << random.nextInt(5)));
            store.logParams(id, params, Generators.audit(start, "run.log_params", "run:" + id,
                    Map.of("keys", List.of("batch_size", "learning_rate"))));

            double finalAccuracy = 0.5 + 0.5 * random.nextDouble();
            double loss = 2 + random.nextDouble();
            List<MetricPoint> points = new ArrayList<>(20);
            for (int step = 1; step <= 10; step++) {
                Instant at = start.plusSeconds(step * 3L);
                loss *= 0.7 + 0.2 * random.nextDouble();
                points.add(new MetricPoint("loss", loss, step, at));
                points.add(new MetricPoint(ACCURACY, finalAccuracy * (0.5 + step / 20.0), step, at));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("points", points.size());
            data.put("keys", List.of(ACCURACY, "loss"));
            data.put("min_step", 1);
            data.put("max_step", 10);
            store.logMetrics(id, points, Generators.audit(start.plusSeconds(30), "run.log_metrics", "run:" + id, data));

            double outcome = random.nextDouble();
            Instant end = start.plusSeconds(40);
            if (outcome < 0.90) {
                Generators.finishRun(store, id, RunStatus.COMPLETED, end, null);
            } else if (outcome < 0.95) {
                Generators.finishRun(store, id, RunStatus.FAILED, end, "java.lang.OutOfMemoryError: Java heap space");
            }
            Generators.progress("runs", i + 1, runs, startNanos);
        }
    }
}
