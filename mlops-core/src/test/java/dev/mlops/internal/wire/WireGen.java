package dev.mlops.internal.wire;

import dev.mlops.ErrorCode;
import dev.mlops.MlopsException;
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
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeKind;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Seeded random instances of the domain types the wire codecs cover: unicode strings (supplementary characters,
 * controls, quotes), empty and non-empty maps, instants from {@link Instant#MIN} to {@link Instant#MAX} with any
 * nanoseconds, doubles from every corner (subnormals, -0.0, the extremes, non-finite where allowed), absent optionals.
 */
final class WireGen {
    private static final int[] ALPHABET_POINTS = {'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', 0x01, 0x1f, 0x7f,
        'é', 'ß', 'Ω', 'ж', '中', '文', 0x2028, 0xfeff, 0x1F600, 0x1F9EC, 0x10FFFF, 0xE000, '.', '[', ']', '@', ':'};

    final SplittableRandom random;

    WireGen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    <T> T orNull(Supplier<T> value) {
        return chance(30) ? null : value.get();
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    String string() {
        int length = chance(10) ? 0 : random.nextInt(1, 12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (chance(50)) {
                s.append((char) random.nextInt('a', 'z' + 1));
            } else {
                s.appendCodePoint(ALPHABET_POINTS[random.nextInt(ALPHABET_POINTS.length)]);
            }
        }
        return s.toString();
    }

    /**
     * An audit event's action or subject as the wire accepts them: 1 to 40 characters, letters (also non-ASCII),
     * digits and punctuation, no control characters, line breaks or tabs.
     */
    String label() {
        String punctuation = ".:/_-@ ";
        int length = random.nextInt(1, 41);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(4)) {
                case 0 -> s.append((char) random.nextInt('a', 'z' + 1));
                case 1 -> s.append((char) random.nextInt('0', '9' + 1));
                case 2 -> s.append(punctuation.charAt(random.nextInt(punctuation.length())));
                default -> s.append(i % 2 == 0 ? "é" : "中");
            }
        }
        return s.toString();
    }

    /** A non-empty string without surprises, for names that the domain parses (node ids). */
    String name() {
        return "n" + random.nextInt(1_000_000) + (chance(30) ? "-é中" : "");
    }

    String digest() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "sha256:" + HexFormat.of().formatHex(bytes);
    }

    String hex64() {
        return digest().substring(7);
    }

    Instant instant() {
        return switch (random.nextInt(8)) {
            case 0 -> Instant.MIN;
            case 1 -> Instant.MAX;
            case 2 -> Instant.EPOCH;
            case 3 -> Instant.ofEpochSecond(random.nextLong(Instant.MIN.getEpochSecond(),
                    Instant.MAX.getEpochSecond()), random.nextInt(1_000_000_000));
            case 4 -> Instant.ofEpochMilli(random.nextLong(-62_135_596_800_000L, 253_402_300_799_999L));
            case 5 -> Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L));
            default -> Instant.ofEpochSecond(random.nextLong(0, 4_102_444_800L), random.nextInt(1_000_000_000));
        };
    }

    double finiteDouble() {
        return switch (random.nextInt(10)) {
            case 0 -> pick(new Double[] {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
                -Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 1e-300, 1.0 / 3, 9007199254740993.0, 1e21, 1e22});
            case 1 -> random.nextInt(-1000, 1000);
            case 2 -> random.nextDouble();
            default -> {
                double d;
                do {
                    d = Double.longBitsToDouble(random.nextLong());
                } while (!Double.isFinite(d));
                yield d;
            }
        };
    }

    double anyDouble() {
        return chance(15) ? pick(new Double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
                : finiteDouble();
    }

    long anyLong() {
        return switch (random.nextInt(4)) {
            case 0 -> pick(new Long[] {0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE});
            case 1 -> random.nextLong();
            default -> random.nextLong(0, 1_000_000);
        };
    }

    long nonNegativeLong() {
        return chance(20) ? pick(new Long[] {0L, Long.MAX_VALUE}) : random.nextLong(0, Long.MAX_VALUE);
    }

    Map<String, String> stringMap() {
        Map<String, String> map = new LinkedHashMap<>();
        int n = chance(25) ? 0 : random.nextInt(1, 5);
        for (int i = 0; i < n; i++) {
            map.put(string(), string());
        }
        return map;
    }

    Map<String, Double> doubleMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        int n = chance(25) ? 0 : random.nextInt(1, 5);
        for (int i = 0; i < n; i++) {
            map.put(string(), anyDouble());
        }
        return map;
    }

    Set<String> stringSet() {
        Set<String> set = new LinkedHashSet<>();
        int n = chance(25) ? 0 : random.nextInt(1, 5);
        for (int i = 0; i < n; i++) {
            set.add(string());
        }
        return set;
    }

    <T> List<T> list(Supplier<T> element, int max) {
        List<T> list = new ArrayList<>();
        int n = chance(20) ? 0 : random.nextInt(1, max + 1);
        for (int i = 0; i < n; i++) {
            list.add(element.get());
        }
        return list;
    }

    // ---- errors, pages ------------------------------------------------------------------------------------------

    MlopsException exception() {
        ErrorCode code = pick(ErrorCode.values());
        String field = code == ErrorCode.INVALID_ARGUMENT ? orNull(this::string) : null;
        return MlopsException.of(code, string(), field);
    }

    Page<String> page() {
        return new Page<>(list(this::string, 5), orNull(this::string));
    }

    PageRequest pageRequest() {
        return new PageRequest(random.nextInt(1, PageRequest.MAX_PAGE_SIZE + 1),
                chance(40) ? null : "t" + string());
    }

    // ---- audit --------------------------------------------------------------------------------------------------

    String jsonText() {
        Map<String, Object> data = new LinkedHashMap<>();
        int n = random.nextInt(0, 4);
        for (int i = 0; i < n; i++) {
            Object value = switch (random.nextInt(5)) {
                case 0 -> string();
                case 1 -> finiteDouble();
                case 2 -> random.nextBoolean();
                case 3 -> List.of(string(), random.nextInt());
                default -> null;
            };
            data.put(string(), value);
        }
        if (chance(10)) {
            return pick(new String[] {"null", "[]", "\"x\"", "1.5"});
        }
        return CanonicalJson.write(data);
    }

    PendingAuditEvent pendingAuditEvent() {
        return new PendingAuditEvent(instant(), string(), label(), label(), jsonText());
    }

    AuditEvent auditEvent() {
        // A stored event's data is carried as is, even when it is not canonical JSON (a tampered store).
        String data = chance(25) ? null : chance(20) ? string() : jsonText();
        return new AuditEvent(anyLong(), instant(), string(), string(), string(), data, digest(), hex64(), hex64());
    }

    AuditCheckpoint auditCheckpoint() {
        return new AuditCheckpoint(anyLong(), hex64(), instant(), hex64().substring(0, 16), string());
    }

    // ---- lineage ------------------------------------------------------------------------------------------------

    NodeRef node() {
        return switch (pick(NodeKind.values())) {
            case DATASET -> NodeRef.dataset(name(), digest());
            case ARTIFACT -> NodeRef.artifact(name(), digest());
            case RUN -> NodeRef.run(name());
            case MODEL -> NodeRef.model(name(), random.nextInt(1, Integer.MAX_VALUE));
        };
    }

    LineageEdge edge() {
        return new LineageEdge(node(), node(), pick(EdgeKind.values()));
    }

    Direction direction() {
        return pick(Direction.values());
    }

    // ---- runs ---------------------------------------------------------------------------------------------------

    CodeVersion codeVersion() {
        return new CodeVersion(orNull(this::hex64), orNull(this::string), random.nextBoolean(), orNull(this::string));
    }

    NewRun newRun() {
        return new NewRun(string(), string(), orNull(this::string), instant(), stringMap(), orNull(this::codeVersion),
                stringMap());
    }

    MetricPoint metricPoint() {
        return metricPoint(string());
    }

    MetricPoint metricPoint(String key) {
        return new MetricPoint(key, finiteDouble(), nonNegativeLong(), instant());
    }

    RunLink link() {
        return new RunLink(pick(RunLink.Role.values()), node());
    }

    Run run() {
        Map<String, MetricPoint> latest = new LinkedHashMap<>();
        int n = chance(25) ? 0 : random.nextInt(1, 5);
        for (int i = 0; i < n; i++) {
            String key = string();
            latest.put(key, metricPoint(key));
        }
        return new Run(string(), string(), pick(RunStatus.values()), instant(), orNull(this::instant), instant(),
                orNull(this::string), orNull(this::string), stringMap(), stringMap(), latest, list(this::link, 4),
                orNull(this::codeVersion), stringMap());
    }

    MetricFilter metricFilter() {
        double value = chance(15) ? pick(new Double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
                : finiteDouble();
        return new MetricFilter(string(), pick(MetricFilter.Comparison.values()), value);
    }

    RunQuery runQuery() {
        return new RunQuery(orNull(this::string), orNull(() -> pick(RunStatus.values())), stringMap(), stringMap(),
                list(this::metricFilter, 3), orNull(this::instant), orNull(this::instant), orNull(this::string));
    }

    RunStatus runStatus() {
        return pick(RunStatus.values());
    }

    // ---- datasets -----------------------------------------------------------------------------------------------

    Column column() {
        return new Column(string(), pick(ColumnType.values()));
    }

    DatasetSchema schema() {
        return new DatasetSchema(list(this::column, 4));
    }

    DatasetVersion datasetVersion() {
        return new DatasetVersion(string(), digest(), string(), pick(new String[] {"csv", "json", "directory", "binary"}),
                nonNegativeLong(), orNull(this::schema), orNull(this::nonNegativeLong), stringMap(), instant(), string());
    }

    // ---- registry -----------------------------------------------------------------------------------------------

    Governance governance() {
        if (chance(20)) {
            return Governance.EMPTY;
        }
        return new Governance(orNull(this::string), orNull(this::string), orNull(this::string), orNull(this::string),
                orNull(this::string), orNull(this::string), orNull(() -> pick(Confidentiality.values())),
                orNull(random::nextBoolean));
    }

    NewModel newModel() {
        return new NewModel(string(), string(), stringMap(), governance(), instant(), string());
    }

    int versionNumber() {
        return chance(10) ? Integer.MAX_VALUE : random.nextInt(1, 1000);
    }

    RegisteredModel registeredModel() {
        Map<String, Integer> aliases = new LinkedHashMap<>();
        int n = random.nextInt(0, 4);
        for (int i = 0; i < n; i++) {
            aliases.put(string(), versionNumber());
        }
        return new RegisteredModel(string(), string(), stringMap(), governance(), aliases,
                random.nextInt(0, Integer.MAX_VALUE), instant(), string(), instant());
    }

    ModelUpdate modelUpdate() {
        return new ModelUpdate(orNull(this::string), stringMap(), stringSet(), orNull(this::governance), instant());
    }

    ModelQuery modelQuery() {
        return new ModelQuery(orNull(this::string), stringMap(), orNull(this::string));
    }

    ModelSignature signature() {
        return chance(20) ? ModelSignature.EMPTY : new ModelSignature(list(this::column, 3), list(this::column, 3));
    }

    NewModelVersion newModelVersion() {
        return new NewModelVersion(string(), versionNumber(), digest(), orNull(this::string), signature(), doubleMap(),
                stringMap(), string(), orNull(this::string), instant(), string());
    }

    ArtifactRef artifact() {
        return new ArtifactRef(digest(), anyLong(), string());
    }

    Approval approval() {
        ApprovalStatus status = pick(ApprovalStatus.values());
        return status == ApprovalStatus.PENDING ? Approval.PENDING
                : Approval.decided(status, string(), instant(), string());
    }

    ModelVersion modelVersion() {
        VersionStatus status = pick(VersionStatus.values());
        return new ModelVersion(string(), versionNumber(), digest(), orNull(this::artifact), status,
                orNull(this::string), orNull(this::string), signature(), doubleMap(), stringMap(), string(), approval(),
                new ArrayList<>(stringSet()), instant(), string(), instant());
    }

    AliasChange aliasChange() {
        return new AliasChange(string(), string(), orNull(this::versionNumber), orNull(this::versionNumber));
    }

    VersionQuery versionQuery() {
        return new VersionQuery(orNull(this::string), orNull(() -> pick(VersionStatus.values())),
                orNull(() -> pick(ApprovalStatus.values())), orNull(this::string), stringMap());
    }

    VersionStatus versionStatus() {
        return pick(VersionStatus.values());
    }

    // ---- profiles, drift reports, policies -----------------------------------------------------------------------

    ProfileEntry profileEntry() {
        Instant start = orNull(this::instant);
        Instant end = start == null || chance(30) ? orNull(this::instant) : start;
        return new ProfileEntry(string(), string(), string(), start, end, anyLong(), digest(), jsonText(), instant(),
                string());
    }

    DriftReportEntry driftReportEntry() {
        Double share = chance(30) ? null : chance(10) ? Double.NaN : random.nextDouble();
        return new DriftReportEntry(string(), string(), string(), pick(ReportKind.values()), orNull(this::instant),
                orNull(this::instant), orNull(this::string), orNull(this::string), random.nextBoolean(), share,
                digest(), jsonText(), instant(), string());
    }

    ProfileQuery profileQuery() {
        return new ProfileQuery(string(), orNull(this::string), orNull(this::instant), orNull(this::instant));
    }

    PolicyStateEntry policyState() {
        return new PolicyStateEntry(string(), string(), chance(10) ? Long.MAX_VALUE : random.nextLong(1, 1000),
                jsonText(), instant(), string());
    }

    PolicyDecisionEntry policyDecision() {
        return new PolicyDecisionEntry(string(), string(), anyLong(), string(),
                pick(new String[] {"retrain", "no_retrain", "held", "awaiting_approval", "rejected", "failed"}),
                random.nextBoolean(), instant(), jsonText());
    }

    RetrainingRequestEntry retrainingRequest() {
        return new RetrainingRequestEntry(string(), string(), string(), string(),
                pick(new String[] {"requested", "running", "completed", "failed"}),
                chance(10) ? Integer.MAX_VALUE : random.nextInt(0, 5), orNull(this::string), orNull(this::string),
                instant(), instant(), jsonText());
    }
}
