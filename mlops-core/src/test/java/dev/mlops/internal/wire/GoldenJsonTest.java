package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.audit.AuditEvent;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricFilter;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pins the format: fixed values and the exact JSON text they are written as (documented in
 * {@code docs/protocol.md}, "JSON encoding"), and the same text read back to the same value.
 */
@DisplayName("Golden JSON examples pin the wire format")
class GoldenJsonTest {
    static final Instant T = Instant.parse("2026-01-02T03:04:05.123Z");
    static final String D = "sha256:" + "ab".repeat(32);

    static <T> void golden(T value, Function<T, ? extends JsonNode> write, Wire.Reader<T> read, String json) {
        assertThat(Wire.toJson(write.apply(value))).isEqualTo(json);
        assertThat(read.read(Wire.parse(json), "")).isEqualTo(value);
    }

    @Test
    void errors() {
        assertThat(Wire.toJson(ErrorWire.write(new NotFoundException("run r1 does not exist"))))
                .isEqualTo("{\"error_code\":\"NOT_FOUND\",\"message\":\"run r1 does not exist\"}");
        String invalid = "{\"error_code\":\"INVALID_ARGUMENT\",\"message\":\"points[3].value must be a finite number,"
                + " was a string\",\"field\":\"points[3].value\"}";
        assertThat(Wire.toJson(ErrorWire.write(new InvalidArgumentException("points[3].value",
                "points[3].value must be a finite number, was a string"))))
                .isEqualTo(invalid);
        MlopsException back = ErrorWire.read(Wire.parse(invalid), "");
        assertThat(back).isInstanceOf(InvalidArgumentException.class);
        assertThat(back.field()).contains("points[3].value");
    }

    @Test
    void a_page_of_metric_points() {
        Page<MetricPoint> page = new Page<>(List.of(new MetricPoint("loss", 0.25, 3, T),
                new MetricPoint("loss", -0.0, 4, Instant.parse("2026-01-02T03:04:05.123456789Z"))), "tok-2");
        golden(page, p -> PageWire.write(p, RunWire::write), (n, p) -> PageWire.read(n, p, RunWire::readMetricPoint),
                "{\"items\":[{\"key\":\"loss\",\"value\":0.25,\"step\":3,\"timestamp\":\"2026-01-02T03:04:05.123Z\"},"
                        + "{\"key\":\"loss\",\"value\":-0.0,\"step\":4,\"timestamp\":"
                        + "\"2026-01-02T03:04:05.123456789Z\"}],\"next_page_token\":\"tok-2\"}");
        golden(Page.<MetricPoint>last(List.of()), p -> PageWire.write(p, RunWire::write),
                (n, p) -> PageWire.read(n, p, RunWire::readMetricPoint), "{\"items\":[]}");
        golden(new PageRequest(50, null), PageWire::write, PageWire::readRequest, "{\"page_size\":50}");
        golden(new PageRequest(50, "tok-2"), PageWire::write, PageWire::readRequest,
                "{\"page_size\":50,\"page_token\":\"tok-2\"}");
    }

    @Test
    void a_created_run() {
        NodeRef data = NodeRef.dataset("train", D);
        Run run = new Run("r1", "train-job", RunStatus.COMPLETED, T, T.plusSeconds(60), T.plusSeconds(30), null,
                null, Map.of("lr", "0.1"), Map.of("team", "é"), Map.of("acc", new MetricPoint("acc", 0.9, 10, T)),
                List.of(RunLink.input(data), RunLink.output(NodeRef.model("rain", 2))),
                new CodeVersion("c".repeat(40), "main", false, null), Map.of("java.version", "17"));
        golden(new Created<>(run, true), c -> CreatedWire.write(c, RunWire::write),
                (n, p) -> CreatedWire.read(n, p, RunWire::readRun),
                "{\"created\":true,\"value\":{\"id\":\"r1\",\"job\":\"train-job\",\"status\":\"COMPLETED\","
                        + "\"start_time\":\"2026-01-02T03:04:05.123Z\",\"end_time\":\"2026-01-02T03:05:05.123Z\","
                        + "\"last_heartbeat\":\"2026-01-02T03:04:35.123Z\",\"params\":{\"lr\":\"0.1\"},"
                        + "\"tags\":{\"team\":\"é\"},\"metrics\":{\"acc\":{\"value\":0.9,\"step\":10,"
                        + "\"timestamp\":\"2026-01-02T03:04:05.123Z\"}},\"links\":[{\"role\":\"input\",\"node\":"
                        + "\"dataset:train@" + D + "\"},{\"role\":\"output\",\"node\":\"model:rain/2\"}],"
                        + "\"code_version\":{\"commit\":\"" + "c".repeat(40) + "\",\"branch\":\"main\","
                        + "\"dirty\":false},\"environment\":{\"java.version\":\"17\"}}}");
    }

    @Test
    void a_new_run_and_a_query() {
        golden(new NewRun("r2", "j", "r1", T, Map.of(), null, Map.of()), RunWire::write, RunWire::readNewRun,
                "{\"id\":\"r2\",\"job\":\"j\",\"parent_run_id\":\"r1\",\"start_time\":\"2026-01-02T03:04:05.123Z\","
                        + "\"tags\":{},\"environment\":{}}");
        RunQuery query = RunQuery.builder().jobName("j").status(RunStatus.RUNNING)
                .metric("acc", MetricFilter.Comparison.GE, 0.5)
                .metric("loss", MetricFilter.Comparison.LT, Double.POSITIVE_INFINITY).startedAfter(T).build();
        golden(query, RunWire::write, RunWire::readQuery,
                "{\"job\":\"j\",\"status\":\"RUNNING\",\"tags\":{},\"params\":{},\"metrics\":[{\"key\":\"acc\","
                        + "\"op\":\"GE\",\"value\":0.5},{\"key\":\"loss\",\"op\":\"LT\",\"value\":\"Infinity\"}],"
                        + "\"started_after\":\"2026-01-02T03:04:05.123Z\"}");
        assertThat(RunWire.readQuery(Wire.parse("{}"), "")).isEqualTo(RunQuery.all());
    }

    @Test
    void audit() {
        golden(new PendingAuditEvent(T, "alice", "run.create", "run:r1", "{\"b\": 1, \"a\": [true]}"),
                AuditWire::write, AuditWire::readPending,
                "{\"time\":\"2026-01-02T03:04:05.123Z\",\"actor\":\"alice\",\"action\":\"run.create\","
                        + "\"subject\":\"run:r1\",\"data\":\"{\\\"a\\\":[true],\\\"b\\\":1}\"}");
        String h = "0".repeat(64);
        golden(new AuditEvent(7, T, "alice", "run.create", "run:r1", null, D, h, "f".repeat(64)), AuditWire::write,
                AuditWire::readEvent,
                "{\"seq\":7,\"time\":\"2026-01-02T03:04:05.123Z\",\"actor\":\"alice\",\"action\":\"run.create\","
                        + "\"subject\":\"run:r1\",\"data_digest\":\"" + D + "\",\"prev_hash\":\"" + h + "\",\"hash\":\""
                        + "f".repeat(64) + "\"}");
        golden(new AuditCheckpoint(7, h, T, "0123456789abcdef", "c2ln"), AuditWire::write, AuditWire::readCheckpoint,
                "{\"seq\":7,\"hash\":\"" + h + "\",\"time\":\"2026-01-02T03:04:05.123Z\",\"key_id\":"
                        + "\"0123456789abcdef\",\"signature\":\"c2ln\"}");
    }

    @Test
    void lineage() {
        golden(new LineageEdge(NodeRef.dataset("train", D), NodeRef.run("r1"), EdgeKind.INPUT), LineageWire::write,
                LineageWire::readEdge, "{\"from\":\"dataset:train@" + D + "\",\"to\":\"run:r1\",\"kind\":\"input\"}");
    }

    @Test
    void a_dataset_version() {
        DatasetVersion v = new DatasetVersion("train", D, "file:/d/train.csv", "csv", 1234,
                new DatasetSchema(List.of(new Column("temp_max", ColumnType.NUMERIC), new Column("weather",
                        ColumnType.CATEGORICAL))), 730L, Map.of(), T, "alice");
        golden(v, DatasetWire::write, DatasetWire::read,
                "{\"name\":\"train\",\"version\":\"" + D + "\",\"source_uri\":\"file:/d/train.csv\","
                        + "\"format\":\"csv\",\"size_bytes\":1234,\"columns\":[{\"name\":\"temp_max\","
                        + "\"type\":\"numeric\"},{\"name\":\"weather\",\"type\":\"categorical\"}],\"rows\":730,"
                        + "\"tags\":{},\"created_time\":\"2026-01-02T03:04:05.123Z\",\"created_by\":\"alice\"}");
        golden(new DatasetVersion("blob", D, "s3://b/x", "binary", 0, null, null, Map.of("k", "v"), T, "bob"),
                DatasetWire::write, DatasetWire::read,
                "{\"name\":\"blob\",\"version\":\"" + D + "\",\"source_uri\":\"s3://b/x\",\"format\":\"binary\","
                        + "\"size_bytes\":0,\"tags\":{\"k\":\"v\"},\"created_time\":\"2026-01-02T03:04:05.123Z\","
                        + "\"created_by\":\"bob\"}");
    }

    @Test
    void a_model_and_a_version() {
        RegisteredModel model = new RegisteredModel("rain", "", Map.of("b", "2", "a", "1"),
                Governance.builder().businessOwner("ops").confidentiality(Confidentiality.INTERNAL).build(),
                Map.of("production", 2, "champion", 1), 2, T, "alice", T.plusMillis(1));
        golden(model, RegistryWire::write, RegistryWire::readModel,
                "{\"name\":\"rain\",\"description\":\"\",\"tags\":{\"a\":\"1\",\"b\":\"2\"},\"governance\":"
                        + "{\"business_owner\":\"ops\",\"confidentiality\":\"INTERNAL\"},\"aliases\":{\"champion\":1,"
                        + "\"production\":2},\"latest_version\":2,\"created_time\":\"2026-01-02T03:04:05.123Z\","
                        + "\"created_by\":\"alice\",\"updated_time\":\"2026-01-02T03:04:05.124Z\"}");
        ModelVersion version = new ModelVersion("rain", 2, D, new ArtifactRef(D, 42, "file:/a/x"),
                VersionStatus.READY, null, "r1", new ModelSignature(List.of(new Column("t", ColumnType.NUMERIC)),
                        List.of()), Map.of("acc", 0.9, "nan", Double.NaN), Map.of(), "v2",
                Approval.decided(ApprovalStatus.APPROVED, "bob", T, "good"), List.of("production"), T, "alice", T);
        golden(version, RegistryWire::write, RegistryWire::readVersion,
                "{\"model\":\"rain\",\"version\":2,\"digest\":\"" + D + "\",\"artifact\":{\"digest\":\"" + D
                        + "\",\"size_bytes\":42,\"uri\":\"file:/a/x\"},\"status\":\"READY\",\"run_id\":\"r1\","
                        + "\"signature\":{\"inputs\":[{\"name\":\"t\",\"type\":\"numeric\"}],\"outputs\":[]},"
                        + "\"metrics\":{\"acc\":0.9,\"nan\":\"NaN\"},\"tags\":{},\"description\":\"v2\","
                        + "\"approval\":\"APPROVED\",\"approved_by\":\"bob\",\"approval_time\":"
                        + "\"2026-01-02T03:04:05.123Z\",\"approval_reason\":\"good\",\"aliases\":[\"production\"],"
                        + "\"created_time\":\"2026-01-02T03:04:05.123Z\",\"created_by\":\"alice\","
                        + "\"updated_time\":\"2026-01-02T03:04:05.123Z\"}");
        golden(new AliasChange("rain", "production", null, 2), RegistryWire::write, RegistryWire::readAliasChange,
                "{\"model\":\"rain\",\"alias\":\"production\",\"current\":2}");
        golden(new ModelUpdate(null, Map.of(), Set.of("old"), Governance.EMPTY, T), RegistryWire::write,
                RegistryWire::readUpdate, "{\"set_tags\":{},\"remove_tags\":[\"old\"],\"governance\":{},"
                        + "\"time\":\"2026-01-02T03:04:05.123Z\"}");
        assertThat(RegistryWire.readVersionQuery(Wire.parse("{}"), "")).isEqualTo(VersionQuery.all());
        assertThat(RegistryWire.readModelQuery(Wire.parse("{}"), "")).isEqualTo(ModelQuery.all());
    }

    @Test
    void profiles_and_drift_reports() {
        String body = "{\"columns\": [], \"rows\": 3}";
        golden(new ProfileEntry("p1", "monitor:m", "2026-01", T, T.plusSeconds(3600), 3, D, body, T, "alice"),
                ProfileWire::write, ProfileWire::readProfile,
                "{\"id\":\"p1\",\"subject\":\"monitor:m\",\"key\":\"2026-01\",\"window_start\":"
                        + "\"2026-01-02T03:04:05.123Z\",\"window_end\":\"2026-01-02T04:04:05.123Z\",\"rows\":3,"
                        + "\"digest\":\"" + D + "\",\"body\":\"{\\\"columns\\\": [], \\\"rows\\\": 3}\","
                        + "\"created_time\":\"2026-01-02T03:04:05.123Z\",\"created_by\":\"alice\"}");
        golden(new DriftReportEntry("d1", "monitor:m", "2026-01", ReportKind.WINDOW, null, null, "p0", null, true,
                0.5, D, "{}", T, "alice"), ProfileWire::write, ProfileWire::readDriftReport,
                "{\"id\":\"d1\",\"subject\":\"monitor:m\",\"key\":\"2026-01\",\"kind\":\"WINDOW\","
                        + "\"reference_profile_id\":\"p0\",\"dataset_drift\":true,\"drift_share\":0.5,\"digest\":\""
                        + D + "\",\"body\":\"{}\",\"created_time\":\"2026-01-02T03:04:05.123Z\","
                        + "\"created_by\":\"alice\"}");
        golden(ProfileQuery.of("monitor:m").withKeyPrefix("2026-"), ProfileWire::write, ProfileWire::readQuery,
                "{\"subject\":\"monitor:m\",\"key_prefix\":\"2026-\"}");
    }

    @Test
    void policy_entries() {
        golden(new PolicyStateEntry("p", "rain", 3, "{}", T, "alice"), PolicyWire::write, PolicyWire::readState,
                "{\"policy\":\"p\",\"model\":\"rain\",\"version\":3,\"body\":\"{}\",\"updated_time\":"
                        + "\"2026-01-02T03:04:05.123Z\",\"updated_by\":\"alice\"}");
        golden(new PolicyDecisionEntry("p", "rain", 1, "2026-01", "retrain", true, T, "{}"), PolicyWire::write,
                PolicyWire::readDecision,
                "{\"policy\":\"p\",\"model\":\"rain\",\"seq\":1,\"window_id\":\"2026-01\",\"status\":\"retrain\","
                        + "\"retrain\":true,\"decided_at\":\"2026-01-02T03:04:05.123Z\",\"body\":\"{}\"}");
        golden(new RetrainingRequestEntry("p/rain/2026-01", "p", "rain", "2026-01", "failed", 2, null, "boom", T, T,
                "{}"), PolicyWire::write, PolicyWire::readRequest,
                "{\"key\":\"p/rain/2026-01\",\"policy\":\"p\",\"model\":\"rain\",\"window_id\":\"2026-01\","
                        + "\"status\":\"failed\",\"attempt\":2,\"error\":\"boom\",\"requested_time\":"
                        + "\"2026-01-02T03:04:05.123Z\",\"updated_time\":\"2026-01-02T03:04:05.123Z\",\"body\":\"{}\"}");
    }
}
