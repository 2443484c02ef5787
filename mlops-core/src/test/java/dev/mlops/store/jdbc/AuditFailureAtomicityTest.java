package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.internal.audit.AuditVerifier;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each mutation and its audit event are one transaction. The compatibility kit cannot see a store that commits them
 * separately (its stores only fail where the change itself is refused), so this test makes the audit append itself
 * fail: a trigger on {@code audit_events}, created through a separate JDBC connection on the same SQLite file, raises
 * an error for every insert. Each kind of mutation must then fail with {@code STORAGE} and leave nothing behind:
 * everything the SPI can read, and every row of every table, is as it was, and the chain still verifies. Dropping
 * the trigger, the same call succeeds on the same store (its connections were not left in a transaction).
 */
class AuditFailureAtomicityTest {
    private static final String RUN_A = "0190a1b2-0000-7000-8000-00000000000a";
    private static final String RUN_B = "0190a1b2-0000-7000-8000-00000000000b";
    private static final String RUN_C = "0190a1b2-0000-7000-8000-00000000000c";
    private static final DatasetVersion TRAIN = dataset("train", "a");
    private static final DatasetVersion TEST = dataset("test", "b");
    private static final NodeRef MODEL_1 = NodeRef.model("fraud", 1);
    private static final NodeRef MODEL_2 = NodeRef.model("fraud", 2);

    /** How the trigger's RAISE ends the statement (ROLLBACK also ends the transaction at once). */
    enum Raise { ABORT, FAIL, ROLLBACK }

    /** Every SPI method that appends an audit event. */
    enum Mutation {
        CREATE_RUN, LOG_PARAMS, SET_TAGS, LOG_METRICS, ADD_LINKS, FINISH_RUN, REGISTER_DATASET, ERASE_AUDIT_DATA,
        ADD_CHECKPOINT, CREATE_MODEL, UPDATE_MODEL, CREATE_MODEL_VERSION, FINISH_MODEL_VERSION, UPDATE_MODEL_VERSION,
        DECIDE_APPROVAL, SET_ALIAS, DELETE_ALIAS, DELETE_MODEL_VERSION, APPEND_AUDIT_EVENT, SAVE_PROFILE,
        SAVE_DRIFT_REPORT, CREATE_POLICY_STATE, SAVE_POLICY_STATE, CREATE_RETRAINING_REQUEST,
        UPDATE_RETRAINING_REQUEST
    }

    private static final String MONITOR = "monitor:fraud";
    private static final ProfileEntry REFERENCE = profileEntry("0190a1b2-0000-7000-9000-000000000001", "reference",
            "{\"profile\":\"reference\"}");

    private static PolicyStateEntry policyState(String model, long version) {
        return new PolicyStateEntry("nightly", model, version, "{\"state\":" + version + "}", T0, "alice");
    }

    private static PolicyDecisionEntry policyDecision(String model, String window, String status) {
        return new PolicyDecisionEntry("nightly", model, 0, window, status, status.equals("retrain"), T0,
                "{\"window\":\"" + window + "\"}");
    }

    private static RetrainingRequestEntry retrainingRequest(String window, String status, int attempt) {
        return new RetrainingRequestEntry("nightly/fraud/" + window, "nightly", "fraud", window, status, attempt,
                null, null, T0, T0.plusSeconds(attempt), "{\"status\":\"" + status + "\"}");
    }

    private static ProfileEntry profileEntry(String id, String key, String body) {
        return new ProfileEntry(id, MONITOR, key, T0, T0.plusSeconds(60), 10, "sha256:"
                + dev.mlops.audit.AuditChain.sha256Hex(body), body, T0, "alice");
    }

    @TempDir
    Path dir;

    private Path file;
    private JdbcStore store;
    private Connection admin;

    @BeforeEach
    void open() throws SQLException {
        file = dir.resolve("audit-failure.db");
        store = JdbcStore.sqlite(file);
        admin = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = admin.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
        }
    }

    @AfterEach
    void close() throws SQLException {
        store.close();
        admin.close();
    }

    static Stream<Arguments> cases() {
        return Arrays.stream(Mutation.values())
                .flatMap(m -> Arrays.stream(Raise.values()).map(r -> Arguments.of(m, r)));
    }

    @ParameterizedTest(name = "{0} with RAISE({1})")
    @MethodSource("cases")
    @DisplayName("a failing audit append undoes the whole change, and the chain still verifies")
    void failingAuditAppendLeavesNothing(Mutation mutation, Raise raise) throws SQLException {
        populate();
        List<Object> apiBefore = readable();
        Map<String, List<String>> rowsBefore = rows();
        List<AuditEvent> chainBefore = Fixtures.chain(store);

        execute("CREATE TRIGGER inject_audit_failure BEFORE INSERT ON audit_events BEGIN SELECT RAISE(" + raise
                + ", 'injected audit failure'); END");
        assertThatThrownBy(() -> apply(mutation))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(store.describe())
                .hasMessageContaining("injected audit failure");

        assertThat(readable()).as("everything the store can read").isEqualTo(apiBefore);
        assertThat(rows()).as("every row of every table").isEqualTo(rowsBefore);
        assertChainVerifies(chainBefore.size());

        execute("DROP TRIGGER inject_audit_failure");
        apply(mutation);
        assertThat(readable()).as("the change, once the audit append works").isNotEqualTo(apiBefore);
        List<AuditEvent> chainAfter = Fixtures.chain(store);
        assertThat(chainAfter.subList(0, chainBefore.size()))
                .as("earlier events, but for the data an erasure removes")
                .isEqualTo(mutation == Mutation.ERASE_AUDIT_DATA ? erasedSecond(chainBefore) : chainBefore);
        assertThat(chainAfter.get(chainAfter.size() - 1).action()).isEqualTo(action(mutation));
        assertChainVerifies(chainBefore.size() + 1);
    }

    @ParameterizedTest(name = "RAISE({0})")
    @org.junit.jupiter.params.provider.EnumSource(Raise.class)
    @DisplayName("a policy save whose second audit event fails keeps neither the state, the decisions nor the first"
            + " event")
    void secondPolicyEventFails(Raise raise) throws SQLException {
        populate();
        List<Object> apiBefore = readable();
        Map<String, List<String>> rowsBefore = rows();
        int eventsBefore = Fixtures.chain(store).size();
        execute("CREATE TRIGGER inject_audit_failure BEFORE INSERT ON audit_events WHEN NEW.action = 'policy.second'"
                + " BEGIN SELECT RAISE(" + raise + ", 'injected audit failure'); END");
        List<PendingAuditEvent> events = List.of(audit("policy.first"), audit("policy.second"));
        List<PolicyDecisionEntry> decisions = List.of(policyDecision("fraud", "w2", "held"),
                policyDecision("fraud", "w3", "retrain"));
        assertThatThrownBy(() -> store.savePolicyState(policyState("fraud", 2), 1, decisions, events))
                .isInstanceOf(StorageException.class).hasMessageContaining("injected audit failure");
        assertThat(readable()).isEqualTo(apiBefore);
        assertThat(rows()).isEqualTo(rowsBefore);
        assertChainVerifies(eventsBefore);

        execute("DROP TRIGGER inject_audit_failure");
        store.savePolicyState(policyState("fraud", 2), 1, decisions, events);
        assertThat(store.listPolicyDecisions("nightly", "fraud", dev.mlops.PageRequest.first()).items())
                .extracting(PolicyDecisionEntry::seq).containsExactly(1L, 2L, 3L);
        assertChainVerifies(eventsBefore + 2);
    }

    @ParameterizedTest(name = "RAISE({0})")
    @org.junit.jupiter.params.provider.EnumSource(Raise.class)
    @DisplayName("an alias move whose second audit event fails keeps neither the move nor the first event (a"
            + " promotion verdict)")
    void secondAliasEventFails(Raise raise) throws SQLException {
        populate();
        List<Object> apiBefore = readable();
        Map<String, List<String>> rowsBefore = rows();
        int eventsBefore = Fixtures.chain(store).size();
        execute("CREATE TRIGGER inject_audit_failure BEFORE INSERT ON audit_events WHEN NEW.action ="
                + " 'model_alias.move' BEGIN SELECT RAISE(" + raise + ", 'injected audit failure'); END");
        List<PendingAuditEvent> events = List.of(audit("promotion.decided"), audit("model_alias.move"));
        assertThatThrownBy(() -> store.setAlias("fraud", "production", 3, 1, T0.plusSeconds(20), events))
                .isInstanceOf(StorageException.class).hasMessageContaining("injected audit failure");
        assertThat(readable()).isEqualTo(apiBefore);
        assertThat(rows()).isEqualTo(rowsBefore);
        assertChainVerifies(eventsBefore);

        execute("DROP TRIGGER inject_audit_failure");
        store.setAlias("fraud", "production", 3, 1, T0.plusSeconds(20), events);
        assertThat(store.getModel("fraud").orElseThrow().aliases()).containsEntry("production", 3);
        assertThat(store.auditEvents(eventsBefore, 10)).extracting(AuditEvent::action)
                .containsExactly("promotion.decided", "model_alias.move");
        assertChainVerifies(eventsBefore + 2);
    }

    /**
     * Two RUNNING runs (one the parent of the other), a dataset, params, tags, metrics, links, a checkpoint, and a
     * model with three versions (1 and 3 READY, 2 PENDING, with tags) and an alias on version 1.
     */
    private void populate() {
        store.registerDataset(TRAIN, audit("dataset.register"));
        store.createRun(new NewRun(RUN_A, "train", null, T0, Map.of("team", "fraud"), null, Map.of("jvm", "17")),
                audit("run.create"));
        store.logParams(RUN_A, Map.of("lr", "0.1"), audit("run.params"));
        store.setTags(RUN_A, Map.of("stage", "dev"), audit("run.tags"));
        store.logMetrics(RUN_A, List.of(new MetricPoint("loss", 0.9, 0, T0), new MetricPoint("loss", 0.5, 1, T0),
                new MetricPoint("loss", 0.4, 2, T0.plusSeconds(1))), audit("run.metrics"));
        store.addLinks(RUN_A, List.of(RunLink.input(TRAIN.node()), RunLink.output(MODEL_1)), audit("run.links"));
        store.createRun(new NewRun(RUN_B, "evaluate", RUN_A, T0.plusSeconds(5), Map.of(), null, Map.of()),
                audit("run.create"));
        AuditEvent head = store.auditHead().orElseThrow();
        store.addCheckpoint(new AuditCheckpoint(head.seq(), head.hash(), T0, "key-1", "signature-1"),
                audit("audit.checkpoint"));
        store.createModel(new NewModel("fraud", "scores payments", Map.of("team", "risk"),
                Governance.builder().businessOwner("ann").build(), T0, "alice"), audit("model.create"));
        for (int n = 1; n <= 3; n++) {
            store.createModelVersion(new NewModelVersion("fraud", n, digest(n), RUN_A, ModelSignature.EMPTY,
                    Map.of("auc", 0.5 + n / 10.0), Map.of("try", "" + n), "", "key-" + n, T0.plusSeconds(n), "alice"),
                    audit("model.version.create"));
        }
        for (int n : List.of(1, 3)) {
            store.finishModelVersion("fraud", n, VersionStatus.READY, new ArtifactRef(digest(n), n, "file:/m/" + n),
                    null, T0.plusSeconds(10), audit("model.version.finish"));
        }
        store.setAlias("fraud", "production", 1, null, T0.plusSeconds(11), audit("model.alias.set"));
        store.saveProfile(REFERENCE, audit("profile.saved"));
        store.savePolicyState(policyState("fraud", 1), 0, List.of(policyDecision("fraud", "w1", "retrain")),
                List.of(audit("policy.decided")));
        store.createRetrainingRequest(retrainingRequest("w1", "requested", 0), audit("retraining.requested"));
    }

    private static String digest(int n) {
        return RegistryFixtures.digest(n);
    }

    private void apply(Mutation mutation) {
        PendingAuditEvent event = mutation == Mutation.ERASE_AUDIT_DATA
                ? Fixtures.audit("audit.erase", "audit:2") : audit(action(mutation));
        switch (mutation) {
            case CREATE_RUN -> store.createRun(new NewRun(RUN_C, "train", RUN_A, T0.plusSeconds(9),
                    Map.of("team", "risk", "try", "2"), new CodeVersion("c".repeat(40), "main", false, null),
                    Map.of("jvm", "21")), event);
            case LOG_PARAMS -> store.logParams(RUN_A, Map.of("epochs", "10", "seed", "7", "lr", "0.1"), event);
            case SET_TAGS -> store.setTags(RUN_A, Map.of("stage", "prod", "owner", "alice"), event);
            case LOG_METRICS -> store.logMetrics(RUN_A, manyPoints(), event);
            case ADD_LINKS -> store.addLinks(RUN_A, List.of(RunLink.input(TEST.node()), RunLink.output(MODEL_2),
                    RunLink.input(TRAIN.node())), event);
            case FINISH_RUN -> store.finishRun(RUN_B, RunStatus.FAILED, T0.plusSeconds(60), "out of memory", event);
            case REGISTER_DATASET -> store.registerDataset(TEST, event);
            case ERASE_AUDIT_DATA -> store.eraseAuditData(2, event);
            case ADD_CHECKPOINT -> {
                AuditEvent head = store.auditHead().orElseThrow();
                store.addCheckpoint(new AuditCheckpoint(head.seq(), head.hash(), T0.plusSeconds(1), "key-2",
                        "signature-2"), event);
            }
            case CREATE_MODEL -> store.createModel(new NewModel("credit", "", Map.of("a", "1", "b", "2"),
                    Governance.builder().approverRole("risk").codeShareable(true).build(), T0, "bob"), event);
            case UPDATE_MODEL -> store.updateModel("fraud", new ModelUpdate("new words", Map.of("tier", "1"),
                    Set.of("team"), Governance.builder().technicalOwner("tom").build(), T0.plusSeconds(20)), event);
            case CREATE_MODEL_VERSION -> store.createModelVersion(new NewModelVersion("fraud", 4, digest(4), RUN_B,
                    ModelSignature.EMPTY, Map.of(), Map.of("try", "4", "x", "y"), "", "key-4", T0.plusSeconds(20),
                    "bob"), event);
            case FINISH_MODEL_VERSION -> store.finishModelVersion("fraud", 2, VersionStatus.READY,
                    new ArtifactRef(digest(2), 2, "file:/m/2"), null, T0.plusSeconds(20), event);
            case UPDATE_MODEL_VERSION -> store.updateModelVersion("fraud", 1, new ModelUpdate("d", Map.of("k", "v"),
                    Set.of("try"), null, T0.plusSeconds(20)), event);
            case DECIDE_APPROVAL -> store.decideApproval("fraud", 1, Approval.decided(ApprovalStatus.APPROVED,
                    "carol", T0.plusSeconds(20), "fine"), event);
            case SET_ALIAS -> store.setAlias("fraud", "production", 3, 1, T0.plusSeconds(20), event);
            case DELETE_ALIAS -> store.deleteAlias("fraud", "production", 1, T0.plusSeconds(20), event);
            case DELETE_MODEL_VERSION -> store.deleteModelVersion("fraud", 2, event);
            case APPEND_AUDIT_EVENT -> store.appendAuditEvent(event);
            case SAVE_PROFILE -> store.saveProfile(profileEntry("0190a1b2-0000-7000-9000-000000000002", "w-1",
                    "{\"profile\":\"w-1\"}"), event);
            case SAVE_DRIFT_REPORT -> store.saveDriftReport(new DriftReportEntry(
                    "0190a1b2-0000-7000-9000-000000000003", MONITOR, "w-1", ReportKind.WINDOW, T0, T0.plusSeconds(60),
                    REFERENCE.id(), REFERENCE.id(), true, 0.5, "sha256:" + dev.mlops.audit.AuditChain.sha256Hex("{}"),
                    "{}", T0, "alice"), event);
            case CREATE_POLICY_STATE -> store.savePolicyState(policyState("credit", 1), 0,
                    List.of(policyDecision("credit", "w1", "held")), List.of(event));
            case SAVE_POLICY_STATE -> store.savePolicyState(policyState("fraud", 2), 1,
                    List.of(policyDecision("fraud", "w2", "held")), List.of(event));
            case CREATE_RETRAINING_REQUEST -> store.createRetrainingRequest(retrainingRequest("w2", "requested", 0),
                    event);
            case UPDATE_RETRAINING_REQUEST -> store.updateRetrainingRequest(retrainingRequest("w1", "running", 1),
                    "requested", 0, event);
        }
    }

    /** More points than one JDBC batch holds, on a series that exists (moving its latest point) and a new one. */
    private static List<MetricPoint> manyPoints() {
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            points.add(new MetricPoint(i % 2 == 0 ? "loss" : "accuracy", 1.0 / (i + 2), 3 + i, T0.plusMillis(i)));
        }
        return points;
    }

    private static String action(Mutation mutation) {
        return switch (mutation) {
            case CREATE_RUN -> "run.create";
            case LOG_PARAMS -> "run.params";
            case SET_TAGS -> "run.tags";
            case LOG_METRICS -> "run.metrics";
            case ADD_LINKS -> "run.links";
            case FINISH_RUN -> "run.finish";
            case REGISTER_DATASET -> "dataset.register";
            case ERASE_AUDIT_DATA -> "audit.erase";
            case ADD_CHECKPOINT -> "audit.checkpoint";
            case CREATE_MODEL -> "model.create";
            case UPDATE_MODEL -> "model.update";
            case CREATE_MODEL_VERSION -> "model.version.create";
            case FINISH_MODEL_VERSION -> "model.version.finish";
            case UPDATE_MODEL_VERSION -> "model.version.update";
            case DECIDE_APPROVAL -> "model.version.approve";
            case SET_ALIAS -> "model.alias.set";
            case DELETE_ALIAS -> "model.alias.delete";
            case DELETE_MODEL_VERSION -> "model.version.delete";
            case APPEND_AUDIT_EVENT -> "access.denied";
            case SAVE_PROFILE -> "profile.saved";
            case SAVE_DRIFT_REPORT -> "drift_report.saved";
            case CREATE_POLICY_STATE, SAVE_POLICY_STATE -> "policy.decided";
            case CREATE_RETRAINING_REQUEST -> "retraining.requested";
            case UPDATE_RETRAINING_REQUEST -> "retraining.running";
        };
    }

    /** Everything the SPI reads about the runs, datasets, nodes and the audit trail that the mutations touch. */
    private List<Object> readable() {
        List<Object> state = new ArrayList<>();
        for (String run : List.of(RUN_A, RUN_B, RUN_C)) {
            state.add(store.getRun(run));
            if (store.getRun(run).isPresent()) {
                for (String key : List.of("loss", "accuracy")) {
                    state.add(JdbcStoreBehaviourTest.readAll(p -> store.metricHistory(run, key, p), 700));
                }
            }
        }
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchRuns(RunQuery.all(), p), 2));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.listDatasets(null, p), 1));
        state.add(store.getDataset(TEST.name(), TEST.version()));
        state.add(store.lineageEdges(List.of(TRAIN.node(), TEST.node(), MODEL_1, MODEL_2, NodeRef.model("fraud", 4),
                NodeRef.run(RUN_A), NodeRef.run(RUN_B), NodeRef.run(RUN_C)), Direction.BOTH));
        state.add(store.getModel("fraud"));
        state.add(store.getModel("credit"));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchModels(ModelQuery.all(), p), 1));
        for (int n = 1; n <= 4; n++) {
            state.add(store.getModelVersion("fraud", n));
        }
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchModelVersions(VersionQuery.all(), p), 2));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchProfiles(ProfileQuery.of(MONITOR), p), 1));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchDriftReports(ProfileQuery.of(MONITOR), p), 1));
        state.add(store.findProfile(MONITOR, "w-1"));
        state.add(store.findDriftReport(MONITOR, "w-1"));
        for (String model : List.of("fraud", "credit")) {
            state.add(store.getPolicyState("nightly", model));
            state.add(JdbcStoreBehaviourTest.readAll(p -> store.listPolicyDecisions("nightly", model, p), 1));
            state.add(store.findPolicyDecision("nightly", model, "w2"));
        }
        state.add(JdbcStoreBehaviourTest.readAll(store::listPolicyStates, 1));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.listRetrainingRequests(null, null, Set.of(), p), 1));
        state.add(store.getRetrainingRequest("nightly/fraud/w2"));
        state.add(Fixtures.chain(store));
        state.add(store.auditHead());
        state.add(store.checkpoints());
        return state;
    }

    /** Every row of every table of the file, read through the separate connection, sorted per table. */
    private Map<String, List<String>> rows() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).contains("runs", "params", "tags", "metrics", "latest_metrics", "lineage_edges",
                "datasets", "audit_events", "audit_checkpoints", "models", "model_tags", "model_versions",
                "model_version_tags", "model_aliases", "profiles", "drift_reports", "policy_states",
                "policy_decisions", "retraining_requests");
        Map<String, List<String>> rows = new TreeMap<>();
        for (String table : tables) {
            List<String> content = new ArrayList<>();
            try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append('\u0001');
                    }
                    content.add(row.toString());
                }
            }
            content.sort(null);
            rows.put(table, content);
        }
        return rows;
    }

    private void assertChainVerifies(int events) {
        List<AuditEvent> chain = Fixtures.chain(store);
        assertThat(chain).hasSize(events);
        Fixtures.assertChainIntact(chain);
        var verification = AuditVerifier.verifyStore(store, null, List.of());
        assertThat(verification.ok()).as("verification: %s", verification).isTrue();
        assertThat(verification.events()).isEqualTo(events);
    }

    /** {@code chain} with the data of event 2 erased, as {@link Mutation#ERASE_AUDIT_DATA} leaves it. */
    private static List<AuditEvent> erasedSecond(List<AuditEvent> chain) {
        List<AuditEvent> erased = new ArrayList<>(chain);
        erased.set(1, chain.get(1).withDataErased());
        return erased;
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute(sql);
        }
    }

    private static PendingAuditEvent audit(String action) {
        return Fixtures.audit(action, "subject");
    }

    private static DatasetVersion dataset(String name, String hexDigit) {
        return new DatasetVersion(name, "sha256:" + hexDigit.repeat(64), "file:/data/" + name + ".csv", "csv", 1234,
                new DatasetSchema(List.of(new Column("x", ColumnType.NUMERIC))), 99L, Map.of("split", name), T0,
                "alice");
    }
}
