package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.StorageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Strict reading: every kind of bad input is an {@link InvalidArgumentException} whose field is the JSON path and
 * whose message says what was expected, without echoing string values.
 */
@DisplayName("Bad input is refused with the JSON path and what was expected")
class BadInputTest {
    static final String D = "sha256:" + "ab".repeat(32);

    static InvalidArgumentException refused(Wire.Reader<?> reader, String json) {
        try {
            reader.read(Wire.parse(json), "");
        } catch (InvalidArgumentException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    static void refused(Wire.Reader<?> reader, String json, String field, String message) {
        InvalidArgumentException e = refused(reader, json);
        assertThat(e.field()).as("field").contains(field);
        assertThat(e.getMessage()).as("message").isEqualTo(message);
    }

    static String point(String value) {
        return "{\"key\":\"loss\",\"value\":" + value + ",\"step\":1,\"timestamp\":\"2026-01-02T03:04:05Z\"}";
    }

    @Nested
    @DisplayName("errors")
    class Errors {
        @Test
        void an_unknown_error_code_reads_as_a_storage_failure_that_names_it() {
            MlopsException e = ErrorWire.read(Wire.parse(
                    "{\"error_code\":\"TEAPOT\",\"message\":\"I am a teapot\"}"), "");
            assertThat(e).isInstanceOf(StorageException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(e.getMessage()).isEqualTo("unknown error code \"TEAPOT\" (this side knows [NOT_FOUND,"
                    + " ALREADY_EXISTS, CONFLICT, INVALID_ARGUMENT, PERMISSION_DENIED, STORAGE, INTEGRITY]); its message:"
                    + " I am a teapot");
        }

        @Test
        void error_codes_are_case_sensitive() {
            assertThat(ErrorWire.read(Wire.parse("{\"error_code\":\"not_found\",\"message\":\"m\"}"), "").code())
                    .isEqualTo(ErrorCode.STORAGE);
        }

        @Test
        void a_body_that_is_not_an_error_is_refused() {
            refused(ErrorWire::read, "{\"message\":\"m\"}", "error_code",
                    "error_code is missing: it must be a string");
            refused(ErrorWire::read, "{\"error_code\":\"CONFLICT\"}", "message", "message is missing: it must be a string");
            refused(ErrorWire::read, "{\"error_code\":404,\"message\":\"m\"}", "error_code",
                    "error_code must be a string, was an integer");
            refused(ErrorWire::read, "{\"error_code\":\"CONFLICT\",\"message\":\"m\",\"status\":409}", "status",
                    "unknown field \"status\" in the document; the fields are error_code, message, field");
        }
    }

    @Nested
    @DisplayName("pages")
    class Pages {
        @Test
        void items_are_required_and_page_sizes_range_checked() {
            refused((n, p) -> PageWire.read(n, p, Wire::readString), "{\"next_page_token\":\"t\"}", "items",
                    "items is missing: it must be an array");
            refused((n, p) -> PageWire.read(n, p, Wire::readString), "{\"items\":[\"a\",1]}", "items[1]",
                    "items[1] must be a string, was an integer");
            refused(PageWire::readRequest, "{\"page_size\":0}", "page_size",
                    "page_size must be an integer between 1 and 10000, was 0");
            refused(PageWire::readRequest, "{\"page_size\":10001}", "page_size",
                    "page_size must be an integer between 1 and 10000, was 10001");
            refused(PageWire::readRequest, "{\"page_size\":\"10\"}", "page_size",
                    "page_size must be an integer between 1 and 10000, was a string");
        }

        @Test
        void created_needs_both_members() {
            refused((n, p) -> CreatedWire.read(n, p, Wire::readString), "{\"value\":\"v\"}", "created",
                    "created is missing: it must be true or false");
            refused((n, p) -> CreatedWire.read(n, p, RunWire::readCodeVersion), "{\"created\":true,\"value\":{}}",
                    "value.dirty", "value.dirty is missing: it must be true or false");
        }
    }

    @Nested
    @DisplayName("metric points")
    class MetricPoints {
        @Test
        void a_bad_value_deep_in_a_list_is_named_by_its_path() {
            String body = "{\"points\":[" + point("1") + "," + point("2") + "," + point("3") + "," + point("\"NaN\"")
                    + "]}";
            Wire.Reader<Object> reader = (n, p) -> Wire.fields(n, p, "points").list("points",
                    RunWire::readMetricPoint);
            refused(reader, body, "points[3].value", "points[3].value must be a finite number, was a string");
        }

        @Test
        void wrong_types_missing_fields_and_ranges() {
            refused(RunWire::readMetricPoint, point("1e999"), "value",
                    "value must be a finite number, was a number beyond the range of a double");
            refused(RunWire::readMetricPoint, point("true"), "value", "value must be a finite number, was a boolean");
            refused(RunWire::readMetricPoint, "{\"key\":\"k\",\"value\":1,\"step\":-1,\"timestamp\":\"2026-01-02T03:04:05Z\"}",
                    "step", "step must be an integer >= 0, was -1");
            refused(RunWire::readMetricPoint, "{\"key\":\"k\",\"value\":1,\"step\":1}", "timestamp",
                    "timestamp is missing: it must be an RFC 3339 instant such as \"2026-01-02T03:04:05.123456789Z\"");
            refused(RunWire::readMetricPoint, "{\"key\":\"k\",\"value\":1,\"step\":1,\"timestamp\":\"yesterday\"}",
                    "timestamp", "timestamp must be an RFC 3339 instant such as \"2026-01-02T03:04:05.123456789Z\","
                            + " was a string that is not one");
            InvalidArgumentException notObject = refused(RunWire::readMetricPoint, "[]");
            assertThat(notObject.field()).isEmpty();
            assertThat(notObject.getMessage()).isEqualTo("the document must be an object, was an array");
        }
    }

    @Nested
    @DisplayName("runs")
    class Runs {
        static final String NEW_RUN = "{\"id\":\"r1\",\"job\":\"j\",\"start_time\":\"2026-01-02T03:04:05Z\"";

        @Test
        void unknown_fields_are_refused() {
            refused(RunWire::readNewRun, NEW_RUN + ",\"jobName\":\"j\"}", "jobName",
                    "unknown field \"jobName\" in the document; the fields are id, job, parent_run_id, start_time, tags,"
                            + " code_version, environment");
            refused(RunWire::readNewRun, NEW_RUN + ",\"code_version\":{\"dirty\":true,\"sha\":\"x\"}}",
                    "code_version.sha", "unknown field \"sha\" in code_version; the fields are commit, branch, dirty,"
                            + " repository");
        }

        @Test
        void maps_of_strings_name_the_bad_entry() {
            refused(RunWire::readNewRun, NEW_RUN + ",\"tags\":{\"a\":\"1\",\"b.c\":2}}", "tags[\"b.c\"]",
                    "tags[\"b.c\"] must be a string, was an integer");
            refused(RunWire::readNewRun, NEW_RUN + ",\"environment\":[]}", "environment",
                    "environment must be an object whose values are strings, was an array");
        }

        @Test
        void a_secret_param_value_is_never_echoed() {
            String run = "{\"id\":\"r1\",\"job\":\"j\",\"status\":\"hunter2\",\"start_time\":"
                    + "\"2026-01-02T03:04:05Z\",\"last_heartbeat\":\"hunter2\",\"params\":{\"password\":\"hunter2\"}}";
            InvalidArgumentException e = refused(RunWire::readRun, run);
            assertThat(e.field()).contains("status");
            assertThat(e.getMessage()).isEqualTo("status must be one of RUNNING, COMPLETED, FAILED, ABORTED, was"
                    + " another string");
            InvalidArgumentException malformed = refused(RunWire::readRun, run.replace("\"hunter2\"}", "hunter2}"));
            assertThat(malformed.getMessage()).doesNotContain("hunter2");
        }

        @Test
        void latest_metrics_are_named_by_their_key() {
            String run = "{\"id\":\"r1\",\"job\":\"j\",\"status\":\"RUNNING\",\"start_time\":"
                    + "\"2026-01-02T03:04:05Z\",\"last_heartbeat\":\"2026-01-02T03:04:05Z\",\"metrics\":{\"acc\":"
                    + "{\"value\":0.5,\"step\":1}}}";
            refused(RunWire::readRun, run, "metrics.acc.timestamp", "metrics.acc.timestamp is missing: it must be an"
                    + " RFC 3339 instant such as \"2026-01-02T03:04:05.123456789Z\"");
        }

        @Test
        void links_need_a_valid_node_id_and_a_lower_case_role() {
            String run = "{\"id\":\"r1\",\"job\":\"j\",\"status\":\"RUNNING\",\"start_time\":"
                    + "\"2026-01-02T03:04:05Z\",\"last_heartbeat\":\"2026-01-02T03:04:05Z\",\"links\":[";
            refused(RunWire::readRun, run + "{\"role\":\"INPUT\",\"node\":\"run:r0\"}]}", "links[0].role",
                    "links[0].role must be one of input, output, was another string");
            InvalidArgumentException e = refused(RunWire::readRun,
                    run + "{\"role\":\"input\",\"node\":\"run:r0\"},{\"role\":\"input\",\"node\":\"dataset:x@md5:1\"}]}");
            assertThat(e.field()).contains("links[1].node");
            assertThat(e.getMessage()).startsWith("links[1].node: a dataset node must look like dataset:NAME@sha256:");
        }

        @Test
        void a_metric_filter_cannot_compare_with_nan() {
            refused(RunWire::readQuery, "{\"metrics\":[{\"key\":\"acc\",\"op\":\"GE\",\"value\":\"NaN\"}]}",
                    "metrics[0].value", "metrics[0].value must be a number to compare with, or \"Infinity\" or"
                            + " \"-Infinity\", was \"NaN\"");
            refused(RunWire::readQuery, "{\"metrics\":[{\"key\":\"acc\",\"op\":\">=\",\"value\":1}]}",
                    "metrics[0].op", "metrics[0].op must be one of LT, LE, EQ, GE, GT, was another string");
        }
    }

    @Nested
    @DisplayName("audit")
    class Audit {
        @Test
        void pending_event_data_must_be_a_json_text() {
            String event = "{\"time\":\"2026-01-02T03:04:05Z\",\"actor\":\"a\",\"action\":\"x\",\"subject\":\"s\","
                    + "\"data\":";
            refused(AuditWire::readPending, event + "{\"a\":1}}", "data", "data must be a string, was an object");
            refused(AuditWire::readPending, event + "\"{hunter2\"}", "data",
                    "data must be a JSON text (I-JSON: no duplicate names, finite numbers), was a string that is not one");
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\\nb", "a\\tb", "\\u001b[31mred", "s\\u0000", ""})
        void pending_event_action_and_subject_carry_no_control_characters(String bad) {
            String action = "{\"time\":\"2026-01-02T03:04:05Z\",\"actor\":\"a\",\"action\":\"" + bad
                    + "\",\"subject\":\"s\",\"data\":\"{}\"}";
            assertThat(refused(AuditWire::readPending, action).field()).contains("action");
            String subject = "{\"time\":\"2026-01-02T03:04:05Z\",\"actor\":\"a\",\"action\":\"x\",\"subject\":\""
                    + bad + "\",\"data\":\"{}\"}";
            assertThat(refused(AuditWire::readPending, subject).field()).contains("subject");
        }

        @Test
        void seq_is_range_checked() {
            refused(AuditWire::readCheckpoint, "{\"seq\":1e3,\"hash\":\"h\",\"time\":\"2026-01-02T03:04:05Z\","
                    + "\"key_id\":\"k\",\"signature\":\"s\"}", "seq",
                    "seq must be an integer, was a number with a fraction or exponent");
        }
    }

    @Nested
    @DisplayName("lineage")
    class Lineage {
        @Test
        void node_ids_and_kinds() {
            refused(LineageWire::readEdge, "{\"from\":\"run:a\",\"to\":\"run:b\",\"kind\":\"INPUT\"}", "kind",
                    "kind must be one of input, output, was another string");
            InvalidArgumentException e = refused(LineageWire::readEdge,
                    "{\"from\":\"job:a\",\"to\":\"run:b\",\"kind\":\"input\"}");
            assertThat(e.field()).contains("from");
            assertThat(e.getMessage()).startsWith("from: unknown node kind 'job'");
            InvalidArgumentException d = refused(LineageWire::readDirection, "\"up\"");
            assertThat(d.field()).isEmpty();
            assertThat(d.getMessage()).isEqualTo("the document must be one of UPSTREAM, DOWNSTREAM, BOTH, was another"
                    + " string");
        }
    }

    @Nested
    @DisplayName("datasets and the registry")
    class Registry {
        @Test
        void column_types_are_lower_case() {
            refused(DatasetWire::readColumn, "{\"name\":\"c\",\"type\":\"NUMERIC\"}", "type",
                    "type must be one of numeric, categorical, datetime, identifier, was another string");
        }

        @Test
        void a_dataset_row_count_must_be_an_integer() {
            String v = "{\"name\":\"n\",\"version\":\"" + D + "\",\"source_uri\":\"u\",\"format\":\"csv\","
                    + "\"size_bytes\":1,\"created_time\":\"2026-01-02T03:04:05Z\",\"created_by\":\"a\",\"rows\":";
            refused(DatasetWire::read, v + "\"730\"}", "rows", "rows must be an integer, was a string");
            refused(DatasetWire::read, v + "1,\"columns\":[{\"name\":\"c\"}]}", "columns[0].type",
                    "columns[0].type is missing: it must be one of numeric, categorical, datetime, identifier");
        }

        @Test
        void version_numbers_are_positive_ints() {
            String v = "{\"model\":\"m\",\"digest\":\"" + D + "\",\"description\":\"\",\"created_time\":"
                    + "\"2026-01-02T03:04:05Z\",\"created_by\":\"a\",\"version\":";
            refused(RegistryWire::readNewVersion, v + "0}", "version",
                    "version must be an integer between 1 and 2147483647, was 0");
            refused(RegistryWire::readNewVersion, v + "4294967296}", "version",
                    "version must be an integer between 1 and 2147483647, was 4294967296");
            refused(RegistryWire::readNewVersion, v + "1,\"metrics\":{\"acc\":\"high\"}}", "metrics.acc",
                    "metrics.acc must be a number, or one of \"NaN\", \"Infinity\", \"-Infinity\", was another string");
            refused(RegistryWire::readModel, "{\"name\":\"m\",\"description\":\"\",\"aliases\":{\"prod\":0}}",
                    "aliases.prod", "aliases.prod must be an integer between 1 and 2147483647, was 0");
        }

        @Test
        void an_approval_must_be_consistent() {
            InvalidArgumentException e = refused(RegistryWire::readApproval,
                    "{\"status\":\"PENDING\",\"actor\":\"bob\"}");
            assertThat(e.field()).isEmpty();
            assertThat(e.getMessage()).isEqualTo("the document is not valid: a PENDING approval has no actor, time or"
                    + " reason");
            String version = "{\"model\":\"m\",\"version\":1,\"digest\":\"" + D + "\",\"status\":\"READY\","
                    + "\"description\":\"\",\"approval\":\"APPROVED\",\"approved_by\":\"bob\",\"created_time\":"
                    + "\"2026-01-02T03:04:05Z\",\"created_by\":\"a\",\"updated_time\":\"2026-01-02T03:04:05Z\"}";
            refused(RegistryWire::readVersion, version, "approval", "approval is incomplete: time is required");
        }

        @Test
        void governance_members_are_checked() {
            refused(RegistryWire::readGovernance, "{\"owner\":\"x\"}", "owner",
                    "unknown field \"owner\" in the document; the fields are business_owner, technical_owner,"
                            + " intended_use, service_level, retraining_policy, approver_role, confidentiality,"
                            + " code_shareable");
            refused(RegistryWire::readGovernance, "{\"code_shareable\":\"yes\"}", "code_shareable",
                    "code_shareable must be true or false, was a string");
            refused(RegistryWire::readUpdate, "{\"remove_tags\":[\"a\",\"a\"],\"time\":\"2026-01-02T03:04:05Z\"}",
                    "remove_tags", "remove_tags must not hold the same string twice");
        }
    }

    @Nested
    @DisplayName("profiles and policies")
    class ProfilesAndPolicies {
        @Test
        void drift_share_and_kind() {
            String report = "{\"id\":\"d\",\"subject\":\"s\",\"key\":\"k\",\"dataset_drift\":false,\"digest\":\""
                    + D + "\",\"body\":\"{}\",\"created_time\":\"2026-01-02T03:04:05Z\",\"created_by\":\"a\",";
            refused(ProfileWire::readDriftReport, report + "\"kind\":\"window\"}", "kind",
                    "kind must be one of WINDOW, ANALYSIS, was another string");
            refused(ProfileWire::readDriftReport, report + "\"kind\":\"WINDOW\",\"drift_share\":\"nan\"}",
                    "drift_share", "drift_share must be a number, or one of \"NaN\", \"Infinity\", \"-Infinity\","
                            + " was another string");
        }

        @Test
        void a_profile_body_is_a_string_not_an_embedded_object() {
            refused(ProfileWire::readProfile, "{\"id\":\"p\",\"subject\":\"s\",\"key\":\"k\",\"rows\":1,"
                    + "\"digest\":\"" + D + "\",\"body\":{},\"created_time\":\"2026-01-02T03:04:05Z\","
                    + "\"created_by\":\"a\"}", "body", "body must be a string, was an object");
            refused(ProfileWire::readQuery, "{\"key_prefix\":\"x\"}", "subject",
                    "subject is missing: it must be a string");
        }

        @Test
        void versions_and_attempts_are_range_checked() {
            refused(PolicyWire::readState, "{\"policy\":\"p\",\"model\":\"m\",\"version\":0,\"body\":\"{}\","
                    + "\"updated_time\":\"2026-01-02T03:04:05Z\",\"updated_by\":\"a\"}", "version",
                    "version must be an integer >= 1, was 0");
            refused(PolicyWire::readRequest, "{\"key\":\"k\",\"policy\":\"p\",\"model\":\"m\",\"window_id\":\"w\","
                    + "\"status\":\"requested\",\"attempt\":-1,\"requested_time\":\"2026-01-02T03:04:05Z\","
                    + "\"updated_time\":\"2026-01-02T03:04:05Z\",\"body\":\"{}\"}", "attempt",
                    "attempt must be an integer between 0 and 2147483647, was -1");
            refused(PolicyWire::readDecision, "{\"policy\":\"p\",\"model\":\"m\",\"seq\":1,\"window_id\":\"w\","
                    + "\"status\":\"retrain\",\"retrain\":\"true\",\"decided_at\":\"2026-01-02T03:04:05Z\","
                    + "\"body\":\"{}\"}", "retrain", "retrain must be true or false, was a string");
        }
    }
}
