package dev.mlops.internal.policy;

import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.GateCheck;
import dev.mlops.policy.GateVerdict;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
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
