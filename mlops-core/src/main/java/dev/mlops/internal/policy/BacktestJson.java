package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.policy.BacktestResult;
import dev.mlops.policy.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form (format {@value #FORMAT}, version {@value #FORMAT_VERSION}) and the text summary of a
 * {@link BacktestResult}. Durations are ISO-8601 and also in seconds; decisions as {@link DecisionJson} writes them.
 * Stateless and thread-safe.
 */
public final class BacktestJson {
    public static final String FORMAT = "mlops.backtest_result";
    public static final int FORMAT_VERSION = 1;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BacktestJson() {
    }

    /** The result as one line of JSON. */
    public static String write(BacktestResult r) {
        ObjectNode o = NODES.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.put("policy", r.policy());
        o.put("policy_version", r.version());
        o.put("model", r.model());
        o.put("start", r.start().toString());
        o.put("end", r.end().toString());
        o.put("windows", r.timeline().size());
        o.put("retrain_count", r.retrainCount());
        ArrayNode retrains = o.putArray("retrains");
        for (BacktestResult.Retrain x : r.retrains()) {
            ObjectNode n = retrains.addObject();
            n.put("window_id", x.windowId());
            n.put("index", x.index());
            n.put("decided_at", x.decidedAt().toString());
            if (x.effectiveAt().isPresent()) {
                n.put("effective_at", x.effectiveAt().get().toString());
                n.put("succeeded", x.succeeded().orElseThrow());
            } else {
                n.putNull("effective_at");
                n.putNull("succeeded");
            }
        }
        ObjectNode held = o.putObject("held_by");
        r.heldBy().forEach(held::put);
        ArrayNode detections = o.putArray("detections");
        for (BacktestResult.Detection d : r.detections()) {
            ObjectNode n = detections.addObject();
            n.put("change", d.change().toString());
            n.put("detected", d.detected());
            if (d.detected()) {
                n.put("detected_by", d.detectedBy().get());
                n.put("delay", d.delay().orElseThrow().toString());
                n.put("delay_seconds", d.delay().orElseThrow().getSeconds());
                n.put("delay_windows", d.windows().orElseThrow());
            } else {
                n.putNull("detected_by");
                n.putNull("delay");
                n.putNull("delay_seconds");
                n.putNull("delay_windows");
            }
            n.put("stale", d.stale().toString());
            n.put("stale_seconds", d.stale().getSeconds());
            n.put("stale_until_end", d.staleUntilEnd());
        }
        ArrayNode timeline = o.putArray("timeline");
        for (Decision d : r.timeline()) {
            timeline.add(DecisionJson.tree(d));
        }
        try {
            return PolicyJson.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A few lines of text; see {@link BacktestResult#summary()}. */
    public static String summary(BacktestResult r) {
        StringBuilder s = new StringBuilder();
        s.append("backtest of policy '").append(r.policy()).append("' v").append(r.version()).append(" for model '")
                .append(r.model()).append("': ").append(r.timeline().size()).append(" windows from ")
                .append(r.start()).append(" to ").append(r.end()).append('\n');
        long failed = r.retrains().stream().filter(x -> x.succeeded().equals(java.util.Optional.of(false))).count();
        s.append(r.retrainCount()).append(r.retrainCount() == 1 ? " retrain" : " retrains");
        if (r.retrainCount() > 0) {
            s.append(": ").append(String.join(", ", r.retrainWindows()));
        }
        if (failed > 0) {
            s.append(" (").append(failed).append(" failed)");
        }
        s.append('\n');
        List<String> held = new ArrayList<>();
        r.heldBy().forEach((g, n) -> held.add(g + " " + n));
        s.append("held back: ").append(held.isEmpty() ? "none" : String.join(", ", held)).append('\n');
        for (BacktestResult.Detection d : r.detections()) {
            s.append("change at ").append(d.change()).append(": ");
            if (d.detected()) {
                s.append("detected by window ").append(d.detectedBy().get()).append(" after ")
                        .append(human(d.delay().get())).append(" (window ").append(d.windows().getAsInt())
                        .append(" after the change)");
            } else {
                s.append("not detected");
            }
            s.append("; stale model served ").append(human(d.stale()))
                    .append(d.staleUntilEnd() ? " (until the end of the history)" : "").append('\n');
        }
        return s.toString();
    }

    private static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + (seconds == 86_400 ? " day" : " days");
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        return seconds + " s";
    }
}
