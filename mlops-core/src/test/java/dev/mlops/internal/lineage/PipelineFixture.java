package dev.mlops.internal.lineage;

import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.Context;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A store shaped like a real pipeline:
 * <pre>
 *   raw-a (file:)  --\
 *                     prepare (child of nightly) --> features --> train (child of nightly) --> weights.bin (artifact)
 *   raw-b (s3:)   --/                                                                      \-> churn/1 (model)
 *   churn/1 --> evaluate (FAILED, id not a UUID), churn/1 --> score (RUNNING)
 *   features --> check-features (child of prepare, grandchild of nightly)
 *   ghost (not registered) --> backfill (ABORTED)
 * </pre>
 */
final class PipelineFixture {
    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");

    static final String NIGHTLY = "0190a000-0000-7000-8000-000000000001";
    static final String PREPARE = "0190a000-0000-7000-8000-000000000002";
    static final String TRAIN = "0190a000-0000-7000-8000-000000000003";
    static final String CHECK = "0190a000-0000-7000-8000-000000000004";
    static final String SCORE = "0190a000-0000-7000-8000-000000000005";
    static final String BACKFILL = "0190a000-0000-7000-8000-000000000006";
    /** Not a UUID: its OpenLineage run id is derived (UUID v5, computed independently with Python's uuid5). */
    static final String EVALUATE = "legacy-run-42";
    static final String EVALUATE_UUID = "da754735-a61d-52ca-aea9-ad8bf6205c1a";
    static final String EVALUATE_ERROR =
            "java.lang.IllegalStateException: AUC \"0.41\" < 0.5\n\tat Eval.run(Eval.java:12)";

    static final String COMMIT = "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";

    static final DatasetVersion RAW_A = dataset("raw-a", "file:/data/raw/a.csv",
            new DatasetSchema(List.of(new Column("id", ColumnType.IDENTIFIER), new Column("amount", ColumnType.NUMERIC),
                    new Column("country", ColumnType.CATEGORICAL))));
    static final DatasetVersion RAW_B = dataset("raw-b", "s3://lake/raw/b.parquet", null);
    static final DatasetVersion FEATURES = dataset("features", "file:///data/features%20v2.csv",
            new DatasetSchema(List.of(new Column("amount_log", ColumnType.NUMERIC),
                    new Column("day", ColumnType.DATETIME))));
    static final NodeRef GHOST = NodeRef.dataset("ghost", digest("ghost"));
    static final NodeRef WEIGHTS = NodeRef.artifact("weights.bin", digest("weights"));
    static final NodeRef MODEL = NodeRef.model("churn", 1);

    private PipelineFixture() {
    }

    static MapMetadataStore store() {
        return store(new MapMetadataStore());
    }

    static MapMetadataStore store(MapMetadataStore store) {
        store.put(RAW_A).put(RAW_B).put(FEATURES);
        store.put(run(NIGHTLY, "nightly-pipeline", RunStatus.COMPLETED, 0, 60, null, null, List.of(),
                new CodeVersion(COMMIT, "main", false, "https://github.com/acme/churn.git")));
        store.put(run(PREPARE, "prepare-features", RunStatus.COMPLETED, 1, 20, null, NIGHTLY,
                List.of(RunLink.input(RAW_A.node()), RunLink.input(RAW_B.node()), RunLink.output(FEATURES.node())),
                new CodeVersion(COMMIT, null, true, "git@github.com:acme/churn.git")));
        store.put(run(TRAIN, "train-model", RunStatus.COMPLETED, 21, 50, null, NIGHTLY,
                List.of(RunLink.input(FEATURES.node()), RunLink.output(WEIGHTS), RunLink.output(MODEL)), null));
        store.put(run(CHECK, "check-features", RunStatus.COMPLETED, 19, 20, null, PREPARE,
                List.of(RunLink.input(FEATURES.node())), new CodeVersion(null, null, false, null)));
        store.put(run(EVALUATE, "evaluate", RunStatus.FAILED, 70, 75, EVALUATE_ERROR, null,
                List.of(RunLink.input(MODEL)), null));
        store.put(run(SCORE, "score", RunStatus.RUNNING, 80, -1, null, null, List.of(RunLink.input(MODEL)), null));
        store.put(run(BACKFILL, "backfill", RunStatus.ABORTED, 90, 95, null, null,
                List.of(RunLink.input(GHOST)), null));
        return store;
    }

    static Context context(MapMetadataStore store) {
        return new Context(store, new NoArtifactStore(), Clock.fixed(T0, ZoneOffset.UTC), "tester",
                Duration.ofSeconds(30), Duration.ofMinutes(5), 1000, Path.of("."), null);
    }

    static DefaultLineage lineage(MapMetadataStore store) {
        return new DefaultLineage(context(store));
    }

    static DatasetVersion dataset(String name, String uri, DatasetSchema schema) {
        return new DatasetVersion(name, digest(name), uri, schema == null ? "binary" : "csv", 1234, schema,
                schema == null ? null : 10L, Map.of(), T0, "tester");
    }

    /** A run that started {@code start} minutes after T0 and ended {@code end} minutes after it (or not, if -1). */
    static Run run(String id, String job, RunStatus status, int start, int end, String error, String parent,
            List<RunLink> links, CodeVersion code) {
        Instant startTime = T0.plus(Duration.ofMinutes(start));
        Instant endTime = end < 0 ? null : T0.plus(Duration.ofMinutes(end));
        return new Run(id, job, status, startTime, endTime, endTime == null ? startTime : endTime, error, parent,
                Map.of(), Map.of(), Map.of(), links, code, Map.of());
    }

    static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
