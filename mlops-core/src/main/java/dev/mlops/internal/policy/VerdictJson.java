package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.GateCheck;
import dev.mlops.policy.GateVerdict;
import dev.mlops.spi.PendingAuditEvent;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON form of gate verdicts (for {@link GateVerdict#toJson()} and the audit event). Thread-safe. */
public final class VerdictJson {
    private VerdictJson() {
    }

    /** The verdict as plain maps and lists, snake_case keys, in a stable order. */
    public static Map<String, Object> toMap(GateVerdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", v.model());
        m.put("alias", v.alias());
        m.put("candidate", v.candidate());
        m.put("champion", v.champion());
        m.put("passed", v.passed());
        m.put("promoted", v.promoted());
        m.put("outcome", v.outcome().name());
        m.put("time", v.time().toString());
        m.put("reasons", v.reasons());
        m.put("note", v.note());
        m.put("checks", checks(v));
        return m;
    }

    /**
     * The data of the {@code promotion.decided} audit event: the verdict without its time (the event has one) and
     * without the reasons (they repeat the checks' details).
     */
    public static Map<String, Object> auditData(GateVerdict v) {
        Map<String, Object> m = toMap(v);
        m.remove("time");
        m.remove("reasons");
        return m;
    }

    public static String toJson(GateVerdict v) {
        return CanonicalJson.toJson(toMap(v));
    }

    /** The audit action of every promotion verdict. */
    public static final String ACTION = "promotion.decided";

    /** The audit subject of the verdicts on version {@code candidate} of model {@code model}. */
    public static String subject(String model, int candidate) {
        return "model:" + model + "/" + candidate;
    }

    /**
     * Whether an audit event with this action, subject and data records a gate verdict on version {@code candidate}
     * of model {@code model} taking {@code alias}: action {@value #ACTION}, subject {@link #subject}, and data (not
     * erased) a JSON object whose {@code alias} is {@code alias}. Data that is not such an object does not match.
     */
    public static boolean records(String action, String subject, String data, String model, String alias,
            int candidate) {
        if (!ACTION.equals(action) || !subject(model, candidate).equals(subject) || data == null) {
            return false;
        }
        try {
            JsonNode alias0 = CanonicalJson.parse(data).get("alias");
            return alias0 != null && alias0.isTextual() && alias0.asText().equals(alias);
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * The verdict a {@value #ACTION} audit event records (its data, {@link #auditData}), with the event's time as the
     * verdict's. The numbers of each check come back in the stored (sorted) order; integral ones as {@code Long}.
     *
     * @throws IntegrityException when the event's data is erased or is not a verdict
     */
    public static GateVerdict fromAuditEvent(AuditEvent event) {
        String where = "audit event " + event.seq() + " (" + event.action() + ", " + event.subject() + ")";
        if (!ACTION.equals(event.action()) || event.data() == null) {
            throw new IntegrityException(where + " holds no gate verdict" + (event.data() == null
                    ? ": its data was erased" : ""));
        }
        try {
            JsonNode d = CanonicalJson.parse(event.data());
            List<GateCheck> checks = new ArrayList<>();
            for (JsonNode c : required(d, "checks", where)) {
                Map<String, Number> numbers = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = required(c, "numbers", where).fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> n = it.next();
                    numbers.put(n.getKey(), n.getValue().isIntegralNumber() && n.getValue().canConvertToLong()
                            ? (Number) n.getValue().asLong() : (Number) n.getValue().asDouble());
                }
                Double measured = number(c.get("measured"));
                JsonNode note = c.get("measured_note");
                if (measured == null && note != null && note.isTextual()) {
                    measured = note.asText().equals("+Infinity") ? Double.POSITIVE_INFINITY
                            : note.asText().equals("-Infinity") ? Double.NEGATIVE_INFINITY : null;
                }
                checks.add(new GateCheck(required(c, "name", where).asText(),
                        GateCheck.Kind.valueOf(required(c, "kind", where).asText()), text(c.get("metric")),
                        required(c, "passed", where).asBoolean(), measured, number(c.get("threshold")), numbers,
                        required(c, "detail", where).asText()));
            }
            JsonNode champion = d.get("champion");
            return new GateVerdict(required(d, "model", where).asText(), required(d, "alias", where).asText(),
                    required(d, "candidate", where).asInt(), champion == null || champion.isNull() ? null
                    : champion.asInt(), GateVerdict.Outcome.valueOf(required(d, "outcome", where).asText()), checks,
                    text(d.get("note")), event.time());
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new IntegrityException(where + " holds no readable gate verdict: " + e.getMessage());
        }
    }

    /**
     * Checks the events of {@code MetadataStore.recordPromotionVerdict}: at least one, none null, the first a
     * verdict on {@code candidate} of model {@code name} taking {@code alias}.
     *
     * @throws InvalidArgumentException (field {@code audit}) naming what is wrong
     */
    public static void checkAudit(String name, String alias, int candidate, List<PendingAuditEvent> audit) {
        String what = "recording the verdict on version " + candidate + " of model '" + name + "' taking alias '"
                + alias + "'";
        if (audit == null || audit.isEmpty()) {
            throw new InvalidArgumentException("audit", what + " needs at least one audit event");
        }
        for (int i = 0; i < audit.size(); i++) {
            if (audit.get(i) == null) {
                throw new InvalidArgumentException("audit", "audit[" + i + "] of " + what + " is null");
            }
        }
        PendingAuditEvent first = audit.get(0);
        if (!records(first.action(), first.subject(), first.data(), name, alias, candidate)) {
            throw new InvalidArgumentException("audit", "audit[0] of " + what + " must be that verdict"
                    + " (action promotion.decided, subject model:" + name + "/" + candidate + ", data naming the"
                    + " alias); it is " + first.action() + " on " + first.subject());
        }
    }

    private static JsonNode required(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IntegrityException(where + ": the verdict has no " + field);
        }
        return v;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Double number(JsonNode n) {
        return n == null || n.isNull() ? null : n.asDouble();
    }

    private static List<Map<String, Object>> checks(GateVerdict v) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (GateCheck c : v.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("kind", c.kind().name());
            m.put("metric", c.metric());
            m.put("passed", c.passed());
            Double measured = c.measured();
            if (measured != null && Double.isInfinite(measured)) {
                m.put("measured", null);
                m.put("measured_note", measured > 0 ? "+Infinity" : "-Infinity");
            } else {
                m.put("measured", measured);
            }
            m.put("threshold", c.threshold());
            m.put("numbers", c.numbers());
            m.put("detail", c.detail());
            out.add(m);
        }
        return out;
    }

    /** A number for a sentence: 6 significant digits, no trailing zeros; infinities as {@code +Infinity}. */
    public static String format(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+Infinity" : "-Infinity";
        }
        if (x == 0) {
            return "0";
        }
        BigDecimal r = new BigDecimal(x).round(new MathContext(6)).stripTrailingZeros();
        double a = Math.abs(x);
        return a >= 1e-4 && a < 1e9 ? r.toPlainString() : r.toString();
    }
}
