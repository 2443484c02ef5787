package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.DetectorState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON form of a {@link PolicyState} (format {@value #FORMAT}, version {@value #FORMAT_VERSION}): one line, fields
 * in a fixed order, absent optionals left out, doubles as Java's shortest round-tripping decimal, so
 * {@code read(write(s)).equals(s)} and {@code write(read(j)).equals(j)} for every {@code j} it wrote. Version 2 added
 * {@code model_version}, {@code trigger_key} and {@code pending_triggers} and keys the histories by
 * {@link ConditionKeys condition fingerprint}; a version 1 state (histories keyed by condition path) still reads, as
 * a state without those, and its path-keyed histories match no condition, so the next evaluation drops them.
 * {@code consumed_triggers} (the triggers the last retrain consumed, until its result; written only when there are
 * some) is optional in version 2.
 * {@code detector_states} (per decay condition of a published detector, its exact {@link DetectorState} JSON as a
 * string) is written only when there is one, so states without it read and write as before; a state whose decay
 * condition still has raw values in {@code detector_history} replays them once and then keeps the snapshot. Stateless
 * and thread-safe.
 */
public final class PolicyStateJson {
    public static final String FORMAT = "mlops.policy_state";
    public static final int FORMAT_VERSION = 2;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PolicyStateJson() {
    }

    /** The state as one line of JSON. */
    public static String write(PolicyState s) {
        ObjectNode o = NODES.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.put("windows", s.windows());
        s.lastEvaluatedAt().ifPresent(t -> o.put("last_evaluated_at", t.toString()));
        o.put("windows_since_retrain", s.windowsSinceRetrain());
        o.put("rows_since_retrain", s.rowsSinceRetrain());
        s.lastRetrainAt().ifPresent(t -> o.put("last_retrain_at", t.toString()));
        s.lastRetrainWindow().ifPresent(w -> o.put("last_retrain_window", w));
        ArrayNode times = o.putArray("retrain_times");
        s.retrainTimes().forEach(t -> times.add(t.toString()));
        ArrayNode history = o.putArray("trigger_history");
        s.triggerHistory().forEach(history::add);
        o.put("consecutive_failures", s.consecutiveFailures());
        s.lastFailureAt().ifPresent(t -> o.put("last_failure_at", t.toString()));
        s.lastResultWindow().ifPresent(w -> o.put("last_result_window", w));
        s.pendingWindow().ifPresent(w -> o.put("pending_window", w));
        ArrayNode recent = o.putArray("recent_windows");
        s.recentWindows().forEach(recent::add);
        ArrayNode seen = o.putArray("seen_dataset_versions");
        s.seenDatasetVersions().forEach(seen::add);
        ObjectNode detectors = o.putObject("detector_history");
        s.detectorHistory().forEach((path, values) -> {
            ArrayNode a = detectors.putArray(path);
            values.forEach(a::add);
        });
        ObjectNode metrics = o.putObject("metric_history");
        s.metricHistory().forEach((path, values) -> {
            ArrayNode a = metrics.putArray(path);
            values.forEach(a::add);
        });
        s.modelVersion().ifPresent(v -> o.put("model_version", v));
        s.triggerKey().ifPresent(k -> o.put("trigger_key", k));
        writePending(o.putObject("pending_triggers"), s.pendingTriggers());
        if (!s.consumedTriggers().isEmpty()) {
            writePending(o.putObject("consumed_triggers"), s.consumedTriggers());
        }
        if (!s.detectorStates().isEmpty()) {
            ObjectNode states = o.putObject("detector_states");
            s.detectorStates().forEach(states::put);
        }
        try {
            return PolicyJson.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a state tree always writes", e);
        }
    }

    private static void writePending(ObjectNode pending, Map<String, PolicyState.Pending> triggers) {
        triggers.forEach((key, p) -> {
            ObjectNode n = pending.putObject(key);
            n.put("window", p.window());
            n.put("count", p.count());
            ArrayNode items = n.putArray("items");
            p.items().forEach(items::add);
        });
    }

    /**
     * Reads a state written by {@link #write}.
     *
     * @throws IntegrityException when the text is not such a state (a store's copy was damaged)
     */
    public static PolicyState read(String json) {
        try {
            JsonObject o = JsonObject.of(PolicyJson.MAPPER.readTree(json), "");
            long version = o.integer("format_version");
            if (!FORMAT.equals(o.string("format")) || version < 1 || version > FORMAT_VERSION) {
                throw new IntegrityException("not a policy state of format " + FORMAT + " version 1 to "
                        + FORMAT_VERSION);
            }
            long windows = o.integer("windows");
            Optional<Instant> lastEvaluatedAt = instant(o, "last_evaluated_at");
            long windowsSince = o.integer("windows_since_retrain");
            long rowsSince = o.integer("rows_since_retrain");
            Optional<Instant> lastRetrainAt = instant(o, "last_retrain_at");
            Optional<String> lastRetrainWindow = o.optString("last_retrain_window");
            List<Instant> times = new ArrayList<>();
            for (JsonNode n : o.array("retrain_times")) {
                times.add(Instant.parse(n.textValue()));
            }
            List<Boolean> history = new ArrayList<>();
            for (JsonNode n : o.array("trigger_history")) {
                if (!n.isBoolean()) {
                    throw new IntegrityException("trigger_history holds " + n);
                }
                history.add(n.booleanValue());
            }
            int failures = o.int32("consecutive_failures");
            Optional<Instant> lastFailureAt = instant(o, "last_failure_at");
            Optional<String> lastResult = o.optString("last_result_window");
            Optional<String> pending = o.optString("pending_window");
            List<String> recent = strings(o.array("recent_windows"));
            List<String> seen = strings(o.array("seen_dataset_versions"));
            Map<String, List<Double>> detectors = histories(o, "detector_history");
            Map<String, List<Double>> metrics = histories(o, "metric_history");
            Optional<String> modelVersion = Optional.empty();
            Optional<String> triggerKey = Optional.empty();
            Map<String, PolicyState.Pending> pendingTriggers = new TreeMap<>();
            Map<String, PolicyState.Pending> consumedTriggers = new TreeMap<>();
            Map<String, String> detectorStates = new TreeMap<>();
            if (version >= 2) {
                modelVersion = o.optString("model_version");
                triggerKey = o.optString("trigger_key");
                pendingTriggers = pending(o, "pending_triggers");
                if (o.has("consumed_triggers")) {
                    consumedTriggers = pending(o, "consumed_triggers");
                }
                if (o.has("detector_states")) {
                    detectorStates = detectorStates(o);
                }
            }
            o.finish();
            return new PolicyState(windows, lastEvaluatedAt, windowsSince, rowsSince, lastRetrainAt,
                    lastRetrainWindow, times, history, failures, lastFailureAt, lastResult, pending, recent, seen,
                    detectors, metrics, modelVersion, triggerKey, pendingTriggers, consumedTriggers,
                    detectorStates);
        } catch (JsonProcessingException | RuntimeException e) {
            if (e instanceof IntegrityException ie) {
                throw ie;
            }
            throw new IntegrityException("a stored policy state could not be read: " + e.getMessage());
        }
    }

    private static Map<String, List<Double>> histories(JsonObject o, String field) {
        Map<String, List<Double>> out = new TreeMap<>();
        JsonObject d = JsonObject.of(o.get(field), field);
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String path = it.next();
            List<Double> values = new ArrayList<>();
            for (JsonNode n : d.array(path)) {
                values.add(JsonObject.number(n, field + "." + path));
            }
            out.put(path, values);
        }
        d.finish();
        return out;
    }

    private static Map<String, String> detectorStates(JsonObject o) {
        Map<String, String> out = new TreeMap<>();
        JsonObject d = JsonObject.of(o.get("detector_states"), "detector_states");
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            String text = d.string(key);
            try {
                DetectorState.fromJson(text);
            } catch (InvalidArgumentException e) {
                throw new IntegrityException("detector_states." + key + " is not a detector state: "
                        + e.getMessage());
            }
            out.put(key, text);
        }
        d.finish();
        return out;
    }

    private static Map<String, PolicyState.Pending> pending(JsonObject o, String field) {
        Map<String, PolicyState.Pending> out = new TreeMap<>();
        JsonObject d = JsonObject.of(o.get(field), field);
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            JsonObject p = JsonObject.of(d.get(key), field + "." + key);
            String window = p.string("window");
            long count = p.integer("count");
            List<String> items = strings(p.array("items"));
            p.finish();
            if (count < 1) {
                throw new IntegrityException(field + "." + key + ".count must be >= 1, was " + count);
            }
            out.put(key, new PolicyState.Pending(window, count, items));
        }
        d.finish();
        return out;
    }

    private static Optional<Instant> instant(JsonObject o, String field) {
        if (o.has(field)) {
            return Optional.of(o.instant(field));
        }
        o.get(field);
        return Optional.empty();
    }

    private static List<String> strings(List<JsonNode> nodes) {
        List<String> out = new ArrayList<>(nodes.size());
        for (JsonNode n : nodes) {
            if (!n.isTextual()) {
                throw new IntegrityException("expected a string, was " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }
}
