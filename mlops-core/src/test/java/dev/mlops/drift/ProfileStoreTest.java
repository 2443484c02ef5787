package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Created;
import dev.mlops.ErrorCode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.internal.drift.WindowReportJson;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.store.memory.InMemoryStore;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Mlops.profiles(): analysis reports, window report JSON, stores without profiles, corrupted rows")
class ProfileStoreTest {
    static final String SUBJECT = "model:churn/3";
    static final Instant T0 = Instant.parse("2014-03-01T00:00:00Z");

    @TempDir
    Path dir;

    static Map<String, ColumnValues> side(long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[3000];
        String[] s = new String[3000];
        for (int i = 0; i < x.length; i++) {
            x[i] = shift + DriftMonitorTest.gaussian(r);
            s[i] = DriftMonitorTest.category(r, 0.5, 0.3);
        }
        Map<String, ColumnValues> m = new LinkedHashMap<>();
        m.put("x", ColumnValues.numeric(x, 0));
        m.put("s", ColumnValues.categorical(s, 0));
        return m;
    }

    @Test
    @DisplayName("a DriftAnalyzer report is stored as its contract JSON with its verdict as columns, linked to the"
            + " profiles it compared, and listed by window")
    void analysisReport() throws Exception {
        DriftReport report = DriftAnalyzer.builder().build().analyze(side(1, 0), side(2, 0.5));
        assertThat(report.datasetDrift()).isTrue();
        try (Mlops mlops = Mlops.builder().store(new InMemoryStore()).artifactUri("memory:").build()) {
            StoredProfile ref = mlops.profiles().save(SUBJECT, "reference", ProfileDocData.profile(1)).value();
            StoredProfile cur = mlops.profiles().save(SUBJECT, "2014-03", ProfileDocData.profile(2), T0,
                    T0.plusSeconds(31L * 86400)).value();
            Created<StoredDriftReport> c = mlops.profiles().saveReport(SUBJECT, "2014-03", report, ref.id(), cur.id(),
                    T0, T0.plusSeconds(31L * 86400));
            assertThat(c.created()).isTrue();
            StoredDriftReport s = c.value();
            assertThat(s.kind()).isEqualTo(ReportKind.ANALYSIS);
            assertThat(s.json()).isEqualTo(DriftReportJson.toJson(report));
            assertThat(new ObjectMapper().readTree(s.json()).get("dataset_drift").asBoolean()).isTrue();
            assertThat(s.datasetDrift()).isTrue();
            assertThat(s.driftShare()).isEqualTo(report.driftShare());
            assertThat(s.referenceProfileId()).isEqualTo(ref.id());
            assertThat(s.currentProfileId()).isEqualTo(cur.id());
            assertThat(mlops.profiles().getReport(s.id())).contains(s);
            assertThat(mlops.profiles().findReport(SUBJECT, "2014-03")).contains(s);
            assertThat(mlops.profiles().saveReport(SUBJECT, "2014-03", report, ref.id(), cur.id(), T0,
                    T0.plusSeconds(31L * 86400)).created()).isFalse();
            assertThatThrownBy(() -> mlops.profiles().saveReport(SUBJECT, "2014-04", report, "no-such-id", null,
                    null, null)).isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-id");
            assertThatThrownBy(() -> mlops.profiles().windowReport(s))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("report"));
            assertThat(mlops.profiles().searchReports(ProfileQuery.of(SUBJECT).between(T0, T0.plusSeconds(1)), null)
                    .items()).containsExactly(s);
            assertThat(mlops.profiles().searchReports(ProfileQuery.of(SUBJECT).between(T0.plusSeconds(1), null),
                    null).items()).isEmpty();
        }
    }

    @Test
    @DisplayName("a MetadataStore written before profiles existed still works for everything else; its profile"
            + " calls fail with STORAGE naming the store")
    void storeWithoutProfiles() {
        InMemoryStore real = new InMemoryStore();
        // Implements only the methods of the interface that are abstract, as a class compiled before profiles would.
        MetadataStore old = (MetadataStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (method.getName().equals("describe")) {
                        return "old-store:";
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<String> defaults = java.util.Arrays.stream(MetadataStore.class.getDeclaredMethods())
                .filter(Method::isDefault).map(Method::getName).sorted().toList();
        assertThat(defaults).containsExactly("createRetrainingRequest", "findDriftReport", "findPolicyDecision",
                "findProfile", "getDriftReport", "getPolicyState", "getProfile", "getRetrainingRequest",
                "listPolicyDecisions", "listPolicyStates", "listRetrainingRequests", "recordPromotionVerdict",
                "saveDriftReport",
                "savePolicyState", "saveProfile", "searchDriftReports", "searchProfiles", "setAlias",
                "updateRetrainingRequest");
        try (Mlops mlops = Mlops.builder().store(old).artifactUri("memory:").build()) {
            assertThat(mlops.tracking().start("job").id()).isNotBlank();
            assertThatThrownBy(() -> mlops.profiles().save(SUBJECT, "reference", ProfileDocData.profile(1)))
                    .isInstanceOf(StorageException.class).hasMessageContaining("old-store:")
                    .hasMessageContaining("does not store profiles");
            assertThatThrownBy(() -> mlops.profiles().find(SUBJECT, "reference"))
                    .isInstanceOf(StorageException.class);
        }
        ForwardingMetadataStore forwarding = new ForwardingMetadataStore() {
            @Override
            protected MetadataStore delegate() {
                return old;
            }
        };
        assertThatThrownBy(() -> forwarding.getProfile("x")).isInstanceOf(StorageException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"body", "digest", "row_count"})
    @DisplayName("a profile row changed in the SQLite file is found on read: INTEGRITY naming the entry")
    void corruptedSqliteRow(String column) throws Exception {
        Path file = dir.resolve("m.db");
        String id;
        try (JdbcStore store = JdbcStore.sqlite(file);
                Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
            id = mlops.profiles().save(SUBJECT, "reference", ProfileDocData.profile(1)).value().id();
        }
        String change = switch (column) {
            case "body" -> "UPDATE profiles SET body = replace(body, '\"rows\":', '\"rows\": ')";
            case "digest" -> "UPDATE profiles SET digest = 'sha256:' || substr('0000000000', 1, 10)"
                    + " || substr(digest, 18)";
            case "row_count" -> "UPDATE profiles SET row_count = row_count + 1";
            default -> throw new IllegalArgumentException(column);
        };
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(change)).isEqualTo(1);
        }
        try (JdbcStore store = JdbcStore.sqlite(file);
                Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
            assertThatThrownBy(() -> mlops.profiles().get(id)).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining(id).hasMessageContaining("reference").hasMessageContaining(SUBJECT);
            assertThatThrownBy(() -> mlops.profiles().getOrCompute(SUBJECT, "reference",
                    () -> ProfileDocData.profile(1))).isInstanceOfSatisfying(MlopsException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
        }
    }

    @Test
    @DisplayName("window report JSON: the same report gives the same bytes, reads back equal (NaN statistics"
            + " included), and malformed JSON names the report")
    void windowReportJson() {
        DatasetProfile profile = ProfileDocData.profile(3);
        List<WindowColumn> columns = List.of(
                new WindowColumn("x", ProfileKind.NUMERIC, "ks", 0.123456789012345, 1e-17, 0.1, true, 100, 3, 1000),
                new WindowColumn("s", ProfileKind.CATEGORICAL, "l_infinity", Double.NaN, 0, 0.1, false, 0, 100,
                        0));
        List<String> names = profile.columnNames();
        List<WindowColumn> named = List.of(rename(columns.get(0), names.get(0)), rename(columns.get(1),
                names.get(1)));
        WindowReport report = new WindowReport(7, Instant.parse("2026-01-01T00:00:00.123456789Z"),
                Instant.parse("2026-01-01T00:05:00Z"), profile.rows(), named, profile);
        String json = WindowReportJson.write(report, "sha256:abc");
        assertThat(WindowReportJson.write(report, "sha256:abc")).isEqualTo(json);
        assertThat(json).startsWith("{\"format\":\"mlops.window_report\",\"format_version\":2,\"sequence\":7,");
        assertThat(json).contains("\"statistic\":null").contains("\"start\":\"2026-01-01T00:00:00.123456789Z\"");
        assertThat(WindowReportJson.read(json, profile, "r")).isEqualTo(report);
        for (String bad : List.of("{", "[]", json.replace("\"format_version\":2", "\"format_version\":3"),
                json.replace("mlops.window_report", "other"), json.replace("\"rows\":", "\"rows\":1"),
                json.replace("\"drift\":true", "\"drift\":\"yes\""), json.replace("\"numeric\"", "\"text\""))) {
            assertThatThrownBy(() -> WindowReportJson.read(bad, profile, "stored drift report R1"))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("report"))
                    .hasMessageContaining("stored drift report R1");
        }
        assertThatThrownBy(() -> WindowReportJson.read(json, ProfileDocData.profile(4), "r"))
                .isInstanceOf(InvalidArgumentException.class);
    }

    private static WindowColumn rename(WindowColumn c, String name) {
        return new WindowColumn(name, c.kind(), c.statisticName(), c.statistic(), c.errorBound(), c.threshold(),
                c.drift(), c.valueCount(), c.invalidCount(), c.referenceCount());
    }

    /** Small profiles of a numeric and a categorical column. */
    static final class ProfileDocData {
        static DatasetProfile profile(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            DatasetProfiler p = DatasetProfiler.builder().numeric("temp").categorical("station").build();
            int rows = 100 + (int) seed;
            for (int i = 0; i < rows; i++) {
                p.column("temp").add(DriftMonitorTest.gaussian(r));
                p.column("station").add(DriftMonitorTest.category(r, 0.4, 0.4));
            }
            return p.toProfile();
        }
    }
}
