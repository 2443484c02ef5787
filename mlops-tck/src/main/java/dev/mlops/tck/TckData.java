package dev.mlops.tck;

import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Valid values for the compatibility kit: runs, dataset versions, metric points, audit events and checkpoints,
 * registered models, model versions, artifacts, updates and approval decisions, all with millisecond instants and
 * ASCII ids, so that every store can keep them exactly. Thread-safe.
 */
public final class TckData {
    /** The instant every generated time is relative to. */
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** The actor of generated audit events. */
    public static final String ACTOR = "tck";

    private static final AtomicLong AUDIT_COUNTER = new AtomicLong();
    private static final KeyPair KEYS = ed25519();

    private TckData() {
    }

    /** {@link #T0} plus {@code seconds}. */
    public static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /** A time-ordered-looking UUID that is unique for {@code n}; ids sort as their numbers do. */
    public static String runId(long n) {
        return String.format("01900000-0000-7000-8000-%012d", n);
    }

    /** A builder of run {@code n}: id {@link #runId(long)}, job {@code train}, started at {@code at(n)}. */
    public static RunBuilder run(long n) {
        return new RunBuilder(runId(n), at(n));
    }

    /** Run {@code n} as {@link #run(long)} builds it. */
    public static NewRun newRun(long n) {
        return run(n).build();
    }

    /** A pending audit event with distinct data, for a change of {@code subject}. */
    public static PendingAuditEvent audit(String action, String subject) {
        long n = AUDIT_COUNTER.incrementAndGet();
        return new PendingAuditEvent(T0.plusMillis(n), ACTOR, action, subject,
                "{\"tck\":true,\"n\":" + n + ",\"note\":\"caf\\u00e9\"}");
    }

    /** A pending audit event with the given JSON {@code data}. */
    public static PendingAuditEvent audit(String action, String subject, String data) {
        return new PendingAuditEvent(T0.plusMillis(AUDIT_COUNTER.incrementAndGet()), ACTOR, action, subject, data);
    }

    /** {@code sha256:} and the hex SHA-256 of {@code content}. */
    public static String digest(String content) {
        return "sha256:" + AuditChain.sha256Hex(content);
    }

    /** A CSV dataset version of {@code name} whose content is {@code content}, with a schema and a row count. */
    public static DatasetVersion dataset(String name, String content) {
        return new DatasetVersion(name, digest(content), "file:/data/" + name + ".csv", "csv",
                content.length(), new DatasetSchema(List.of(new Column("id", ColumnType.IDENTIFIER),
                new Column("x", ColumnType.NUMERIC), new Column("when", ColumnType.DATETIME),
                new Column("label", ColumnType.CATEGORICAL))), 10L, Map.of("source", "tck"), at(100), "alice");
    }

    /** A binary dataset version: no schema, no row count, no tags. */
    public static DatasetVersion binaryDataset(String name, String content) {
        return new DatasetVersion(name, digest(content), "s3://bucket/" + name, "binary", content.length(), null,
                null, Map.of(), at(200), "bob");
    }

    /** The lineage node of dataset {@code name} with content {@code content}. */
    public static NodeRef datasetNode(String name, String content) {
        return NodeRef.dataset(name, digest(content));
    }

    /** A metric point timestamped {@code at(seconds)}. */
    public static MetricPoint point(String key, double value, long step, long seconds) {
        return new MetricPoint(key, value, step, at(seconds));
    }

    /** A checkpoint of {@code head}, really signed with a key of this class. */
    public static AuditCheckpoint checkpoint(AuditEvent head, Instant time) {
        AuditCheckpoint unsigned = new AuditCheckpoint(head.seq(), head.hash(), time, keyId(), "-");
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(KEYS.getPrivate());
            signer.update(unsigned.signedMessage().getBytes(StandardCharsets.UTF_8));
            String signature = Base64.getEncoder().encodeToString(signer.sign());
            return new AuditCheckpoint(head.seq(), head.hash(), time, keyId(), signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code checkpoint}'s signature is valid for the key of this class. */
    public static boolean signatureValid(AuditCheckpoint checkpoint) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(KEYS.getPublic());
            verifier.update(checkpoint.signedMessage().getBytes(StandardCharsets.UTF_8));
            return verifier.verify(Base64.getDecoder().decode(checkpoint.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String keyId() {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(KEYS.getPublic().getEncoded());
            return HexFormat.of().formatHex(sha).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available in this JVM", e);
        }
    }

    // ---- model registry ---------------------------------------------------------------------------------------

    /** The signature of generated model versions: two typed inputs, one output. */
    public static final ModelSignature SIGNATURE = new ModelSignature(
            List.of(new Column("x", ColumnType.NUMERIC), new Column("when", ColumnType.DATETIME)),
            List.of(new Column("label", ColumnType.CATEGORICAL)));

    /**
     * A builder of model {@code name}: a description, tag {@code team=tck}, no governance, created at(1000) by
     * alice.
     */
    public static ModelBuilder model(String name) {
        return new ModelBuilder(name);
    }

    /** Model {@code name} as {@link #model(String)} builds it. */
    public static NewModel newModel(String name) {
        return model(name).build();
    }

    /**
     * A builder of version {@code number} of model {@code model}: digest {@link #modelDigest(String, int)}, no run,
     * {@link #SIGNATURE}, metric {@code auc}, tag {@code stage=candidate}, no idempotency key, created
     * at(2000 + number) by alice.
     */
    public static VersionBuilder version(String model, int number) {
        return new VersionBuilder(model, number);
    }

    /** Version {@code number} of {@code model} as {@link #version(String, int)} builds it. */
    public static NewModelVersion newVersion(String model, int number) {
        return version(model, number).build();
    }

    /** The declared digest of generated version {@code number} of {@code model}. */
    public static String modelDigest(String model, int number) {
        return digest("model bytes of " + model + "/" + number);
    }

    /** A stored artifact with {@code digest}, as an artifact store would describe it. */
    public static ArtifactRef artifact(String digest) {
        return new ArtifactRef(digest, 4096, "file:/artifacts/sha256/" + digest.substring("sha256:".length()));
    }

    /** A governance record with every component set, owned by {@code businessOwner}. */
    public static Governance governance(String businessOwner) {
        return Governance.builder().businessOwner(businessOwner).technicalOwner("ml-platform")
                .intendedUse("ranking support tickets; not for decisions about people").serviceLevel("p99 < 50 ms")
                .retrainingPolicy("policy:weekly-drift").approverRole("model-approver")
                .confidentiality(Confidentiality.INTERNAL).codeShareable(Boolean.TRUE).build();
    }

    /** An approval decision by {@code actor} at {@code at(seconds)}. */
    public static Approval decision(ApprovalStatus status, String actor, long seconds) {
        return Approval.decided(status, actor, at(seconds), status == ApprovalStatus.APPROVED
                ? "offline metrics reviewed" : "fails the fairness check");
    }

    /** A builder of a {@link ModelUpdate} made at {@code at(seconds)} that changes nothing yet. */
    public static UpdateBuilder update(long seconds) {
        return new UpdateBuilder(at(seconds));
    }

    /** Builds a {@link NewModel}; not thread-safe. */
    public static final class ModelBuilder {
        private final String name;
        private String description = "predicts which tickets escalate";
        private final Map<String, String> tags = new LinkedHashMap<>(Map.of("team", "tck"));
        private Governance governance = Governance.EMPTY;
        private Instant createdTime = at(1000);
        private String createdBy = "alice";

        private ModelBuilder(String name) {
            this.name = name;
        }

        public ModelBuilder description(String description) {
            this.description = description;
            return this;
        }

        public ModelBuilder tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        public ModelBuilder governance(Governance governance) {
            this.governance = governance;
            return this;
        }

        public ModelBuilder created(Instant createdTime) {
            this.createdTime = createdTime;
            return this;
        }

        public ModelBuilder createdBy(String createdBy) {
            this.createdBy = createdBy;
            return this;
        }

        public NewModel build() {
            return new NewModel(name, description, tags, governance, createdTime, createdBy);
        }
    }

    /** Builds a {@link NewModelVersion}; not thread-safe. */
    public static final class VersionBuilder {
        private final String model;
        private final int number;
        private String digest;
        private String runId;
        private ModelSignature signature = SIGNATURE;
        private final Map<String, Double> metrics = new LinkedHashMap<>(Map.of("auc", 0.875));
        private final Map<String, String> tags = new LinkedHashMap<>(Map.of("stage", "candidate"));
        private String description = "";
        private String idempotencyKey;
        private Instant createdTime;
        private String createdBy = "alice";

        private VersionBuilder(String model, int number) {
            this.model = model;
            this.number = number;
            this.digest = modelDigest(model, number);
            this.createdTime = at(2000 + number);
        }

        public VersionBuilder digest(String digest) {
            this.digest = digest;
            return this;
        }

        public VersionBuilder run(String runId) {
            this.runId = runId;
            return this;
        }

        public VersionBuilder signature(ModelSignature signature) {
            this.signature = signature;
            return this;
        }

        public VersionBuilder metric(String key, double value) {
            metrics.put(key, value);
            return this;
        }

        public VersionBuilder tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        public VersionBuilder description(String description) {
            this.description = description;
            return this;
        }

        public VersionBuilder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public VersionBuilder created(Instant createdTime) {
            this.createdTime = createdTime;
            return this;
        }

        public VersionBuilder createdBy(String createdBy) {
            this.createdBy = createdBy;
            return this;
        }

        public NewModelVersion build() {
            return new NewModelVersion(model, number, digest, runId, signature, metrics, tags, description,
                    idempotencyKey, createdTime, createdBy);
        }
    }

    /** Builds a {@link ModelUpdate}; not thread-safe. */
    public static final class UpdateBuilder {
        private final Instant time;
        private String description;
        private final Map<String, String> setTags = new LinkedHashMap<>();
        private final Set<String> removeTags = new TreeSet<>();
        private Governance governance;

        private UpdateBuilder(Instant time) {
            this.time = time;
        }

        public UpdateBuilder description(String description) {
            this.description = description;
            return this;
        }

        public UpdateBuilder setTag(String key, String value) {
            setTags.put(key, value);
            return this;
        }

        public UpdateBuilder removeTag(String key) {
            removeTags.add(key);
            return this;
        }

        public UpdateBuilder governance(Governance governance) {
            this.governance = governance;
            return this;
        }

        public ModelUpdate build() {
            return new ModelUpdate(description, setTags, removeTags, governance, time);
        }
    }

    /** Builds a {@link NewRun}; not thread-safe. */
    public static final class RunBuilder {
        private String id;
        private String jobName = "train";
        private String parentRunId;
        private Instant startTime;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private CodeVersion codeVersion = new CodeVersion("0123456789abcdef0123456789abcdef01234567", "main", false,
                "https://example.org/repo.git");
        private final Map<String, String> environment = new LinkedHashMap<>(Map.of("java.version", "17.0.9",
                "os.name", "Linux", "host", "tck-host"));

        private RunBuilder(String id, Instant startTime) {
            this.id = id;
            this.startTime = startTime;
        }

        public RunBuilder id(String id) {
            this.id = id;
            return this;
        }

        public RunBuilder job(String jobName) {
            this.jobName = jobName;
            return this;
        }

        public RunBuilder parent(String parentRunId) {
            this.parentRunId = parentRunId;
            return this;
        }

        public RunBuilder start(Instant startTime) {
            this.startTime = startTime;
            return this;
        }

        public RunBuilder tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        public RunBuilder codeVersion(CodeVersion codeVersion) {
            this.codeVersion = codeVersion;
            return this;
        }

        public RunBuilder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public NewRun build() {
            return new NewRun(id, jobName, parentRunId, startTime, tags, codeVersion, environment);
        }
    }
}
