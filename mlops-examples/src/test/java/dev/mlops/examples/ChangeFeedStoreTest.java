package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelResolver;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.tracking.ActiveRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed through the public API, over a real SQLite store and artifact directory. */
class ChangeFeedStoreTest {
    private static final String MODEL = "churn";

    @TempDir
    Path dir;

    private ChangeFeedStore store;
    private Mlops mlops;
    private final List<ChangeFeedStore.Change> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        store = new ChangeFeedStore(JdbcStore.sqlite(dir.resolve("mlops.db"))).addListener(heard::add);
        mlops = Mlops.builder().store(store).artifactUri("file:" + dir.resolve("artifacts")).actor("alice").build();
    }

    @AfterEach
    void close() {
        mlops.close();
        store.close();
    }

    @Test
    @DisplayName("every accepted change is published once, after it is stored, in the order of the audit chain")
    void changesArePublishedInOrder() throws Exception {
        ModelRegistry registry = mlops.registry();
        String runId;
        try (ActiveRun run = mlops.tracking().start("train-churn")) {
            run.logParam("depth", "4");
            runId = run.id();
        }
        int v1 = registry.newVersion(MODEL).run(runId).upload(modelFile("one")).version();
        int v2 = registry.newVersion(MODEL).upload(modelFile("two")).version();
        registry.setGovernance(MODEL, Governance.builder().businessOwner("retention").approverRole("approver").build());
        registry.approve(MODEL, v1, "offline evaluation passed");
        registry.approve(MODEL, v2, "offline evaluation passed");
        registry.setAlias(MODEL, "production", v1);
        registry.setAlias(MODEL, "production", v2, v1);

        List<AuditEvent> chain = store.auditEvents(0, 1000);
        assertThat(heard).extracting(ChangeFeedStore.Change::action)
                .containsExactlyElementsOf(chain.stream().map(AuditEvent::action).toList());
        assertThat(heard).extracting(ChangeFeedStore.Change::subject)
                .containsExactlyElementsOf(chain.stream().map(AuditEvent::subject).toList());
        assertThat(heard).extracting(ChangeFeedStore.Change::action).contains("run.create", "run.log_params",
                "run.finish", "model.create", "model_version.register", "model_version.ready", "model.set_governance",
                "model_alias.set", "model_alias.move");
        ChangeFeedStore.Change last = heard.get(heard.size() - 1);
        assertThat(last.action()).isEqualTo("model_alias.move");
        assertThat(last.subject()).isEqualTo("model:" + MODEL + "@production");
        assertThat(last.actor()).isEqualTo("alice");
        assertThat(last.time()).isEqualTo(chain.get(chain.size() - 1).time());
    }

    @Test
    @DisplayName("nothing is published for a failed change, an idempotent create that found the item, or a heartbeat")
    void onlyAcceptedChanges() throws Exception {
        ModelRegistry registry = mlops.registry();
        registry.createModel(MODEL, "", Map.of());
        String runId;
        try (ActiveRun run = mlops.tracking().start("train-churn")) {
            runId = run.id();
        }
        heard.clear();

        assertThat(registry.createModel(MODEL, "", Map.of()).created()).isFalse();
        store.heartbeat(runId, Instant.now());
        assertThatThrownBy(() -> registry.setAlias("no-such-model", "shadow", 1))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> store.logParams(runId, Map.of("x", "1"),
                new PendingAuditEvent(Instant.now(), "alice", "run.log_params", "run:" + runId, "{}")))
                .as("params of a finished run").isInstanceOf(ConflictException.class);

        assertThat(heard).isEmpty();
    }

    @Test
    @DisplayName("a change the registry policy refuses is not published as a change, only as its audited refusal")
    void refusalsArePublishedAsRefusals() throws Exception {
        ModelRegistry registry = mlops.registry();
        int version = registry.newVersion(MODEL).upload(modelFile("unapproved")).version();
        registry.setGovernance(MODEL, Governance.builder().businessOwner("retention").approverRole("approver").build());
        heard.clear();

        assertThatThrownBy(() -> registry.setAlias(MODEL, "production", version))
                .isInstanceOf(ConflictException.class).hasMessageContaining("APPROVED");

        assertThat(heard).extracting(ChangeFeedStore.Change::action).containsExactly("registry.refused");
        assertThat(registry.model(MODEL).aliases()).doesNotContainKey("production");
    }

    @Test
    @DisplayName("a listener that throws breaks neither the write nor the listeners after it, and is counted")
    void failingListener() throws Exception {
        List<ChangeFeedStore.Change> after = new CopyOnWriteArrayList<>();
        ChangeFeedStore.Listener broken = change -> {
            throw new IllegalStateException("webhook down");
        };
        store.addListener(broken).addListener(after::add);

        assertThat(mlops.registry().createModel(MODEL, "churn risk", Map.of()).created()).isTrue();

        assertThat(mlops.registry().model(MODEL).description()).isEqualTo("churn risk");
        assertThat(after).extracting(ChangeFeedStore.Change::action).containsExactly("model.create");
        assertThat(store.listenerFailures()).isEqualTo(1);

        assertThat(store.removeListener(broken)).isTrue();
        mlops.registry().setDescription(MODEL, "churn risk, 30 days");
        assertThat(store.listenerFailures()).isEqualTo(1);
        assertThat(after).hasSize(2);
    }

    @Test
    @DisplayName("across processes: a listener that invalidates another Mlops's resolver makes a move visible at once")
    void crossProcessInvalidation() throws Exception {
        ModelRegistry registry = mlops.registry();
        int v1 = registry.newVersion(MODEL).upload(modelFile("one")).version();
        int v2 = registry.newVersion(MODEL).upload(modelFile("two")).version();
        registry.setGovernance(MODEL, Governance.builder().businessOwner("retention").approverRole("approver").build());
        registry.approve(MODEL, v1, "ok");
        registry.approve(MODEL, v2, "ok");
        registry.setAlias(MODEL, "production", v1);

        // The "service": its own store on the same database file, as another process would have, and a resolver that
        // re-reads only once an hour on its own.
        try (JdbcStore serviceStore = JdbcStore.sqlite(dir.resolve("mlops.db"));
                Mlops service = Mlops.builder().store(serviceStore).artifactUri("file:" + dir.resolve("artifacts"))
                        .build()) {
            ModelResolver resolver = service.registry().resolver(Duration.ofHours(1), Duration.ofHours(1));
            assertThat(resolver.resolve(MODEL + "@production").version().version()).isEqualTo(v1);

            registry.setAlias(MODEL, "production", v2, v1);
            assertThat(resolver.resolve(MODEL + "@production").version().version())
                    .as("without the feed, another process's move is seen only after a refresh").isEqualTo(v1);

            // In production the listener would publish to a message bus that every service subscribes to.
            store.addListener(change -> {
                if (change.action().startsWith("model_alias.")) {
                    resolver.invalidateAll();
                }
            });
            registry.setAlias(MODEL, "production", v1, v2);
            assertThat(resolver.resolve(MODEL + "@production").version().version()).isEqualTo(v1);
            registry.setAlias(MODEL, "production", v2, v1);
            assertThat(resolver.resolve(MODEL + "@production").version().version()).isEqualTo(v2);
        }
    }

    private Path modelFile(String content) throws Exception {
        return Files.writeString(dir.resolve(content + ".bin"), "model " + content, StandardCharsets.UTF_8);
    }
}
