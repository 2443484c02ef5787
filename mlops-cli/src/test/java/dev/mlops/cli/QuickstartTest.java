package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.cli.quickstart.ProductionReplay;
import dev.mlops.cli.quickstart.RainClassifier;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.RunLink;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.ModelVersion;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * {@code mlops quickstart} end to end on a SQLite file: every field of the contract's summary, each number checked
 * against what the test recomputes from the store, the bundled data and its own drift monitors.
 */
class QuickstartTest {
    private static final String MODEL = "seattle-rain-classifier";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<WeatherDay> DAYS = SeattleWeather.load();
    private static final String KEY_PREFIX = "quickstart-monthly/" + MODEL + "/";

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("on a fresh store")
    class Fresh {
        Path dir;
        CliRunner cli;
        CliRunner.Result result;
        JsonNode summary;
        long millis;

        @BeforeAll
        void run(@TempDir Path tempDir) {
            dir = tempDir;
            cli = new CliRunner(dir);
            long t0 = System.nanoTime();
            result = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
            millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(result.exitCode()).as(result.err()).isZero();
            summary = result.json();
            System.out.println("quickstart (in-process) took " + millis + " ms");
        }

        @Test
        @DisplayName("finishes well under a minute and reports each step on stderr")
        void progressAndTime() {
            assertThat(millis).isLessThan(60_000);
            String err = result.err();
            int last = -1;
            for (int step = 1; step <= 5; step++) {
                int at = err.indexOf("[" + step + "/5]");
                assertThat(at).as("step %d on stderr", step).isGreaterThan(last);
                last = at;
            }
            for (JsonNode d : summary.at("/retraining/decisions")) {
                assertThat(err).contains("      " + d.get("window").asText() + ": ");
            }
            assertThat(result.out()).doesNotContain("[1/5]");
        }

        @Test
        @DisplayName("monitoring: 24 monthly windows; the drifted ones are those an independent monitor flags")
        void monitoring() throws Exception {
            assertThat(summary.at("/monitoring/windows").asInt()).isEqualTo(24);
            JsonNode decisions = summary.at("/retraining/decisions");
            assertThat(decisions).hasSize(24);
            List<String> windows = new ArrayList<>();
            decisions.forEach(d -> windows.add(d.get("window").asText()));
            List<String> months = new ArrayList<>();
            for (YearMonth m = YearMonth.of(2014, 1); !m.isAfter(YearMonth.of(2015, 12)); m = m.plusMonths(1)) {
                months.add(m.toString());
            }
            assertThat(windows).containsExactlyElementsOf(months);

            List<String> drifted = new ArrayList<>();
            try (Mlops mlops = open()) {
                for (JsonNode d : decisions) {
                    YearMonth month = YearMonth.parse(d.get("window").asText());
                    ModelVersion serving = mlops.registry().getVersion(MODEL, d.get("serving_version").asInt())
                            .orElseThrow();
                    LocalDate from = LocalDate.parse(serving.tags().get("trained_from"));
                    LocalDate through = LocalDate.parse(serving.tags().get("trained_through"));
                    List<WeatherDay> reference = DAYS.stream().filter(x -> !x.date().isBefore(from)
                            && !x.date().isAfter(through) && x.date().getMonth() == month.getMonth()).toList();
                    List<WeatherDay> batch = DAYS.stream().filter(x -> YearMonth.from(x.date()).equals(month))
                            .toList();
                    WindowReport report = independentWindow(reference, batch, month);
                    List<String> columns = report.columns().stream().filter(WindowColumn::drift)
                            .map(WindowColumn::name).toList();
                    List<String> reported = new ArrayList<>();
                    d.get("drifted_columns").forEach(c -> reported.add(c.asText()));
                    assertThat(reported).as(month.toString()).containsExactlyElementsOf(columns);
                    if (report.drift()) {
                        drifted.add(month.toString());
                    }
                    // every flagged numeric column's exact two-sample KS distance exceeds its threshold
                    for (WindowColumn c : report.columns()) {
                        if (c.drift() && !c.name().equals("weather")) {
                            assertThat(exactKs(values(batch, c.name()), values(reference, c.name())))
                                    .isGreaterThan(c.threshold());
                        }
                    }
                    // the accuracy and log loss are the serving version's on the month
                    Map<String, Double> metrics = load(mlops, serving).evaluate(batch);
                    assertThat(d.get("accuracy").asDouble()).isEqualTo(metrics.get("accuracy"));
                    assertThat(d.get("log_loss").asDouble()).isEqualTo(metrics.get("log_loss"));
                }
            }
            assertThat(summary.at("/monitoring/drifted_windows").asInt()).isEqualTo(drifted.size());
            List<String> listed = new ArrayList<>();
            summary.at("/monitoring/drifted").forEach(w -> listed.add(w.asText()));
            assertThat(listed).containsExactlyElementsOf(drifted);
            assertThat(drifted).isNotEmpty();
            assertThat(drifted.size()).isLessThan(24);
        }

        @Test
        @DisplayName("backtest: the quickstart policy replayed on independently recomputed observations, with a clock"
                + " at each month's end, gives the summary's timeline of decisions")
        void backtest() throws Exception {
            RetrainingPolicy policy = ProductionReplay.policy();
            MutableClock clock = new MutableClock();
            RetrainingPolicies policies = RetrainingPolicies.inMemory(clock, DetectorFactory.standard());
            List<String> timeline = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            try (Mlops mlops = open()) {
                for (JsonNode d : summary.at("/retraining/decisions")) {
                    YearMonth month = YearMonth.parse(d.get("window").asText());
                    ModelVersion serving = mlops.registry().getVersion(MODEL, d.get("serving_version").asInt())
                            .orElseThrow();
                    LocalDate from = LocalDate.parse(serving.tags().get("trained_from"));
                    LocalDate through = LocalDate.parse(serving.tags().get("trained_through"));
                    List<WeatherDay> reference = DAYS.stream().filter(x -> !x.date().isBefore(from)
                            && !x.date().isAfter(through) && x.date().getMonth() == month.getMonth()).toList();
                    List<WeatherDay> batch = DAYS.stream().filter(x -> YearMonth.from(x.date()).equals(month))
                            .toList();
                    Map<String, Double> metrics = load(mlops, serving).evaluate(batch);
                    Instant end = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                    clock.now = end;
                    Observation o = Observation.builder(month.toString(), end, MODEL)
                            .modelVersion(serving.version())
                            .window(independentWindow(reference, batch, month))
                            .metric("accuracy", metrics.get("accuracy")).metric("log_loss", metrics.get("log_loss"))
                            .baseline("accuracy", serving.metrics().get("train_accuracy"))
                            .modelCreatedAt(through.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())
                            .rows(batch.size()).build();
                    Decision decision = policies.evaluate(policy, o);
                    if (decision.retrain()) {
                        policies.recordResult(policy, MODEL, month.toString(), true);
                    }
                    timeline.add(month + " " + decision.status().id() + " " + decision.reasons());
                    List<String> reasons = new ArrayList<>();
                    d.get("reasons").forEach(x -> reasons.add(x.asText()));
                    expected.add(month + " " + d.get("status").asText() + " " + reasons);
                }
            }
            assertThat(timeline).containsExactlyElementsOf(expected);
            System.out.println("quickstart policy timeline:\n  " + String.join("\n  ", timeline));
        }

        @Test
        @DisplayName("retraining: at least one retrain with its reasons, each a new dataset version of the 12 months"
                + " up to its window, in a tracked run, registered as a challenger")
        void retraining() throws Exception {
            int retrains = summary.at("/retraining/retrains").asInt();
            assertThat(retrains).isGreaterThanOrEqualTo(1);
            List<JsonNode> fired = new ArrayList<>();
            Set<String> statuses = new TreeSet<>();
            for (JsonNode d : summary.at("/retraining/decisions")) {
                statuses.add(d.get("status").asText());
                assertThat(d.get("decided_now").asBoolean()).isTrue();
                assertThat(d.get("replayed").asBoolean()).isFalse();
                assertThat(d.get("retrain").asBoolean()).isEqualTo(d.get("status").asText().equals("retrain"));
                if (d.get("retrain").asBoolean()) {
                    fired.add(d);
                    assertThat(d.get("reasons").size()).isPositive();
                    assertThat(d.get("reasons").get(0).asText()).startsWith("conditions[");
                    assertThat(d.get("challenger").isInt()).isTrue();
                    // handed to mlops.retraining(): a request, completed by the handler's first call in this run
                    JsonNode request = d.get("request");
                    assertThat(request.get("key").asText()).isEqualTo(KEY_PREFIX + d.get("window").asText());
                    assertThat(request.get("status").asText()).isEqualTo("completed");
                    assertThat(request.get("attempt").asInt()).isEqualTo(1);
                    assertThat(request.get("error").isNull()).isTrue();
                    assertThat(d.get("retrained_now").asBoolean()).isTrue();
                } else {
                    assertThat(d.get("challenger").isNull()).isTrue();
                    assertThat(d.get("request").isNull()).isTrue();
                    assertThat(d.get("retrained_now").asBoolean()).isFalse();
                }
                if (d.get("status").asText().equals("held")) {
                    JsonNode reasons = d.get("reasons");
                    assertThat(reasons.get(reasons.size() - 1).asText()).startsWith("held by ");
                }
                if (d.get("status").asText().equals("no_retrain")) {
                    assertThat(d.get("reasons")).isEmpty();
                }
            }
            assertThat(statuses).isSubsetOf("retrain", "no_retrain", "held");
            assertThat(fired).hasSize(retrains);
            assertThat(summary.at("/retraining/retrains_before").asInt()).isZero();
            assertThat(summary.at("/retraining/decided_now").asInt()).isEqualTo(24);
            assertThat(summary.at("/retraining/replayed").asInt()).isZero();
            assertThat(summary.at("/retraining/resumed")).isEmpty();

            JsonNode datasets = cli.run("datasets", "list", "--name", "seattle-weather-train", "--json").json();
            assertThat(datasets.findValuesAsText("version")).doesNotHaveDuplicates();
            try (Mlops mlops = open()) {
                // one request per retrain decision, no other
                assertThat(mlops.retraining().requests(ProductionReplay.POLICY, MODEL).stream()
                        .map(RetrainingRequest::windowId).toList())
                        .containsExactlyElementsOf(fired.stream().map(d -> d.get("window").asText()).toList());
                for (JsonNode d : fired) {
                    YearMonth month = YearMonth.parse(d.get("window").asText());
                    YearMonth first = month.minusMonths(11);
                    ModelVersion challenger = mlops.registry().getVersion(MODEL, d.get("challenger").asInt())
                            .orElseThrow();
                    assertThat(challenger.tags()).containsEntry("trained_from", first.atDay(1).toString())
                            .containsEntry("trained_through", month.atEndOfMonth().toString())
                            .containsEntry("retraining_decision", "quickstart-monthly/" + MODEL + "/" + month);
                    var run = mlops.tracking().get(challenger.runId()).orElseThrow();
                    assertThat(run.status().name()).isEqualTo("COMPLETED");
                    // its inputs: the serving version it retrains (the request's runLinks()), then the data
                    NodeRef serving = NodeRef.model(MODEL, d.get("serving_version").asInt());
                    assertThat(run.inputs()).hasSize(2);
                    assertThat(run.inputs().get(0).node()).isEqualTo(serving);
                    // the request in the store names the run, which carries the request's tags
                    String key = KEY_PREFIX + month;
                    RetrainingRequest request = mlops.retraining().request(key).orElseThrow();
                    assertThat(request.status()).isEqualTo(RetrainingRequest.Status.COMPLETED);
                    assertThat(request.runId()).contains(run.id());
                    assertThat(d.at("/request/run_id").asText()).isEqualTo(run.id());
                    assertThat(run.tags()).containsEntry(RetrainingRequest.KEY_TAG, key)
                            .containsEntry(RetrainingRequest.WINDOW_TAG, month.toString());
                    assertThat(request.runLinks()).containsExactly(RunLink.input(serving));
                    // lineage: the challenger's upstream reaches its run and the retraining dataset version, and
                    // downstream of the serving version: serving version -> retraining run -> challenger
                    assertThat(mlops.lineage().upstream(challenger.node(), 10).nodes().stream()
                            .map(NodeRef::id).toList()).contains(NodeRef.run(run.id()).id(),
                                    run.inputs().get(1).node().id());
                    assertThat(mlops.lineage().downstream(serving, 10).nodes())
                            .contains(NodeRef.run(run.id()), challenger.node());
                    assertThat(mlops.lineage().path(serving, challenger.node(), 2).orElseThrow())
                            .extracting(e -> e.from().id() + " -> " + e.to().id())
                            .containsExactly(serving.id() + " -> run:" + run.id(),
                                    "run:" + run.id() + " -> " + challenger.node().id());
                    // and so on the command line
                    CliRunner.Result lineage = cli.run("lineage", serving.id(), "--downstream", "--json");
                    assertThat(lineage.exitCode()).as(lineage.err()).isZero();
                    List<String> edges = new ArrayList<>();
                    lineage.json().get("edges").forEach(e -> edges.add(e.get("from").asText() + " -> "
                            + e.get("to").asText()));
                    assertThat(edges).contains(serving.id() + " -> run:" + run.id(),
                            "run:" + run.id() + " -> " + challenger.node().id());
                    Path csv = dir.resolve("qs").resolve("train-" + first + "-to-" + month + ".csv");
                    List<String> expected = new ArrayList<>();
                    expected.add(SeattleWeather.HEADER);
                    DAYS.stream().filter(x -> !YearMonth.from(x.date()).isBefore(first)
                            && !YearMonth.from(x.date()).isAfter(month)).forEach(x -> expected.add(x.line()));
                    assertThat(Files.readAllLines(csv, StandardCharsets.UTF_8)).containsExactlyElementsOf(expected);
                    String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                            .getInstance("SHA-256").digest(Files.readAllBytes(csv)));
                    assertThat(run.inputs().get(1).node().id()).isEqualTo("dataset:seattle-weather-train@" + digest);
                    assertThat(datasets.findValuesAsText("version")).contains(digest);
                }
            }
        }

        @Test
        @DisplayName("promotions: the gate ran for every challenger on the next month with its checks; production"
                + " moved exactly when every check passed, and points at an approved version")
        void promotions() throws Exception {
            JsonNode promotions = summary.get("promotions");
            assertThat(promotions.size()).isPositive();
            assertThat(summary.get("replayed_promotions")).isEmpty();
            promotions.forEach(p -> assertThat(p.get("replayed").asBoolean()).isFalse());
            assertThat(summary.at("/model/production_before").asInt()).isEqualTo(1);
            // step 2 on a fresh store: model 1 takes production directly, and begins the timeline
            assertThat(summary.at("/model/registered_version").asInt()).isEqualTo(1);
            assertThat(summary.at("/model/took_production").asBoolean()).isTrue();
            assertThat(summary.at("/model/timeline_start").asInt()).isEqualTo(1);
            promotions.forEach(p -> assertThat(p.get("source").asText()).isEqualTo("retrain"));
            Map<String, JsonNode> byWindow = new HashMap<>();
            summary.at("/retraining/decisions").forEach(d -> byWindow.put(d.get("window").asText(), d));
            List<Integer> challengers = new ArrayList<>();
            summary.at("/retraining/decisions").forEach(d -> {
                if (d.get("challenger").isInt()) {
                    challengers.add(d.get("challenger").asInt());
                }
            });
            List<Integer> awaiting = new ArrayList<>();
            summary.at("/retraining/awaiting_holdout").forEach(v -> awaiting.add(v.asInt()));
            assertThat(promotions.size() + awaiting.size()).isEqualTo(challengers.size());
            Integer lastPromoted = null;
            try (Mlops mlops = open()) {
                for (JsonNode p : promotions) {
                    int candidate = p.get("candidate").asInt();
                    assertThat(challengers).contains(candidate);
                    JsonNode holdout = byWindow.get(p.get("holdout").asText());
                    // the champion is the version that served the holdout month
                    assertThat(p.get("champion").asInt()).isEqualTo(holdout.get("serving_version").asInt());
                    List<String> names = p.get("checks").findValuesAsText("name");
                    assertThat(names).contains("registry.ready", "registry.approved", "registry.governance",
                            "accuracy.value", "accuracy.absolute_change", "log_loss.relative_change",
                            "significance.holdout_log_loss");
                    boolean allPassed = true;
                    for (JsonNode c : p.get("checks")) {
                        allPassed &= c.get("passed").asBoolean();
                    }
                    assertThat(p.get("promoted").asBoolean()).isEqualTo(allPassed);
                    assertThat(p.get("outcome").asText()).isEqualTo(allPassed ? "PROMOTED" : "FAILED");
                    assertThat(p.get("reasons").size()).isPositive();
                    // the gate's holdout numbers are the two models' on the holdout month
                    YearMonth month = YearMonth.parse(p.get("holdout").asText());
                    List<WeatherDay> batch = DAYS.stream().filter(x -> YearMonth.from(x.date()).equals(month))
                            .toList();
                    ModelVersion version = mlops.registry().getVersion(MODEL, candidate).orElseThrow();
                    double accuracy = load(mlops, version).evaluate(batch).get("accuracy");
                    JsonNode value = null;
                    for (JsonNode c : p.get("checks")) {
                        if (c.get("name").asText().equals("accuracy.value")) {
                            value = c;
                        }
                    }
                    assertThat(value.get("measured").asDouble()).isEqualTo(accuracy);
                    assertThat(version.approval().status().name()).isEqualTo(p.get("approved").asBoolean()
                            ? "APPROVED" : "REJECTED");
                    if (p.get("promoted").asBoolean()) {
                        lastPromoted = candidate;
                    }
                }
                int production = summary.at("/model/production").asInt();
                assertThat(production).isEqualTo(lastPromoted == null ? 1 : lastPromoted);
                assertThat(mlops.registry().model(MODEL).aliases().get("production")).isEqualTo(production);
                assertThat(mlops.registry().getVersion(MODEL, production).orElseThrow().approval().status().name())
                        .isEqualTo("APPROVED");
            }
            List<Integer> versions = new ArrayList<>();
            summary.at("/model/versions").forEach(v -> versions.add(v.asInt()));
            List<Integer> expected = new ArrayList<>(List.of(1));
            expected.addAll(challengers);
            assertThat(versions).containsExactlyElementsOf(expected);

            Path export = dir.resolve("audit.jsonl");
            assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
            long decided = Files.readAllLines(export).stream()
                    .filter(l -> l.contains("\"action\":\"promotion.decided\"")).count();
            assertThat(decided).isEqualTo(promotions.size());
        }

        @Test
        @DisplayName("promotion outcomes on the bundled data: v2 FAILED (2014-02), v3 FAILED (2014-11), v4 PROMOTED"
                + " (2015-01), v5 FAILED (2015-05), v6 awaiting its holdout; production = 4")
        void promotionOutcomes() {
            List<String> outcomes = new ArrayList<>();
            summary.get("promotions").forEach(p -> outcomes.add(p.get("candidate").asInt() + " vs "
                    + p.get("champion").asInt() + " on " + p.get("holdout").asText() + ": "
                    + p.get("outcome").asText() + (p.get("promoted").asBoolean() ? " promoted" : "")));
            assertThat(outcomes).containsExactly(
                    "2 vs 1 on 2014-02: FAILED",
                    "3 vs 1 on 2014-11: FAILED",
                    "4 vs 1 on 2015-01: PROMOTED promoted",
                    "5 vs 4 on 2015-05: FAILED");
            assertThat(summary.at("/retraining/awaiting_holdout").toString()).isEqualTo("[6]");
            assertThat(summary.at("/model/versions").toString()).isEqualTo("[1,2,3,4,5,6]");
            assertThat(summary.at("/model/production").asInt()).isEqualTo(4);
            // the failed ones were rejected by the quickstart, the promoted one approved
            List<Boolean> approved = new ArrayList<>();
            summary.get("promotions").forEach(p -> approved.add(p.get("approved").asBoolean()));
            assertThat(approved).containsExactly(false, false, true, false);
        }

        @Test
        @DisplayName("a failed gate's reasons lead with the holdout checks that failed (the cause); the rejection they"
                + " caused comes last, as their consequence")
        void failedReasonsCauseFirst() {
            int failed = 0;
            for (JsonNode p : summary.get("promotions")) {
                if (p.get("promoted").asBoolean()) {
                    continue;
                }
                failed++;
                int candidate = p.get("candidate").asInt();
                List<String> reasons = new ArrayList<>();
                p.get("reasons").forEach(r -> reasons.add(r.asText()));
                List<String> failedHoldoutChecks = new ArrayList<>();
                for (JsonNode c : p.get("checks")) {
                    String name = c.get("name").asText();
                    if (!c.get("passed").asBoolean() && !name.startsWith("registry.")) {
                        failedHoldoutChecks.add(name);
                    }
                }
                // the cause: at least one holdout check failed, and every reason but the last is one of them
                assertThat(failedHoldoutChecks).as("version %d", candidate).isNotEmpty();
                assertThat(reasons).as("version %d", candidate).hasSize(failedHoldoutChecks.size() + 1);
                for (String r : reasons.subList(0, reasons.size() - 1)) {
                    assertThat(r).as("version %d", candidate).doesNotContain("REJECTED").doesNotContain("APPROVED");
                }
                assertThat(reasons.get(0)).as("version %d", candidate)
                        .doesNotStartWith("version " + candidate).doesNotStartWith("guarded alias");
                // the consequence, last
                assertThat(reasons.get(reasons.size() - 1)).as("version %d", candidate)
                        .startsWith("so the version was rejected and cannot take 'production': ")
                        .endsWith("version " + candidate + " of model " + MODEL + " is REJECTED");
            }
            assertThat(failed).isEqualTo(3);
            // version 5's three failed holdout checks, in the gate's order
            JsonNode v5 = summary.at("/promotions/3");
            assertThat(v5.get("candidate").asInt()).isEqualTo(5);
            assertThat(v5.at("/reasons/0").asText()).startsWith("accuracy (higher is better)");
            assertThat(v5.at("/reasons/1").asText()).startsWith("log_loss (lower is better)");
            assertThat(v5.at("/reasons/2").asText()).startsWith("holdout_log_loss (lower is better)");
        }

        @Test
        @DisplayName("the audit log is intact and the drift report is well-formed XHTML without scripts")
        void auditAndReport() throws Exception {
            assertThat(summary.at("/audit/ok").asBoolean()).isTrue();
            JsonNode verify = cli.run("audit", "verify", "--json").json();
            assertThat(verify.get("ok").asBoolean()).isTrue();
            assertThat(summary.at("/audit/events").asLong()).isEqualTo(verify.get("events").asLong());

            Path html = dir.resolve("qs").resolve("drift-report.html");
            assertThat(summary.at("/drift_report/path").asText()).isEqualTo(html.toString());
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document doc = f.newDocumentBuilder().parse(html.toFile());
            assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/1999/xhtml");
            assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
            NodeList all = doc.getElementsByTagNameNS("*", "*");
            List<String> drifting = new ArrayList<>();
            for (int i = 0; i < all.getLength(); i++) {
                Element e = (Element) all.item(i);
                NamedNodeMap attributes = e.getAttributes();
                for (int a = 0; a < attributes.getLength(); a++) {
                    assertThat(attributes.item(a).getNodeName().toLowerCase()).doesNotStartWith("on");
                }
                if (e.getLocalName().equals("section") && e.getAttribute("class").equals("column drift")) {
                    drifting.add(e.getElementsByTagNameNS("*", "h2").item(0).getTextContent());
                }
            }
            assertThat(doc.getElementsByTagNameNS("*", "title").item(0).getTextContent()).contains("2014-2015");
            List<String> reported = new ArrayList<>();
            summary.at("/drift_report/drifted_columns").forEach(c -> reported.add(c.asText()));
            assertThat(drifting).hasSameSizeAs(reported);
            for (String column : reported) {
                assertThat(drifting).anyMatch(h -> h.contains(column));
            }
            // the analyzer's default rule: the dataset drifts when at least half of the 5 columns drift
            assertThat(summary.at("/drift_report/dataset_drift").asBoolean()).isEqualTo(reported.size() * 2 >= 5);
        }

        @Test
        @DisplayName("the training dataset and run fields of the contract are kept")
        void keptFields() throws Exception {
            Path train = dir.resolve("qs").resolve("train.csv");
            assertThat(summary.at("/store").asText()).startsWith("sqlite:");
            assertThat(summary.at("/training_dataset/name").asText()).isEqualTo("seattle-weather-train");
            assertThat(summary.at("/training_dataset/path").asText()).isEqualTo(train.toString());
            assertThat(summary.at("/training_dataset/version").asText()).matches("sha256:[0-9a-f]{64}");
            assertThat(summary.at("/model/name").asText()).isEqualTo(MODEL);
            assertThat(summary.at("/run/status").asText()).isEqualTo("COMPLETED");
        }

        private Mlops open() {
            return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                    .artifactUri("file:" + dir.resolve("artifacts")).build();
        }
    }

    @Test
    @DisplayName("twice on one store: the second run trains and registers a new version in a new run (same dataset"
            + " version), gates it against the champion, and gets the policy's stored decisions, retrains and gate"
            + " verdicts back as replayed, each month observed with the version that served it the first time")
    void twice(@TempDir Path dir) throws Exception {
        CliRunner cli = new CliRunner(dir);
        CliRunner.Result first = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
        assertThat(first.exitCode()).as(first.err()).isZero();
        JsonNode datasetsBefore = cli.run("datasets", "list", "--json").json();
        JsonNode runsBefore = cli.run("runs", "list", "--json").json();
        CliRunner.Result second = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        JsonNode a = first.json();
        JsonNode b = second.json();
        // the same bytes are the same dataset version: no dataset version added
        assertThat(cli.run("datasets", "list", "--json").json()).isEqualTo(datasetsBefore);
        assertThat(b.at("/training_dataset/created").asBoolean()).isFalse();
        assertThat(b.at("/training_dataset/version")).isEqualTo(a.at("/training_dataset/version"));

        // step 2 trained again: one new run (this run's), reading the same dataset version
        JsonNode runsAfter = cli.run("runs", "list", "--json").json();
        assertThat(runsAfter.size()).isEqualTo(runsBefore.size() + 1);
        assertThat(runsBefore.findValuesAsText("id")).doesNotContain(b.at("/run/id").asText());
        assertThat(runsAfter.findValuesAsText("id")).contains(b.at("/run/id").asText())
                .containsAll(runsBefore.findValuesAsText("id"));
        assertThat(b.at("/run/status").asText()).isEqualTo("COMPLETED");
        // and registered a new version, produced by that run, approved; production was set, so it is a challenger
        int v = b.at("/model/registered_version").asInt();
        List<Integer> versionsA = new ArrayList<>();
        a.at("/model/versions").forEach(x -> versionsA.add(x.asInt()));
        List<Integer> versionsB = new ArrayList<>();
        b.at("/model/versions").forEach(x -> versionsB.add(x.asInt()));
        List<Integer> expectedVersions = new ArrayList<>(versionsA);
        expectedVersions.add(versionsA.size() + 1);
        assertThat(versionsB).containsExactlyElementsOf(expectedVersions);
        assertThat(v).isEqualTo(versionsA.size() + 1);
        assertThat(b.at("/model/took_production").asBoolean()).isFalse();
        assertThat(b.at("/model/production_before")).isEqualTo(a.at("/model/production"));
        assertThat(b.at("/model/approval").asText()).isEqualTo("APPROVED");
        // the timeline still begins with the first run's model 1
        assertThat(b.at("/model/timeline_start").asInt()).isEqualTo(1);
        try (Mlops mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).build()) {
            ModelVersion mv = mlops.registry().getVersion(MODEL, v).orElseThrow();
            assertThat(mv.runId()).isEqualTo(b.at("/run/id").asText());
            assertThat(mv.tags()).containsEntry("trained_from", "2012-01-01")
                    .containsEntry("trained_through", "2013-12-31").doesNotContainKey("retraining_decision");
            var run = mlops.tracking().get(mv.runId()).orElseThrow();
            assertThat(run.inputs()).hasSize(1);
            assertThat(run.inputs().get(0).node().id()).isEqualTo("dataset:seattle-weather-train@"
                    + a.at("/training_dataset/version").asText());

            // its gate: the same gate, against the champion the first run left, on the last month (unseen by both)
            JsonNode promotions = b.at("/promotions");
            assertThat(promotions).hasSize(1);
            JsonNode gate = promotions.get(0);
            int champion = a.at("/model/production").asInt();
            assertThat(gate.get("source").asText()).isEqualTo("step_2");
            assertThat(gate.get("replayed").asBoolean()).isFalse();
            assertThat(gate.get("candidate").asInt()).isEqualTo(v);
            assertThat(gate.get("champion").asInt()).isEqualTo(champion);
            assertThat(gate.get("holdout").asText()).isEqualTo("2015-12");
            assertThat(gate.get("approved").asBoolean()).isTrue();
            assertThat(LocalDate.parse(mlops.registry().getVersion(MODEL, champion).orElseThrow().tags()
                    .get("trained_through"))).isBefore(LocalDate.of(2015, 12, 1));
            assertThat(gate.get("checks").findValuesAsText("name")).contains("registry.ready", "registry.approved",
                    "accuracy.value", "accuracy.absolute_change", "log_loss.relative_change",
                    "significance.holdout_log_loss");
            // a step 2 model (2012-2013 data) must be strictly better than the champion: superiority on the holdout
            // log loss; the interval of version 7 against version 4 on 2015-12 is not above 0, so it stays out
            assertThat(champion).isEqualTo(4);
            assertThat(v).isEqualTo(7);
            assertThat(gate.get("promoted").asBoolean()).isFalse();
            assertThat(gate.get("outcome").asText()).isEqualTo("FAILED");
            List<String> failed = new ArrayList<>();
            for (JsonNode c : gate.get("checks")) {
                if (!c.get("passed").asBoolean()) {
                    failed.add(c.get("name").asText());
                }
                if (c.get("name").asText().equals("significance.holdout_log_loss")) {
                    assertThat(c.get("threshold").asDouble()).isEqualTo(ProductionReplay.STEP_2_SUPERIORITY);
                    assertThat(c.get("measured").asDouble()).isLessThanOrEqualTo(0.0);
                }
            }
            assertThat(failed).containsExactly("significance.holdout_log_loss");
            assertThat(gate.at("/reasons/0").asText()).startsWith("holdout_log_loss (lower is better)")
                    .contains("lower end <= minimum 0:").contains("champion (version 4)");
            List<WeatherDay> december = DAYS.stream().filter(x -> YearMonth.from(x.date())
                    .equals(YearMonth.of(2015, 12))).toList();
            for (JsonNode c : gate.get("checks")) {
                if (c.get("name").asText().equals("accuracy.value")) {
                    assertThat(c.get("measured").asDouble()).isEqualTo(load(mlops, mv).evaluate(december)
                            .get("accuracy"));
                }
            }
            // production moved only through that gate: it stays on version 4
            int production = b.at("/model/production").asInt();
            assertThat(production).isEqualTo(4);
            assertThat(mlops.registry().model(MODEL).aliases().get("production")).isEqualTo(production);
        }

        // every window's stored decision comes back, marked as replayed, with the same observation (same serving
        // version, so the same drift and metrics) and the same request, and none is acted on again
        assertThat(a.at("/retraining/retrains").asInt()).isPositive();
        assertThat(b.at("/retraining/retrains").asInt()).isZero();
        assertThat(b.at("/retraining/retrains_before")).isEqualTo(a.at("/retraining/retrains"));
        assertThat(b.at("/retraining/decided_now").asInt()).isZero();
        assertThat(b.at("/retraining/replayed").asInt()).isEqualTo(24);
        assertThat(b.at("/retraining/resumed")).isEmpty();
        assertThat(b.at("/retraining/awaiting_holdout")).isEqualTo(a.at("/retraining/awaiting_holdout"));
        for (int i = 0; i < 24; i++) {
            JsonNode da = a.at("/retraining/decisions/" + i);
            JsonNode db = b.at("/retraining/decisions/" + i);
            String window = db.get("window").asText();
            assertThat(da.get("decided_now").asBoolean()).isTrue();
            assertThat(da.get("replayed").asBoolean()).isFalse();
            assertThat(db.get("decided_now").asBoolean()).as(window).isFalse();
            assertThat(db.get("replayed").asBoolean()).as(window).isTrue();
            assertThat(db.get("retrained_now").asBoolean()).as(window).isFalse();
            for (String field : List.of("window", "retrain", "status", "reasons", "serving_version", "accuracy",
                    "log_loss", "drifted_columns", "challenger", "request")) {
                assertThat(db.get(field)).as(window + " " + field).isEqualTo(da.get(field));
            }
        }
        assertThat(b.get("monitoring")).isEqualTo(a.get("monitoring"));

        // no gate of the timeline ran again; the first run's verdicts are reported as replayed, from the audit log
        assertThat(a.at("/promotions").size()).isPositive();
        assertThat(a.at("/replayed_promotions")).isEmpty();
        JsonNode replayed = b.at("/replayed_promotions");
        assertThat(replayed).hasSameSizeAs(a.at("/promotions"));
        for (int i = 0; i < replayed.size(); i++) {
            JsonNode pa = a.at("/promotions/" + i);
            JsonNode pb = replayed.get(i);
            assertThat(pb.get("replayed").asBoolean()).isTrue();
            assertThat(pb.get("source").asText()).isEqualTo("retrain");
            for (String field : List.of("candidate", "champion", "promoted", "outcome", "holdout")) {
                assertThat(pb.get(field)).as(i + " " + field).isEqualTo(pa.get(field));
            }
        }

        // the second run wrote: its run, its version, its approval, its gate; the chain is intact
        assertThat(b.at("/audit/ok").asBoolean()).isTrue();
        assertThat(b.at("/audit/events").asLong()).isGreaterThan(a.at("/audit/events").asLong());
        assertThat(cli.run("audit", "verify").exitCode()).isZero();
        Path export = dir.resolve("audit.jsonl");
        assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
        long decided = Files.readAllLines(export).stream()
                .filter(l -> l.contains("\"action\":\"promotion.decided\"")).count();
        assertThat(decided).isEqualTo(a.at("/promotions").size() + 1);
        assertThat(second.err()).contains("(stored decision, replayed)").contains("ran before")
                .contains("this run's model");
    }

    @Test
    @DisplayName("again after production was pointed by hand at a model trained through 2015-12: no month is unseen by"
            + " both, so this run's version is not gated (awaiting a holdout) and production stays")
    void againWithoutAnUnseenMonth(@TempDir Path dir) throws Exception {
        CliRunner cli = new CliRunner(dir);
        CliRunner.Result first = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
        assertThat(first.exitCode()).as(first.err()).isZero();
        int manual;
        try (Mlops mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).build()) {
            RainClassifier all = RainClassifier.train(DAYS, RainClassifier.LEARNING_RATE, RainClassifier.EPOCHS,
                    RainClassifier.L2, (epoch, m) -> { });
            Path file = dir.resolve("all-years.json");
            Files.writeString(file, JSON.writeValueAsString(all.toJson()), StandardCharsets.UTF_8);
            ModelVersion v = mlops.registry().newVersion(MODEL).tag("trained_from", "2012-01-01")
                    .tag("trained_through", "2015-12-31").metric("train_accuracy", all.evaluate(DAYS).get("accuracy"))
                    .upload(file);
            mlops.registry().approve(MODEL, v.version(), "by hand: every day of 2012-2015");
            mlops.registry().setAlias(MODEL, "production", v.version());
            manual = v.version();
        }
        long decidedBefore = auditActions(cli, dir, "promotion.decided");
        CliRunner.Result second = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        JsonNode b = second.json();
        int own = b.at("/model/registered_version").asInt();
        assertThat(own).isEqualTo(manual + 1);
        assertThat(b.at("/model/took_production").asBoolean()).isFalse();
        assertThat(b.at("/model/production").asInt()).isEqualTo(manual);
        assertThat(b.at("/promotions")).isEmpty();
        List<Integer> awaiting = new ArrayList<>();
        b.at("/retraining/awaiting_holdout").forEach(x -> awaiting.add(x.asInt()));
        List<Integer> expected = new ArrayList<>();
        first.json().at("/retraining/awaiting_holdout").forEach(x -> expected.add(x.asInt()));
        expected.add(own);
        assertThat(awaiting).containsExactlyElementsOf(expected);
        // no verdict was audited for it
        assertThat(auditActions(cli, dir, "promotion.decided")).isEqualTo(decidedBefore);
        assertThat(second.err()).contains("is not gated: no month up to 2015-12 is unseen by both");
        // the timeline is still the first run's
        assertThat(b.at("/model/timeline_start").asInt()).isEqualTo(1);
        assertThat(b.at("/retraining/decisions")).hasSize(24);
        for (int i = 0; i < 24; i++) {
            assertThat(b.at("/retraining/decisions/" + i + "/serving_version"))
                    .isEqualTo(first.json().at("/retraining/decisions/" + i + "/serving_version"));
        }
    }

    private static long auditActions(CliRunner cli, Path dir, String action) throws Exception {
        Path export = Files.createTempFile(dir, "audit", ".jsonl");
        assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
        return Files.readAllLines(export).stream().filter(l -> l.contains("\"action\":\"" + action + "\""))
                .count();
    }

    /** A clock the backtest moves. */
    private static final class MutableClock extends Clock {
        volatile Instant now = Instant.EPOCH;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return Clock.fixed(now, zone);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    // ---- independent recomputation ----

    private static WindowReport independentWindow(List<WeatherDay> reference, List<WeatherDay> batch,
            YearMonth month) {
        DatasetProfiler p = DatasetProfiler.builder().numeric("precipitation", "temp_max", "temp_min", "wind")
                .categorical("weather").build();
        for (WeatherDay d : reference) {
            p.column("precipitation").add(d.precipitation());
            p.column("temp_max").add(d.tempMax());
            p.column("temp_min").add(d.tempMin());
            p.column("wind").add(d.wind());
            p.column("weather").add(d.weather());
        }
        DatasetProfile profile = p.toProfile();
        double n = batch.size();
        double m = reference.size();
        double ks = Math.sqrt(-Math.log(0.01 / 2) / 2) * Math.sqrt((n + m) / (n * m));
        double share = 2.5758293035489 * Math.sqrt(0.25 / n + 0.25 / m);
        List<WindowReport> reports = new ArrayList<>();
        Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        try (DriftMonitor monitor = DriftMonitor.builder(profile).windowRows(batch.size())
                .ksThreshold(ks).shareThreshold(share).minValues(20)
                .clock(Clock.fixed(start, ZoneOffset.UTC)).listener(reports::add).build()) {
            for (WeatherDay d : batch) {
                monitor.record(new double[] {d.precipitation(), d.tempMax(), d.tempMin(), d.wind()},
                        new String[] {d.weather()});
            }
        }
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).rows()).isEqualTo(batch.size());
        return reports.get(0);
    }

    private static double[] values(List<WeatherDay> days, String column) {
        return days.stream().mapToDouble(d -> switch (column) {
            case "precipitation" -> d.precipitation();
            case "temp_max" -> d.tempMax();
            case "temp_min" -> d.tempMin();
            case "wind" -> d.wind();
            default -> throw new IllegalArgumentException(column);
        }).toArray();
    }

    /** The two-sample Kolmogorov-Smirnov distance, from the sorted samples. */
    private static double exactKs(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length || j < y.length) {
            double v = i < x.length && (j >= y.length || x[i] <= y[j]) ? x[i] : y[j];
            while (i < x.length && x[i] == v) {
                i++;
            }
            while (j < y.length && y[j] == v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        return d;
    }

    private static RainClassifier load(Mlops mlops, ModelVersion version) throws Exception {
        try (InputStream in = mlops.artifacts().open(version.digest())) {
            return RainClassifier.fromJson(JSON.readValue(in, new TypeReference<Map<String, Object>>() { }));
        }
    }
}
