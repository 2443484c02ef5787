package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Guards;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.RetrainingPolicy;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of a {@link RetrainingPolicy} (format {@value #FORMAT}, version {@value #FORMAT_VERSION}); see
 * docs/policies.md, "Policies as JSON". Writing is deterministic (fixed field order, optional fields left out when
 * absent, two-space indentation, {@code \n} line ends, a final newline) and reading rebuilds an equal policy, so
 * {@code write(read(write(p)))} is {@code write(p)}. Reading reports malformed JSON, unknown fields, wrong types and
 * out-of-range values as {@link InvalidArgumentException} whose field is the path. Stateless and thread-safe.
 */
public final class PolicyJson {
    public static final String FORMAT = "mlops.retraining_policy";
    public static final int FORMAT_VERSION = 1;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> MATCH = List.of("any_of", "all_of", "at_least");
    private static final List<String> DIRECTIONS = List.of(MetricDirection.HIGHER_IS_BETTER.id(),
            MetricDirection.LOWER_IS_BETTER.id());
    private static final List<String> CHANGES = List.of(Condition.MetricVsBaseline.Change.ABSOLUTE.id(),
            Condition.MetricVsBaseline.Change.RELATIVE.id());
    private static final List<String> DAYS;

    static {
        List<String> days = new ArrayList<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            days.add(d.name().toLowerCase(Locale.ROOT));
        }
        DAYS = List.copyOf(days);
    }

    private PolicyJson() {
    }

    /** The policy as JSON text. */
    public static String write(RetrainingPolicy policy) {
        try {
            return MAPPER.writer(PRINTER).writeValueAsString(tree(policy)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a policy tree always writes", e);
        }
    }

    /** Reads a policy from JSON text. */
    public static RetrainingPolicy read(String json) {
        if (json == null) {
            throw new InvalidArgumentException("json", "json is required");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("json", "malformed policy JSON at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
                    + e.getOriginalMessage());
        }
        return fromTree(root);
    }

    /** The policy as a JSON tree (fields in writing order). */
    static ObjectNode tree(RetrainingPolicy p) {
        ObjectNode o = NODES.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.put("name", p.name());
        o.put("version", p.version());
        o.put("description", p.description());
        Condition t = p.trigger();
        o.put("match", t.type());
        if (t instanceof Condition.AtLeast a) {
            o.put("k", a.k());
        }
        o.set("conditions", conditions(children(t)));
        o.set("guards", guards(p.guards()));
        return o;
    }

    private static List<Condition> children(Condition c) {
        if (c instanceof Condition.AnyOf a) {
            return a.conditions();
        } else if (c instanceof Condition.AllOf a) {
            return a.conditions();
        } else if (c instanceof Condition.AtLeast a) {
            return a.conditions();
        }
        return List.of();
    }

    private static ArrayNode conditions(List<Condition> conditions) {
        ArrayNode a = NODES.arrayNode();
        for (Condition c : conditions) {
            a.add(condition(c));
        }
        return a;
    }

    static ObjectNode condition(Condition c) {
        ObjectNode o = NODES.objectNode();
        o.put("type", c.type());
        if (c instanceof Condition.ColumnDrift d) {
            o.put("report", d.report());
            o.put("column", d.column());
        } else if (c instanceof Condition.ColumnScore s) {
            o.put("report", s.report());
            o.put("column", s.column());
            o.put("method", s.method());
            o.put("threshold", s.threshold());
        } else if (c instanceof Condition.DriftShare s) {
            o.put("report", s.report());
            o.put("threshold", s.threshold());
        } else if (c instanceof Condition.MetricThreshold m) {
            o.put("metric", m.metric());
            o.put("direction", m.direction().id());
            o.put("threshold", m.threshold());
            if (m.windows() != 1) {
                o.put("windows", m.windows());
            }
        } else if (c instanceof Condition.MetricVsBaseline m) {
            o.put("metric", m.metric());
            o.put("direction", m.direction().id());
            o.put("change", m.change().id());
            o.put("margin", m.margin());
            if (m.windows() != 1) {
                o.put("windows", m.windows());
            }
        } else if (c instanceof Condition.Decay d) {
            o.put("detector", d.detector());
            ObjectNode params = o.putObject("params");
            d.params().forEach(params::put);
            o.put("stream", d.stream());
            o.put("max_history", d.maxHistory());
        } else if (c instanceof Condition.NewRows r) {
            o.put("min_rows", r.minRows());
        } else if (c instanceof Condition.NewDatasetVersions v) {
            o.put("min_versions", v.minVersions());
        } else if (c instanceof Condition.Schedule s) {
            o.put("every", s.every().toString());
            o.put("anchor", s.anchor().toString());
        } else if (c instanceof Condition.ModelAge a) {
            o.put("max_age", a.maxAge().toString());
        } else if (c instanceof Condition.AtLeast a) {
            o.put("k", a.k());
            o.set("conditions", conditions(a.conditions()));
        } else if (c instanceof Condition.AnyOf || c instanceof Condition.AllOf) {
            o.set("conditions", conditions(children(c)));
        }
        return o;
    }

    private static ObjectNode guards(Guards g) {
        ObjectNode o = NODES.objectNode();
        g.hysteresis().ifPresent(h -> {
            ObjectNode x = o.putObject("hysteresis");
            x.put("required", h.required());
            x.put("of", h.of());
        });
        g.warmUp().ifPresent(w -> o.putObject("warm_up").put("windows", w.windows()));
        g.cooldown().ifPresent(c -> {
            ObjectNode x = o.putObject("cooldown");
            x.put("min_time", c.minTime().toString());
            x.put("min_rows", c.minRows());
        });
        g.budget().ifPresent(b -> {
            ObjectNode x = o.putObject("budget");
            x.put("max", b.max());
            x.put("period", b.period().toString());
        });
        g.backoff().ifPresent(b -> {
            ObjectNode x = o.putObject("backoff");
            x.put("initial", b.initial().toString());
            x.put("multiplier", b.multiplier());
            x.put("max", b.max().toString());
        });
        g.allowed().ifPresent(a -> {
            ObjectNode x = o.putObject("allowed_times");
            x.put("zone", a.zone().getId());
            ArrayNode windows = x.putArray("windows");
            for (Guards.TimeWindow w : a.windows()) {
                ObjectNode y = windows.addObject();
                ArrayNode days = y.putArray("days");
                w.days().forEach(d -> days.add(DAYS.get(d.ordinal())));
                y.put("from", w.from().toString());
                y.put("to", w.to().toString());
            }
        });
        if (g.approval()) {
            o.put("approval", true);
        }
        return o;
    }

    /** Builds a policy from a parsed JSON (or YAML) tree. */
    static RetrainingPolicy fromTree(JsonNode root) {
        JsonObject o = JsonObject.of(root, "");
        o.optString("format").ifPresent(f -> {
            if (!f.equals(FORMAT)) {
                throw new InvalidArgumentException("format", "format must be \"" + FORMAT + "\", was \"" + f + "\"");
            }
        });
        if (o.has("format_version")) {
            long v = o.integer("format_version");
            if (v != FORMAT_VERSION) {
                throw new InvalidArgumentException("format_version", "format_version must be " + FORMAT_VERSION
                        + ", was " + v);
            }
        } else {
            o.get("format_version");
        }
        String name = o.string("name");
        int version = o.has("version") ? o.int32("version") : markDefault(o, "version", 1);
        String description = o.optString("description").orElse("");
        int match = o.choice("match", MATCH);
        Integer k = null;
        if (match == 2) {
            k = o.int32("k");
        }
        List<Condition> conditions = readConditions(o, "conditions");
        Condition trigger = switch (match) {
            case 0 -> new Condition.AnyOf(conditions);
            case 1 -> new Condition.AllOf(conditions);
            default -> new Condition.AtLeast(k, conditions);
        };
        Guards guards = o.has("guards") ? readGuards(JsonObject.of(o.get("guards"), "guards")) : markGuards(o);
        o.finish();
        return new RetrainingPolicy(name, version, description, trigger, guards);
    }

    private static int markDefault(JsonObject o, String field, int value) {
        o.get(field);
        return value;
    }

    private static Guards markGuards(JsonObject o) {
        o.get("guards");
        return Guards.NONE;
    }

    private static List<Condition> readConditions(JsonObject o, String field) {
        List<JsonNode> items = o.array(field);
        List<Condition> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(readCondition(JsonObject.of(items.get(i), o.path(field) + "[" + i + "]")));
        }
        return out;
    }

    private static Condition readCondition(JsonObject o) {
        String type = o.string("type");
        Condition c = switch (type) {
            case "column_drift" -> new Condition.ColumnDrift(report(o), o.string("column"));
            case "column_score" -> new Condition.ColumnScore(report(o), o.string("column"), o.string("method"),
                    o.number("threshold"));
            case "drift_share" -> new Condition.DriftShare(report(o), o.number("threshold"));
            case "metric_threshold" -> new Condition.MetricThreshold(o.string("metric"), direction(o),
                    o.number("threshold"), windows(o));
            case "metric_vs_baseline" -> new Condition.MetricVsBaseline(o.string("metric"), direction(o),
                    Condition.MetricVsBaseline.Change.values()[o.choice("change", CHANGES)], o.number("margin"),
                    windows(o));
            case "decay" -> new Condition.Decay(o.string("detector"), params(o),
                    o.optString("stream").orElse(Condition.DEFAULT_STREAM),
                    o.has("max_history") ? o.int32("max_history")
                            : markDefault(o, "max_history", Condition.DEFAULT_MAX_HISTORY));
            case "new_rows" -> new Condition.NewRows(o.integer("min_rows"));
            case "new_dataset_versions" -> new Condition.NewDatasetVersions(o.int32("min_versions"));
            case "new_input_version" -> new Condition.NewInputVersion();
            case "schedule" -> new Condition.Schedule(o.duration("every"),
                    o.has("anchor") ? o.instant("anchor") : markInstant(o));
            case "model_age" -> new Condition.ModelAge(o.duration("max_age"));
            case "any_of" -> new Condition.AnyOf(readConditions(o, "conditions"));
            case "all_of" -> new Condition.AllOf(readConditions(o, "conditions"));
            case "at_least" -> {
                int k = o.int32("k");
                yield new Condition.AtLeast(k, readConditions(o, "conditions"));
            }
            default -> throw new InvalidArgumentException(o.path("type"), o.path("type") + " must be one of "
                    + "column_drift, column_score, drift_share, metric_threshold, metric_vs_baseline, decay, "
                    + "new_rows, new_dataset_versions, new_input_version, schedule, model_age, any_of, all_of, "
                    + "at_least, was \"" + type + "\"");
        };
        o.finish();
        return c;
    }

    private static java.time.Instant markInstant(JsonObject o) {
        o.get("anchor");
        return java.time.Instant.EPOCH;
    }

    private static int windows(JsonObject o) {
        return o.has("windows") ? o.int32("windows") : markDefault(o, "windows", 1);
    }

    private static String report(JsonObject o) {
        return o.optString("report").orElse(Condition.DEFAULT_REPORT);
    }

    private static MetricDirection direction(JsonObject o) {
        return MetricDirection.values()[o.choice("direction", DIRECTIONS)];
    }

    private static Map<String, Double> params(JsonObject o) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!o.has("params")) {
            o.get("params");
            return out;
        }
        JsonObject p = JsonObject.of(o.get("params"), o.path("params"));
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            out.put(name, p.number(name));
        }
        p.finish();
        return out;
    }

    private static Guards readGuards(JsonObject o) {
        Optional<Guards.Hysteresis> hysteresis = Optional.empty();
        if (o.has("hysteresis")) {
            JsonObject h = JsonObject.of(o.get("hysteresis"), o.path("hysteresis"));
            hysteresis = Optional.of(new Guards.Hysteresis(h.int32("required"), h.int32("of")));
            h.finish();
        }
        Optional<Guards.WarmUp> warmUp = Optional.empty();
        if (o.has("warm_up")) {
            JsonObject w = JsonObject.of(o.get("warm_up"), o.path("warm_up"));
            warmUp = Optional.of(new Guards.WarmUp(w.int32("windows")));
            w.finish();
        }
        Optional<Guards.Cooldown> cooldown = Optional.empty();
        if (o.has("cooldown")) {
            JsonObject c = JsonObject.of(o.get("cooldown"), o.path("cooldown"));
            cooldown = Optional.of(new Guards.Cooldown(
                    c.has("min_time") ? c.duration("min_time") : zero(c, "min_time"),
                    c.has("min_rows") ? c.integer("min_rows") : zero(c, "min_rows").toSeconds()));
            c.finish();
        }
        Optional<Guards.Budget> budget = Optional.empty();
        if (o.has("budget")) {
            JsonObject b = JsonObject.of(o.get("budget"), o.path("budget"));
            budget = Optional.of(new Guards.Budget(b.int32("max"), b.duration("period")));
            b.finish();
        }
        Optional<Guards.Backoff> backoff = Optional.empty();
        if (o.has("backoff")) {
            JsonObject b = JsonObject.of(o.get("backoff"), o.path("backoff"));
            backoff = Optional.of(new Guards.Backoff(b.duration("initial"), b.number("multiplier"),
                    b.duration("max")));
            b.finish();
        }
        Optional<Guards.AllowedTimes> allowed = Optional.empty();
        if (o.has("allowed_times")) {
            JsonObject a = JsonObject.of(o.get("allowed_times"), o.path("allowed_times"));
            String zoneId = a.string("zone");
            ZoneId zone;
            try {
                zone = ZoneId.of(zoneId);
            } catch (DateTimeException e) {
                throw new InvalidArgumentException(a.path("zone"), a.path("zone")
                        + " must be a time-zone id such as UTC or Europe/Paris, was \"" + zoneId + "\"");
            }
            List<JsonNode> items = a.array("windows");
            List<Guards.TimeWindow> windows = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                JsonObject w = JsonObject.of(items.get(i), a.path("windows") + "[" + i + "]");
                List<JsonNode> dayNodes = w.array("days");
                Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
                for (int j = 0; j < dayNodes.size(); j++) {
                    String p = w.path("days") + "[" + j + "]";
                    JsonNode d = dayNodes.get(j);
                    int idx = d.isTextual() ? DAYS.indexOf(d.textValue()) : -1;
                    if (idx < 0) {
                        throw new InvalidArgumentException(p, p + " must be one of " + String.join(", ", DAYS)
                                + ", was " + d);
                    }
                    days.add(DayOfWeek.values()[idx]);
                }
                windows.add(new Guards.TimeWindow(days, w.localTime("from"), w.localTime("to")));
                w.finish();
            }
            allowed = Optional.of(new Guards.AllowedTimes(zone, windows));
            a.finish();
        }
        boolean approval = o.has("approval") ? o.bool("approval") : markFalse(o);
        o.finish();
        return new Guards(hysteresis, warmUp, cooldown, budget, backoff, allowed, approval);
    }

    private static java.time.Duration zero(JsonObject o, String field) {
        o.get(field);
        return java.time.Duration.ZERO;
    }

    private static boolean markFalse(JsonObject o) {
        o.get("approval");
        return false;
    }
}
