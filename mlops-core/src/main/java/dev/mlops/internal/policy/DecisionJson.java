package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.IntegrityException;
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Decision;
import dev.mlops.policy.GuardOutcome;
import dev.mlops.policy.Guards;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The JSON form of a {@link Decision} (format {@value #FORMAT}, version {@value #FORMAT_VERSION}), for stores, audit
 * events and the CLI: one line, fields in a fixed order, an absent measured value as {@code null}, absent optionals
 * left out, doubles as Java's shortest round-tripping decimal. {@code retrain} and {@code idempotency_key} are
 * written for readers and checked on reading. A condition whose input was not measured carries {@code "input"}
 * ({@code absent} or {@code unknown}) and the decision then lists their paths in {@code missing_inputs} (checked on
 * reading when present); both are left out when every input was measured, so decisions written before they existed
 * still read (a {@code null} {@code measured} without {@code input} reads as input {@code absent}).
 * {@code read(write(d)).equals(d)}. Stateless and thread-safe.
 */
public final class DecisionJson {
    public static final String FORMAT = "mlops.policy_decision";
    public static final int FORMAT_VERSION = 1;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DecisionJson() {
    }

    /** The decision as a JSON tree. */
    public static ObjectNode tree(Decision d) {
        ObjectNode o = NODES.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.put("policy", d.policy());
        o.put("policy_version", d.policyVersion());
        o.put("model", d.model());
        o.put("window_id", d.windowId());
        o.put("idempotency_key", d.idempotencyKey());
        o.put("observed_at", d.observedAt().toString());
        o.put("decided_at", d.decidedAt().toString());
        o.put("status", d.status().id());
        o.put("retrain", d.retrain());
        o.put("triggered", d.triggered());
        ArrayNode conditions = o.putArray("conditions");
        for (ConditionOutcome c : d.conditions()) {
            ObjectNode x = conditions.addObject();
            x.put("path", c.path());
            x.put("type", c.type());
            x.put("description", c.description());
            if (c.measured().isPresent()) {
                x.put("measured", c.measured().getAsDouble());
            } else {
                x.putNull("measured");
            }
            x.put("threshold", c.threshold());
            x.put("comparator", c.comparator());
            x.put("fired", c.fired());
            c.note().ifPresent(n -> x.put("note", n));
            if (c.input() != ConditionOutcome.Input.MEASURED) {
                x.put("input", c.input().id());
            }
        }
        if (!d.missingInputs().isEmpty()) {
            ArrayNode missing = o.putArray("missing_inputs");
            d.missingInputs().forEach(missing::add);
        }
        ArrayNode guards = o.putArray("guards");
        for (GuardOutcome g : d.guards()) {
            ObjectNode x = guards.addObject();
            x.put("guard", g.guard().id());
            x.put("held", g.held());
            x.put("reason", g.reason());
        }
        d.heldBy().ifPresent(g -> o.put("held_by", g.id()));
        d.actor().ifPresent(a -> o.put("actor", a));
        o.put("reason", d.reason());
        d.modelVersion().ifPresent(v -> o.put("model_version", v));
        return o;
    }

    /** The decision as one line of JSON. */
    public static String write(Decision d) {
        try {
            return PolicyJson.MAPPER.writeValueAsString(tree(d));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decision tree always writes", e);
        }
    }

    /**
     * Reads a decision written by {@link #write}.
     *
     * @throws IntegrityException when the text is not such a decision (a store's copy was damaged)
     */
    public static Decision read(String json) {
        try {
            JsonObject o = JsonObject.of(PolicyJson.MAPPER.readTree(json), "");
            if (!FORMAT.equals(o.string("format")) || o.integer("format_version") != FORMAT_VERSION) {
                throw new IntegrityException("not a policy decision of format " + FORMAT + " version "
                        + FORMAT_VERSION);
            }
            String policy = o.string("policy");
            int version = o.int32("policy_version");
            String model = o.string("model");
            String window = o.string("window_id");
            String key = o.string("idempotency_key");
            Instant observedAt = o.instant("observed_at");
            Instant decidedAt = o.instant("decided_at");
            Decision.Status status = Decision.Status.values()[o.choice("status", ids(Decision.Status.values()))];
            boolean retrain = o.bool("retrain");
            boolean triggered = o.bool("triggered");
            List<ConditionOutcome> conditions = new ArrayList<>();
            List<JsonNode> items = o.array("conditions");
            for (int i = 0; i < items.size(); i++) {
                JsonObject c = JsonObject.of(items.get(i), "conditions[" + i + "]");
                String path = c.string("path");
                String type = c.string("type");
                String description = c.string("description");
                OptionalDouble measured = c.has("measured") ? OptionalDouble.of(c.number("measured"))
                        : absent(c);
                double threshold = c.number("threshold");
                String comparator = c.string("comparator");
                boolean fired = c.bool("fired");
                Optional<String> note = c.optString("note");
                ConditionOutcome.Input input = measured.isPresent() ? ConditionOutcome.Input.MEASURED
                        : ConditionOutcome.Input.ABSENT;
                if (c.has("input")) {
                    input = ConditionOutcome.Input.values()[c.choice("input", inputs())];
                } else {
                    c.get("input");
                }
                conditions.add(new ConditionOutcome(path, type, description, measured, threshold, comparator, fired,
                        note, input));
                c.finish();
            }
            Optional<List<String>> missingInputs = Optional.empty();
            if (o.has("missing_inputs")) {
                missingInputs = Optional.of(strings(o.array("missing_inputs")));
            } else {
                o.get("missing_inputs");
            }
            List<GuardOutcome> guards = new ArrayList<>();
            items = o.array("guards");
            for (int i = 0; i < items.size(); i++) {
                JsonObject g = JsonObject.of(items.get(i), "guards[" + i + "]");
                guards.add(new GuardOutcome(Guards.Guard.values()[g.choice("guard", ids(Guards.Guard.values()))],
                        g.bool("held"), g.string("reason")));
                g.finish();
            }
            Optional<Guards.Guard> heldBy = Optional.empty();
            if (o.has("held_by")) {
                heldBy = Optional.of(Guards.Guard.values()[o.choice("held_by", ids(Guards.Guard.values()))]);
            } else {
                o.get("held_by");
            }
            Optional<String> actor = o.optString("actor");
            String reason = o.string("reason");
            Optional<String> modelVersion = o.optString("model_version");
            o.finish();
            Decision d = new Decision(policy, version, model, window, observedAt, decidedAt, status, triggered,
                    conditions, guards, heldBy, actor, reason, modelVersion);
            if (missingInputs.isPresent() && !d.missingInputs().equals(missingInputs.get())) {
                throw new IntegrityException("missing_inputs contradicts the conditions");
            }
            if (d.retrain() != retrain || !d.idempotencyKey().equals(key)) {
                throw new IntegrityException("retrain or idempotency_key contradict the decision");
            }
            return d;
        } catch (JsonProcessingException | RuntimeException e) {
            if (e instanceof IntegrityException ie) {
                throw ie;
            }
            throw new IntegrityException("a stored policy decision could not be read: " + e.getMessage());
        }
    }

    private static List<String> inputs() {
        List<String> out = new ArrayList<>();
        for (ConditionOutcome.Input i : ConditionOutcome.Input.values()) {
            out.add(i.id());
        }
        return out;
    }

    private static List<String> strings(List<JsonNode> nodes) {
        List<String> out = new ArrayList<>(nodes.size());
        for (JsonNode n : nodes) {
            if (!n.isTextual()) {
                throw new IntegrityException("missing_inputs holds " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }

    private static OptionalDouble absent(JsonObject c) {
        c.get("measured");
        return OptionalDouble.empty();
    }

    private static List<String> ids(Enum<?>[] values) {
        List<String> out = new ArrayList<>();
        for (Enum<?> v : values) {
            out.add(v instanceof Decision.Status s ? s.id() : ((Guards.Guard) v).id());
        }
        return out;
    }
}
