package dev.mlops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.ErrorCode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.PermissionDeniedException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.artifact.InMemoryArtifactStore;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeRef;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.security.Principal;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.testing.MutableClock;
import dev.mlops.tracking.ActiveRun;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The model registry API")
class ModelRegistryTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    final InMemoryStore store = new InMemoryStore();
    final InMemoryArtifactStore artifacts = new InMemoryArtifactStore();
    final List<Mlops> opened = new ArrayList<>();
    Mlops alice;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        alice = open(b -> b.actor("alice"));
    }

    @AfterEach
    void close() {
        opened.forEach(Mlops::close);
        store.close();
    }

    Mlops open(java.util.function.UnaryOperator<Mlops.Builder> settings) {
        Mlops m = settings.apply(Mlops.builder().store(store).artifactStore(artifacts).clock(clock)).build();
        opened.add(m);
        return m;
    }

    Path modelFile(String content) throws IOException {
        Path file = Files.createTempFile(dir, "model", ".bin");
        Files.writeString(file, content);
        return file;
    }

    static String sha256(String content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    List<AuditEvent> audit() {
        return alice.audit().events(0, PageRequest.first(10_000)).items();
    }

    ModelVersion register(Mlops m, String model, String content) throws IOException {
        return m.registry().newVersion(model).upload(modelFile(content));
    }

    void governed(String model) {
        alice.registry().setGovernance(model, Governance.builder().businessOwner("weather-team")
                .approverRole("model-approver").technicalOwner("ml-platform").build());
    }

    @Nested
    @DisplayName("registering versions")
    class Registering {
        @Test
        @DisplayName("a file becomes version 1, READY, with its SHA-256, its run in lineage and three audit events")
        void fromFile() throws Exception {
            String runId;
            try (ActiveRun run = alice.tracking().start("train")) {
                runId = run.id();
            }
            ModelVersion v = alice.registry().newVersion("rain").run(runId)
                    .signature(List.of(new Column("temp_max", ColumnType.NUMERIC)),
                            List.of(new Column("rain", ColumnType.CATEGORICAL)))
                    .metric("accuracy", 0.83).tag("framework", "plain-java").description("first")
                    .upload(modelFile("weights-1"));

            assertThat(v.version()).isEqualTo(1);
            assertThat(v.status()).isEqualTo(VersionStatus.READY);
            assertThat(v.digest()).isEqualTo(sha256("weights-1"));
            assertThat(v.artifact().digest()).isEqualTo(v.digest());
            assertThat(v.artifact().sizeBytes()).isEqualTo(9);
            assertThat(v.approval()).isEqualTo(Approval.PENDING);
            assertThat(v.createdBy()).isEqualTo("alice");
            assertThat(v.metrics()).containsEntry("accuracy", 0.83);
            assertThat(v.signature().inputs()).extracting(Column::name).containsExactly("temp_max");
            try (InputStream in = alice.artifacts().open(v.digest())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("weights-1");
            }
            assertThat(alice.registry().model("rain").latestVersion()).isEqualTo(1);
            LineageGraph up = alice.lineage().upstream(NodeRef.model("rain", 1), 5);
            assertThat(up.nodes()).contains(NodeRef.run(runId));
            assertThat(audit()).extracting(AuditEvent::action).containsSubsequence("model.create",
                    "model_version.register", "model_version.ready");
            assertThat(alice.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("versions are numbered 1..N without gap or duplicate under 8 concurrent writers")
        void concurrentNumbers() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        int last = 0;
                        for (int i = 0; i < 5; i++) {
                            byte[] bytes = ("m" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                            last = alice.registry().newVersion("busy").expectedDigest(sha256(new String(bytes,
                                    StandardCharsets.UTF_8))).upload(new ByteArrayInputStream(bytes)).version();
                        }
                        return last;
                    }));
                }
                for (Future<Integer> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<Integer> numbers = alice.registry().searchVersions(VersionQuery.of("busy"), PageRequest.first(100))
                    .items().stream().map(ModelVersion::version).toList();
            assertThat(numbers).containsExactlyElementsOf(IntStream.rangeClosed(1, 40).boxed().toList());
        }

        @Test
        @DisplayName("a file that does not match the expected digest is refused before anything is stored")
        void fileDigestMismatch() throws Exception {
            Path file = modelFile("weights");
            long before = audit().size();
            assertThatThrownBy(() -> alice.registry().newVersion("rain").expectedDigest(sha256("other"))
                    .upload(file)).isInstanceOf(IntegrityException.class).hasMessageContaining(sha256("weights"));
            assertThat(alice.registry().getModel("rain")).isEmpty();
            assertThat(audit()).hasSize((int) before);
        }

        @Test
        @DisplayName("a stream whose bytes differ from the declared digest leaves a FAILED version with a message")
        void streamDigestMismatch() throws Exception {
            String declared = sha256("declared");
            assertThatThrownBy(() -> alice.registry().newVersion("rain").expectedDigest(declared)
                    .upload(new ByteArrayInputStream("actual".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(IntegrityException.class).hasMessageContaining("FAILED");
            ModelVersion v = alice.registry().getVersion("rain", 1).orElseThrow();
            assertThat(v.status()).isEqualTo(VersionStatus.FAILED);
            assertThat(v.statusMessage()).contains("do not match");
            assertThat(v.artifact()).isNull();
            assertThat(alice.artifacts().stat(declared)).isEmpty();
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "shadow", 1))
                    .isInstanceOf(ConflictException.class);
            assertThat(alice.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("a stream that breaks while uploading leaves a FAILED version and the error reaches the caller")
        void brokenStream() throws Exception {
            InputStream broken = new InputStream() {
                int n;

                @Override
                public int read() throws IOException {
                    if (n++ > 10) {
                        throw new IOException("disk went away");
                    }
                    return 'x';
                }
            };
            assertThatThrownBy(() -> alice.registry().newVersion("rain").expectedDigest(sha256("x")).upload(broken))
                    .isInstanceOf(MlopsException.class);
            assertThat(alice.registry().getVersion("rain", 1).orElseThrow().status())
                    .isEqualTo(VersionStatus.FAILED);
        }

        @Test
        @DisplayName("a stream needs a declared digest, a missing file is named, a registration is used once")
        void badInput() throws Exception {
            assertThatThrownBy(() -> alice.registry().newVersion("rain")
                    .upload(new ByteArrayInputStream(new byte[1])))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("expectedDigest");
            assertThatThrownBy(() -> alice.registry().newVersion("rain").upload(dir.resolve("missing.bin")))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("missing.bin");
            assertThatThrownBy(() -> alice.registry().newVersion("rain").expectedDigest("md5:abc"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("expectedDigest");
            assertThatThrownBy(() -> alice.registry().newVersion("rain").metric("loss", Double.NaN))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("loss");
            assertThatThrownBy(() -> alice.registry().newVersion("a/b"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'/'");
            VersionRegistration once = alice.registry().newVersion("rain");
            once.upload(modelFile("w"));
            assertThatThrownBy(() -> once.upload(modelFile("w2"))).isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("an idempotency key makes a repeated registration return the version it registered")
        void idempotent() throws Exception {
            Path file = modelFile("weights");
            ModelVersion first = alice.registry().newVersion("rain").idempotencyKey("job-42").upload(file);
            ModelVersion again = alice.registry().newVersion("rain").idempotencyKey("job-42").upload(file);
            assertThat(again.version()).isEqualTo(first.version());
            assertThat(alice.registry().model("rain").latestVersion()).isEqualTo(1);
        }

        @Test
        @DisplayName("a model name differing only in case from an existing one is refused")
        void caseInsensitiveNames() throws Exception {
            register(alice, "rain", "w");
            assertThatThrownBy(() -> alice.registry().createModel("Rain", "", Map.of()))
                    .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("rain");
            assertThatThrownBy(() -> register(alice, "RAIN", "w"))
                    .isInstanceOf(AlreadyExistsException.class);
            assertThat(alice.registry().createModel("rain", "", Map.of()).created()).isFalse();
        }
    }

    @Nested
    @DisplayName("approvals")
    class Approvals {
        @Test
        @DisplayName("approve records who, when and why; a second decision is a conflict")
        void approveOnce() throws Exception {
            register(alice, "rain", "w");
            clock.advance(java.time.Duration.ofMinutes(5));
            ModelVersion v = alice.registry().approve("rain", 1, "accuracy 0.83 on 2013 holdout");
            assertThat(v.approval().status()).isEqualTo(ApprovalStatus.APPROVED);
            assertThat(v.approval().actor()).isEqualTo("alice");
            assertThat(v.approval().time()).isEqualTo(clock.instant());
            assertThat(v.approval().reason()).isEqualTo("accuracy 0.83 on 2013 holdout");
            assertThatThrownBy(() -> alice.registry().approve("rain", 1, "again"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("already approved");
            assertThatThrownBy(() -> alice.registry().reject("rain", 1, "changed my mind"))
                    .isInstanceOf(ConflictException.class);
            assertThat(alice.registry().getVersion("rain", 1).orElseThrow().approval().status())
                    .isEqualTo(ApprovalStatus.APPROVED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   "})
        @DisplayName("a decision needs a reason")
        void reasonRequired(String reason) throws Exception {
            register(alice, "rain", "w");
            assertThatThrownBy(() -> alice.registry().approve("rain", 1, reason))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("reason");
        }

        @Test
        @DisplayName("unknown model or version is NOT_FOUND")
        void unknown() throws Exception {
            assertThatThrownBy(() -> alice.registry().approve("nope", 1, "ok"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("nope");
            register(alice, "rain", "w");
            assertThatThrownBy(() -> alice.registry().approve("rain", 7, "ok"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("7");
        }

        @Test
        @DisplayName("under four eyes the registrant cannot approve (denied and audited), someone else can")
        void fourEyes() throws Exception {
            RegistryPolicy policy = RegistryPolicy.builder().fourEyes(true).build();
            Mlops carol = open(b -> b.actor("carol").registryPolicy(policy));
            Mlops bob = open(b -> b.actor("bob").registryPolicy(policy));
            register(carol, "rain", "w");
            assertThatThrownBy(() -> carol.registry().approve("rain", 1, "looks good to me"))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("four-eyes");
            AuditEvent denied = audit().get(audit().size() - 1);
            assertThat(denied.action()).isEqualTo("access.denied");
            assertThat(denied.actor()).isEqualTo("carol");
            assertThat(carol.registry().getVersion("rain", 1).orElseThrow().approval().status())
                    .isEqualTo(ApprovalStatus.PENDING);
            assertThat(bob.registry().approve("rain", 1, "reviewed").approval().actor()).isEqualTo("bob");
        }
    }

    @Nested
    @DisplayName("aliases")
    class Aliases {
        @Test
        @DisplayName("an unguarded alias points at any READY version and moves atomically, audited with from and to")
        void moves() throws Exception {
            register(alice, "rain", "w1");
            register(alice, "rain", "w2");
            AliasChange set = alice.registry().setAlias("rain", "shadow", 1);
            assertThat(set).isEqualTo(new AliasChange("rain", "shadow", null, 1));
            AliasChange moved = alice.registry().setAlias("rain", "shadow", 2);
            assertThat(moved).isEqualTo(new AliasChange("rain", "shadow", 1, 2));
            assertThat(alice.registry().model("rain").aliases()).containsExactly(Map.entry("shadow", 2));
            assertThat(alice.registry().resolve("rain@shadow").version()).isEqualTo(2);
            assertThat(alice.registry().resolve("model:rain@shadow").version()).isEqualTo(2);
            assertThat(alice.registry().getVersion("rain", 1).orElseThrow().aliases()).isEmpty();
            AuditEvent last = audit().get(audit().size() - 1);
            assertThat(last.action()).isEqualTo("model_alias.move");
            assertThat(last.subject()).isEqualTo("model:rain@shadow");
            assertThat(last.data()).contains("\"from\":1").contains("\"to\":2");
        }

        @Test
        @DisplayName("a move based on a stale view fails with a conflict naming the actual target")
        void optimistic() throws Exception {
            register(alice, "rain", "w1");
            register(alice, "rain", "w2");
            register(alice, "rain", "w3");
            alice.registry().setAlias("rain", "shadow", 2, 0);
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "shadow", 3, 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("version 2");
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "shadow", 3, 0))
                    .isInstanceOf(ConflictException.class);
            assertThat(alice.registry().setAlias("rain", "shadow", 3, 2).current()).isEqualTo(3);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "123", "1", "bad alias", "-x", "x/y", "x@y",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
        @DisplayName("an alias name that is not allowed is refused naming the alias")
        void badNames(String alias) throws Exception {
            register(alice, "rain", "w");
            assertThatThrownBy(() -> alice.registry().setAlias("rain", alias, 1))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((MlopsException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("alias");
            assertThat(alice.registry().model("rain").aliases()).isEmpty();
        }

        @Test
        @DisplayName("production needs an APPROVED version and a governance record; refusals are audited")
        void guarded() throws Exception {
            register(alice, "rain", "w1");
            long before = audit().size();
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "production", 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("APPROVED");
            assertThat(audit()).hasSize((int) before + 1);
            assertThat(audit().get(audit().size() - 1).action()).isEqualTo("registry.refused");
            alice.registry().approve("rain", 1, "ok");
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "production", 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("business owner");
            governed("rain");
            assertThat(alice.registry().setAlias("rain", "production", 1).current()).isEqualTo(1);
            assertThat(alice.registry().resolve("rain@production").version()).isEqualTo(1);
        }

        @Test
        @DisplayName("a rejected version can never get a guarded alias")
        void rejected() throws Exception {
            governed(alice.registry().createModel("rain", "", Map.of()).value().name());
            register(alice, "rain", "w1");
            alice.registry().reject("rain", 1, "fails on winter data");
            assertThatThrownBy(() -> alice.registry().setAlias("rain", "champion", 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("REJECTED");
            assertThat(alice.registry().model("rain").aliases()).isEmpty();
        }

        @Test
        @DisplayName("a version under an alias cannot be deleted; deleting needs ADMIN and never reuses a number")
        void deleteRules() throws Exception {
            register(alice, "rain", "w1");
            register(alice, "rain", "w2");
            alice.registry().setAlias("rain", "shadow", 2);
            assertThatThrownBy(() -> alice.registry().deleteVersion("rain", 2))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("shadow");
            alice.registry().deleteAlias("rain", "shadow");
            alice.registry().deleteVersion("rain", 2);
            assertThat(alice.registry().getVersion("rain", 2)).isEmpty();
            assertThat(register(alice, "rain", "w3").version()).isEqualTo(3);
            assertThatThrownBy(() -> alice.registry().deleteAlias("rain", "shadow"))
                    .isInstanceOf(NotFoundException.class);
        }

        @Test
        @DisplayName("model:NAME@ALIAS resolves in lineage and its upstream reaches the training dataset")
        void lineage() throws Exception {
            Path data = dir.resolve("train.csv");
            Files.writeString(data, "x,y\n1,2\n");
            DatasetVersion ds = alice.datasets().register("train", data).value();
            String runId;
            try (ActiveRun run = alice.tracking().start("train")) {
                run.logInput(ds);
                runId = run.id();
            }
            alice.registry().newVersion("rain").run(runId).upload(modelFile("w"));
            alice.registry().setAlias("rain", "shadow", 1);
            NodeRef node = alice.lineage().node("model:rain@shadow");
            assertThat(node).isEqualTo(NodeRef.model("rain", 1));
            assertThat(alice.lineage().upstream(node, 5).nodes()).contains(ds.node(), NodeRef.run(runId));
            assertThatThrownBy(() -> alice.lineage().node("model:rain@nope")).isInstanceOf(NotFoundException.class);
        }
    }

    @Nested
    @DisplayName("access control")
    class AccessControl {
        final AccessPolicy policy = AccessPolicy.builder()
                .grant("viewer", Permission.READ)
                .grant("data-scientist", Permission.READ, Permission.WRITE)
                .grant("model-approver", Permission.READ, Permission.APPROVE)
                .grantOnModel("release-manager", "rain", Permission.READ, Permission.MOVE_ALIAS)
                .grant("admin", Permission.ADMIN)
                .build();

        Mlops as(String name, String... roles) {
            return open(b -> b.principal(Principal.of(name, roles)).accessPolicy(policy)
                    .registryPolicy(RegistryPolicy.builder().fourEyes(true)
                            .guardAlias("production", AliasGuard.approvedOnly().withRoles("release-manager"))
                            .build()));
        }

        @Test
        @DisplayName("with no policy the local user may do everything")
        void noPolicy() throws Exception {
            register(alice, "rain", "w");
            alice.registry().approve("rain", 1, "ok");
            alice.registry().deleteVersion("rain", 1);
        }

        @Test
        @DisplayName("a denied action fails with PERMISSION_DENIED, changes nothing and is audited with the actor")
        void denied() throws Exception {
            Mlops viewer = as("vera", "viewer");
            long before = audit().size();
            assertThatThrownBy(() -> register(viewer, "rain", "w"))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("vera").hasMessageContaining("WRITE").hasMessageContaining("rain");
            assertThat(alice.registry().getModel("rain")).isEmpty();
            List<AuditEvent> events = audit();
            assertThat(events).hasSize((int) before + 1);
            AuditEvent e = events.get(events.size() - 1);
            assertThat(e.action()).isEqualTo("access.denied");
            assertThat(e.actor()).isEqualTo("vera");
            assertThat(e.subject()).isEqualTo("model:rain");
            assertThat(e.data()).contains("WRITE");
            assertThat(alice.audit().verify().ok()).isTrue();
        }

        @Test
        @DisplayName("the governed path: a scientist registers, an approver approves, a release manager promotes")
        void governedPath() throws Exception {
            Mlops scientist = as("sam", "data-scientist");
            Mlops approver = as("ann", "model-approver");
            Mlops release = as("rob", "release-manager");
            Mlops admin = as("ada", "admin");
            scientist.registry().createModel("rain", "rain tomorrow?", Map.of());
            Governance governance = Governance.builder().businessOwner("weather-team")
                    .approverRole("model-approver").build();
            assertThatThrownBy(() -> scientist.registry().setGovernance("rain", governance))
                    .as("a registrant may not choose who approves").isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("ADMIN");
            admin.registry().setGovernance("rain", governance);
            scientist.registry().setGovernance("rain", governance.toBuilder().intendedUse("rain forecast").build());
            register(scientist, "rain", "w");
            assertThatThrownBy(() -> scientist.registry().approve("rain", 1, "mine is good"))
                    .isInstanceOf(PermissionDeniedException.class);
            assertThatThrownBy(() -> release.registry().setAlias("rain", "production", 1))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("APPROVED");
            approver.registry().approve("rain", 1, "holdout accuracy 0.83");
            assertThatThrownBy(() -> approver.registry().setAlias("rain", "production", 1))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("MOVE_ALIAS");
            assertThat(release.registry().setAlias("rain", "production", 1).current()).isEqualTo(1);
            assertThatThrownBy(() -> release.registry().deleteVersion("rain", 1))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("ADMIN");
            assertThat(audit()).filteredOn(e -> e.action().equals("access.denied")).hasSize(4);
        }

        @Test
        @DisplayName("an approver without the model's approver role may not decide")
        void approverRole() throws Exception {
            Mlops scientist = as("sam", "data-scientist");
            Mlops otherApprover = as("oli", "admin");
            scientist.registry().createModel("rain", "", Map.of());
            otherApprover.registry().setGovernance("rain", Governance.builder().businessOwner("weather-team")
                    .approverRole("model-approver").build());
            register(scientist, "rain", "w");
            assertThatThrownBy(() -> otherApprover.registry().approve("rain", 1, "ok"))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("model-approver");
        }

        @Test
        @DisplayName("a guarded alias needs the guard's role even with MOVE_ALIAS; grants per model stay per model")
        void guardRolesAndScopes() throws Exception {
            Mlops admin = as("ada", "admin");
            register(admin, "rain", "w");
            register(admin, "snow", "w");
            Mlops release = as("rob", "release-manager");
            assertThatThrownBy(() -> release.registry().setAlias("snow", "shadow", 1))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("snow");
            assertThat(release.registry().setAlias("rain", "shadow", 1).current()).isEqualTo(1);
            assertThatThrownBy(() -> admin.registry().setAlias("rain", "production", 1))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("release-manager");
            assertThat(release.registry().searchModels(ModelQuery.all(), PageRequest.first()).items())
                    .extracting(RegisteredModel::name).containsExactly("rain");
        }
    }

    @Test
    @DisplayName("a resolver answers from its cache, sees a move through the same instance at once, and not a move"
            + " made elsewhere until its refresh")
    void resolver() throws Exception {
        register(alice, "rain", "w1");
        register(alice, "rain", "w2");
        alice.registry().setAlias("rain", "shadow", 1);
        ModelResolver resolver = alice.registry().resolver(java.time.Duration.ofHours(1), java.time.Duration.ofHours(1));
        ResolvedModel first = resolver.resolve("rain@shadow");
        assertThat(first.version().version()).isEqualTo(1);
        assertThat(first.artifact().digest()).isEqualTo(sha256("w1"));
        alice.registry().setAlias("rain", "shadow", 2);
        assertThat(resolver.resolve("rain@shadow").version().version()).isEqualTo(2);

        Mlops elsewhere = open(b -> b.actor("bob"));
        elsewhere.registry().setAlias("rain", "shadow", 1);
        assertThat(resolver.resolve("rain@shadow").version().version()).as("cached until refresh").isEqualTo(2);
        resolver.invalidateAll();
        assertThat(resolver.resolve("rain@shadow").version().version()).isEqualTo(1);
        assertThatThrownBy(() -> resolver.resolve("rain@nope")).isInstanceOf(NotFoundException.class);
    }

    @Nested
    @DisplayName("review findings")
    class Findings {
        @Test
        @DisplayName("repeating an idempotency key with other bytes, another run or after a FAILED upload is a conflict,"
                + " and nothing is uploaded")
        void idempotencyRepeatsMustMatch() throws Exception {
            alice.registry().newVersion("rain").idempotencyKey("k1").upload(modelFile("one"));
            assertThatThrownBy(() -> alice.registry().newVersion("rain").idempotencyKey("k1")
                    .upload(modelFile("two"))).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(sha256("one")).hasMessageContaining(sha256("two"));
            assertThat(alice.artifacts().stat(sha256("two"))).isEmpty();

            String declared = sha256("declared");
            assertThatThrownBy(() -> alice.registry().newVersion("rain").idempotencyKey("k2").expectedDigest(declared)
                    .upload(new ByteArrayInputStream("other".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(IntegrityException.class);
            assertThatThrownBy(() -> alice.registry().newVersion("rain").idempotencyKey("k2").expectedDigest(declared)
                    .upload(new ByteArrayInputStream("declared".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("FAILED");
            assertThat(alice.registry().model("rain").latestVersion()).isEqualTo(2);
        }

        @Test
        @DisplayName("an unknown run is NOT_FOUND and leaves no model behind")
        void unknownRun() throws Exception {
            long before = audit().size();
            assertThatThrownBy(() -> alice.registry().newVersion("fresh").run("no-such-run").upload(modelFile("w")))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
            assertThat(alice.registry().getModel("fresh")).isEmpty();
            assertThat(audit()).hasSize((int) before);
        }

        @Test
        @DisplayName("only a READY version can be approved; a decided version stays a conflict even for its registrant")
        void approvalNeedsReady() throws Exception {
            assertThatThrownBy(() -> alice.registry().newVersion("rain").expectedDigest(sha256("x"))
                    .upload(new ByteArrayInputStream(new byte[] {1}))).isInstanceOf(IntegrityException.class);
            assertThatThrownBy(() -> alice.registry().approve("rain", 1, "ok"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("FAILED");
            assertThat(alice.registry().reject("rain", 1, "broken upload").approval().status())
                    .isEqualTo(ApprovalStatus.REJECTED);

            RegistryPolicy policy = RegistryPolicy.builder().fourEyes(true).build();
            Mlops carol = open(b -> b.actor("carol").registryPolicy(policy));
            register(carol, "snow", "w");
            open(b -> b.actor("bob").registryPolicy(policy)).registry().approve("snow", 1, "ok");
            assertThatThrownBy(() -> carol.registry().approve("snow", 1, "me too"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("already approved");
        }

        @Test
        @DisplayName("approving through the same instance refreshes what a resolver answers at once")
        void approvalInvalidatesResolvers() throws Exception {
            register(alice, "rain", "w");
            ModelResolver resolver = alice.registry().resolver(java.time.Duration.ofHours(1),
                    java.time.Duration.ofHours(1));
            assertThat(resolver.resolve("rain/1").version().approval().status()).isEqualTo(ApprovalStatus.PENDING);
            alice.registry().approve("rain", 1, "ok");
            assertThat(resolver.resolve("rain/1").version().approval().status()).isEqualTo(ApprovalStatus.APPROVED);
        }

        @Test
        @DisplayName("only ADMIN may erase audit data or sign checkpoints once a policy is configured; denials are"
                + " audited")
        void auditAdministration() throws Exception {
            register(alice, "rain", "w");
            AccessPolicy policy = AccessPolicy.builder().grant("viewer", Permission.READ)
                    .grant("admin", Permission.ADMIN).build();
            Mlops eve = open(b -> b.principal(Principal.of("eve", "viewer")).accessPolicy(policy));
            long seq = audit().get(1).seq();
            assertThatThrownBy(() -> eve.audit().erase(seq, "because")).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("ADMIN");
            assertThat(audit().get(1).data()).isNotNull();
            assertThat(audit().get(audit().size() - 1).action()).isEqualTo("access.denied");
            java.security.KeyPair keys = dev.mlops.audit.AuditKeys.generate();
            assertThatThrownBy(() -> eve.audit().checkpoint(keys.getPrivate()))
                    .isInstanceOf(PermissionDeniedException.class);
            Mlops ada = open(b -> b.principal(Principal.of("ada", "admin")).accessPolicy(policy));
            assertThat(ada.audit().erase(seq, "personal data").data()).isNull();
            assertThat(audit().get(audit().size() - 1).action()).isEqualTo("audit.erase");
        }

        @Test
        @DisplayName("resolving an alias in lineage needs READ on the model; a version without a run is a node")
        void lineageAliases() throws Exception {
            register(alice, "secret", "w");
            alice.registry().setAlias("secret", "shadow", 1);
            assertThat(alice.lineage().upstream(NodeRef.model("secret", 1), 3).nodes())
                    .containsExactly(NodeRef.model("secret", 1));
            Mlops eve = open(b -> b.principal(Principal.of("eve")).accessPolicy(AccessPolicy.builder().build()));
            assertThatThrownBy(() -> eve.lineage().node("model:secret@shadow"))
                    .isInstanceOf(PermissionDeniedException.class);
        }

        @Test
        @DisplayName("references and policies refuse values that could never work")
        void badValues() {
            assertThatThrownBy(() -> ModelRef.of("m", 0)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("version");
            assertThatThrownBy(() -> ModelRef.of("m", -1)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> RegistryPolicy.builder().guardAlias("123", AliasGuard.approvedOnly()))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> RegistryPolicy.builder().guardAlias("production ", AliasGuard.approvedOnly()))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThat(Principal.of("p", "a", "a").roles()).containsExactly("a");
            assertThatThrownBy(() -> Mlops.builder().principal(Principal.of("a")).principal(Principal.of("b")))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("principal(a)");
        }
    }

    @Test
    @DisplayName("governance changes are stored, shown and audited with before and after")
    void governance() {
        alice.registry().createModel("rain", "", Map.of());
        Governance g = Governance.builder().businessOwner("weather-team").technicalOwner("ml-platform")
                .intendedUse("daily rain forecast for city operations").serviceLevel("daily batch by 06:00")
                .retrainingPolicy("policy:rain-monthly").approverRole("model-approver")
                .confidentiality(Confidentiality.INTERNAL).codeShareable(true).build();
        assertThat(alice.registry().setGovernance("rain", g).governance()).isEqualTo(g);
        assertThat(alice.registry().model("rain").governance()).isEqualTo(g);
        AuditEvent e = audit().get(audit().size() - 1);
        assertThat(e.action()).isEqualTo("model.set_governance");
        assertThat(e.data()).contains("\"business_owner\":\"weather-team\"").contains("\"governance\"");
        assertThatThrownBy(() -> alice.registry().setGovernance("nope", g)).isInstanceOf(NotFoundException.class);
        assertThat(Set.copyOf(audit().stream().map(AuditEvent::actor).toList())).containsOnly("alice");
    }
}
