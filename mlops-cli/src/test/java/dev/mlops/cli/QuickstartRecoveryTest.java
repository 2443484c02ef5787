package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.cli.quickstart.InitialModel;
import dev.mlops.cli.quickstart.ProductionReplay;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.data.DatasetVersion;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Observation;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingHandler;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.tracking.RunQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quickstart that died part-way, continued by the next {@code mlops quickstart} on the same store. The crashed run
 * is the quickstart's own replay ({@link InitialModel}, {@link ProductionReplay}) driven through the library, with a
 * {@link Retraining} that dies at the 2014-10 retrain decision (the second one); the next run must finish that
 * retrain exactly once and end where an uninterrupted run ends, besides the model its own step 2 trains and gates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickstartRecoveryTest {
    private static final String MODEL = "seattle-rain-classifier";
    private static final String DATASET = "seattle-weather-train";
    private static final List<WeatherDay> DAYS = SeattleWeather.load();
    private static final YearMonth FIRST = YearMonth.of(2014, 1);
    private static final YearMonth LAST = YearMonth.of(2015, 12);
    private static final String CRASH_WINDOW = "2014-10";
    private static final String CRASH_KEY = ProductionReplay.POLICY + "/" + MODEL + "/" + CRASH_WINDOW;

    /** An uninterrupted quickstart on its own store: what the continued one must end with. */
    JsonNode clean;
    /** What each version of the clean run's store is ({@link #identities}). */
    Map<Integer, String> cleanIdentities;

    @BeforeAll
    void cleanRun(@TempDir Path dir) {
        CliRunner.Result r = new CliRunner(dir).run("quickstart", "--data-dir", dir.resolve("qs").toString(),
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        clean = r.json();
        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            cleanIdentities = identities(mlops);
        }
        // the crash window is the clean run's second retrain decision
        assertThat(clean.at("/retraining/decisions/9/window").asText()).isEqualTo(CRASH_WINDOW);
        assertThat(clean.at("/retraining/decisions/9/retrain").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("died after storing the retrain decision, before its request: the next quickstart creates the"
            + " request and retrains once (resumePending), then continues the timeline to the clean run's end")
    void diedAfterTheDecision(@TempDir Path dir) throws Exception {
        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            Retraining real = mlops.retraining(ProductionReplay.RETRAIN_TIMEOUT, 1);
            Retraining dying = new Delegating(real) {
                @Override
                public Outcome act(RetrainingPolicy policy, Decision decision, RetrainingHandler handler) {
                    if (decision.windowId().equals(CRASH_WINDOW)) {
                        throw new Died();
                    }
                    return real.act(policy, decision, handler);
                }
            };
            crashedReplay(mlops, dir, dying);
            // the state the crash left: the decision is stored, nothing acted on it
            RetrainingPolicies policies = mlops.policies();
            assertThat(policies.decision(ProductionReplay.POLICY, MODEL, CRASH_WINDOW)).get()
                    .extracting(Decision::retrain).isEqualTo(true);
            assertThat(real.request(CRASH_KEY)).isEmpty();
            assertThat(versionsOf(mlops, CRASH_KEY)).isEmpty();
        }

        JsonNode b = continued(dir);
        JsonNode resumed = b.at("/retraining/resumed");
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0).get("key").asText()).isEqualTo(CRASH_KEY);
        assertThat(resumed.get(0).get("status").asText()).isEqualTo("completed");
        assertThat(resumed.get(0).get("attempt").asInt()).isEqualTo(1);
        assertEndsLikeTheCleanRun(dir, b, 1);
    }

    @Test
    @DisplayName("died inside the retraining handler after it registered the challenger (request left running): the"
            + " next quickstart hands it out again as attempt 2, which finds the registered version and trains nothing")
    void diedInsideTheHandler(@TempDir Path dir) throws Exception {
        // the crashed process ran an hour ago, so its running request is older than the retrain time-box
        Clock anHourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        try (Mlops mlops = open(dir, anHourAgo)) {
            Retraining real = mlops.retraining(ProductionReplay.RETRAIN_TIMEOUT, 1);
            Retraining dying = new Delegating(real) {
                @Override
                public Outcome act(RetrainingPolicy policy, Decision decision, RetrainingHandler handler) {
                    if (!decision.windowId().equals(CRASH_WINDOW)) {
                        return real.act(policy, decision, handler);
                    }
                    CountDownLatch registered = new CountDownLatch(1);
                    RetrainingHandler hangs = request -> {
                        Optional<String> run = handler.retrain(request);
                        registered.countDown();
                        Thread.sleep(Long.MAX_VALUE); // the process dies here; interrupted below
                        return run;
                    };
                    AtomicReference<Outcome> outcome = new AtomicReference<>();
                    Thread caller = new Thread(() -> outcome.set(real.act(policy, decision, hangs)));
                    caller.start();
                    try {
                        registered.await();
                        caller.interrupt();
                        caller.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    assertThat(outcome.get().request()).get().extracting(RetrainingRequest::status)
                            .isEqualTo(RetrainingRequest.Status.RUNNING);
                    throw new Died();
                }
            };
            crashedReplay(mlops, dir, dying);
            RetrainingRequest left = real.request(CRASH_KEY).orElseThrow();
            assertThat(left.status()).isEqualTo(RetrainingRequest.Status.RUNNING);
            assertThat(left.attempt()).isEqualTo(1);
            assertThat(versionsOf(mlops, CRASH_KEY)).hasSize(1);
        }

        JsonNode b = continued(dir);
        JsonNode resumed = b.at("/retraining/resumed");
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0).get("key").asText()).isEqualTo(CRASH_KEY);
        assertThat(resumed.get(0).get("status").asText()).isEqualTo("completed");
        assertThat(resumed.get(0).get("attempt").asInt()).isEqualTo(2);
        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            ModelVersion challenger = versionsOf(mlops, CRASH_KEY).get(0);
            assertThat(resumed.get(0).get("run_id").asText()).isEqualTo(challenger.runId());
        }
        assertEndsLikeTheCleanRun(dir, b, 2);
    }

    @Test
    @DisplayName("died between reviewing a challenger (its claim on the gate) and the gate's verdict: the next"
            + " quickstart finds the review older than GATE_WAIT without a verdict, gates the challenger itself, once,"
            + " and ends with the clean run's verdicts")
    void diedBetweenTheReviewAndTheVerdict(@TempDir Path dir) throws Exception {
        // the crashed process ran an hour ago, so its review is older than GATE_WAIT
        Clock anHourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        int reviewed;
        try (Mlops mlops = open(dir, anHourAgo)) {
            Retraining real = mlops.retraining(ProductionReplay.RETRAIN_TIMEOUT, 1);
            Retraining dying = new Delegating(real) {
                @Override
                public Outcome act(RetrainingPolicy policy, Decision decision, RetrainingHandler handler) {
                    Outcome outcome = real.act(policy, decision, handler);
                    if (decision.windowId().equals(CRASH_WINDOW)) {
                        // the challenger's review, as the gate of 2014-11 does first; then the process dies
                        ModelVersion challenger = versionsOf(mlops, CRASH_KEY).get(0);
                        mlops.registry().reject(MODEL, challenger.version(), "quickstart: failed the promotion"
                                + " gate on the 2014-11 holdout");
                        throw new Died();
                    }
                    return outcome;
                }
            };
            crashedReplay(mlops, dir, dying);
            ModelVersion challenger = versionsOf(mlops, CRASH_KEY).get(0);
            reviewed = challenger.version();
            assertThat(challenger.approval().status().name()).isEqualTo("REJECTED");
            assertThat(decidedEvents(mlops)).doesNotContainKey("model:" + MODEL + "/" + reviewed);
        }

        CliRunner.Result r = new CliRunner(dir).run("quickstart", "--data-dir", dir.resolve("qs").toString(),
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("version " + reviewed + " was reviewed more than "
                + ProductionReplay.GATE_WAIT.toSeconds() + " s ago without a gate verdict");
        JsonNode b = r.json();
        // the gate of the reviewed challenger ran in this run, with the clean run's outcome and numbers
        JsonNode gate = null;
        for (JsonNode p : b.get("promotions")) {
            if (p.get("candidate").asInt() == reviewed) {
                gate = p;
            }
        }
        assertThat(gate).isNotNull();
        JsonNode cleanGate = clean.at("/promotions/1");
        assertThat(cleanGate.get("holdout").asText()).isEqualTo("2014-11");
        for (String field : List.of("holdout", "outcome", "promoted", "approved", "reasons", "checks")) {
            assertThat(gate.get(field)).as(field).isEqualTo(cleanGate.get(field));
        }
        // every timeline verdict is the clean run's, by holdout month; production ends where the clean run's did
        List<String> outcomes = new ArrayList<>();
        b.get("replayed_promotions").forEach(p -> outcomes.add(p.get("holdout").asText() + " "
                + p.get("outcome").asText()));
        b.get("promotions").forEach(p -> {
            if (p.get("source").asText().equals("retrain")) {
                outcomes.add(p.get("holdout").asText() + " " + p.get("outcome").asText());
            }
        });
        List<String> cleanOutcomes = new ArrayList<>();
        clean.get("promotions").forEach(p -> cleanOutcomes.add(p.get("holdout").asText() + " "
                + p.get("outcome").asText()));
        assertThat(outcomes).containsExactlyElementsOf(cleanOutcomes);
        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            Map<String, Integer> decided = decidedEvents(mlops);
            assertThat(decided).containsEntry("model:" + MODEL + "/" + reviewed, 1);
            decided.forEach((subject, count) -> assertThat(count).as(subject).isEqualTo(1));
            assertThat(identities(mlops).get(b.at("/model/production").asInt()))
                    .isEqualTo(cleanIdentities.get(clean.at("/model/production").asInt()));
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    /** The number of {@code promotion.decided} audit events per subject. */
    private static Map<String, Integer> decidedEvents(Mlops mlops) {
        Map<String, Integer> out = new TreeMap<>();
        long after = 0;
        while (true) {
            var page = mlops.audit().events(after, PageRequest.first(1000));
            for (var e : page.items()) {
                after = Math.max(after, e.seq());
                if (e.action().equals("promotion.decided")) {
                    out.merge(e.subject(), 1, Integer::sum);
                }
            }
            if (page.items().isEmpty() || page.next().isEmpty()) {
                return out;
            }
        }
    }

    /**
     * The continued run ended as the clean run did: the same per-month decisions, serving versions and challengers,
     * the same verdicts of the timeline (those before the crash replayed), and exactly one request, one version and
     * one training run per retrain decision; besides, its step 2 trained a model of its own in a new run and
     * registered it (before the resumed retrain, so the later challengers' numbers are one higher than in the clean
     * run: versions are compared by what they are, {@link #identities}), which the gate then compared with the
     * champion the timeline left, and {@code production} is that champion unless the gate promoted the new model.
     */
    private void assertEndsLikeTheCleanRun(Path dir, JsonNode b, int crashAttempt) {
        Map<Integer, String> ids;
        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            ids = identities(mlops);
        }
        int own = b.at("/model/registered_version").asInt();
        assertThat(b.at("/model/took_production").asBoolean()).isFalse();
        assertThat(b.at("/model/timeline_start").asInt()).isEqualTo(1);
        assertThat(ids.get(own)).isEqualTo("step 2 model, version " + own);
        List<String> expectedVersions = new ArrayList<>(same(cleanIdentities, clean.at("/model/versions")));
        expectedVersions.add(ids.get(own));
        assertThat(same(ids, b.at("/model/versions"))).containsExactlyInAnyOrderElementsOf(expectedVersions);
        assertThat(b.get("monitoring")).isEqualTo(clean.get("monitoring"));
        int crash = 9;
        for (int i = 0; i < 24; i++) {
            JsonNode dc = clean.at("/retraining/decisions/" + i);
            JsonNode db = b.at("/retraining/decisions/" + i);
            String window = db.get("window").asText();
            for (String field : List.of("window", "retrain", "status", "reasons", "accuracy", "log_loss",
                    "drifted_columns")) {
                assertThat(db.get(field)).as(window + " " + field).isEqualTo(dc.get(field));
            }
            for (String field : List.of("serving_version", "challenger")) {
                assertThat(identity(ids, db.get(field))).as(window + " " + field)
                        .isEqualTo(identity(cleanIdentities, dc.get(field)));
            }
            // the crashed run decided up to the crash window; the continued one decided the rest
            assertThat(db.get("replayed").asBoolean()).as(window).isEqualTo(i <= crash);
            boolean retrain = db.get("retrain").asBoolean();
            assertThat(db.get("retrained_now").asBoolean()).as(window).isEqualTo(retrain && i >= crash);
            if (retrain) {
                assertThat(db.at("/request/status").asText()).isEqualTo("completed");
                assertThat(db.at("/request/attempt").asInt()).isEqualTo(i == crash ? crashAttempt : 1);
            }
        }
        int retrains = clean.at("/retraining/retrains").asInt();
        assertThat(b.at("/retraining/retrains_before").asInt()).isEqualTo(1);
        assertThat(b.at("/retraining/retrains").asInt()).isEqualTo(retrains - 1);
        assertThat(b.at("/retraining/replayed").asInt()).isEqualTo(crash + 1);

        // the gate of the challenger before the crash ran in the crashed run; the others in the continued one, and
        // last the gate of the continued run's own model
        List<JsonNode> verdicts = new ArrayList<>();
        b.at("/replayed_promotions").forEach(verdicts::add);
        assertThat(verdicts).hasSize(1);
        b.at("/promotions").forEach(verdicts::add);
        JsonNode ownGate = verdicts.remove(verdicts.size() - 1);
        assertThat(verdicts).hasSameSizeAs(clean.at("/promotions"));
        for (int i = 0; i < verdicts.size(); i++) {
            JsonNode p = verdicts.get(i);
            JsonNode c = clean.at("/promotions/" + i);
            assertThat(p.get("source").asText()).isEqualTo("retrain");
            for (String field : List.of("promoted", "outcome", "holdout")) {
                assertThat(p.get(field)).as(i + " " + field).isEqualTo(c.get(field));
            }
            for (String field : List.of("candidate", "champion")) {
                assertThat(identity(ids, p.get(field))).as(i + " " + field)
                        .isEqualTo(identity(cleanIdentities, c.get(field)));
            }
        }
        String cleanProduction = identity(cleanIdentities, clean.at("/model/production"));
        assertThat(ownGate.get("source").asText()).isEqualTo("step_2");
        assertThat(ownGate.get("candidate").asInt()).isEqualTo(own);
        assertThat(identity(ids, ownGate.get("champion"))).isEqualTo(cleanProduction);
        assertThat(identity(ids, b.at("/model/production"))).isEqualTo(ownGate.get("promoted").asBoolean()
                ? ids.get(own) : cleanProduction);

        try (Mlops mlops = open(dir, Clock.systemUTC())) {
            List<RetrainingRequest> requests = mlops.retraining().requests(ProductionReplay.POLICY, MODEL);
            List<String> windows = new ArrayList<>();
            clean.at("/retraining/decisions").forEach(d -> {
                if (d.get("retrain").asBoolean()) {
                    windows.add(d.get("window").asText());
                }
            });
            assertThat(requests.stream().map(RetrainingRequest::windowId).toList())
                    .containsExactlyElementsOf(windows);
            for (RetrainingRequest r : requests) {
                assertThat(r.status()).as(r.windowId()).isEqualTo(RetrainingRequest.Status.COMPLETED);
                List<ModelVersion> versions = versionsOf(mlops, r.idempotencyKey());
                assertThat(versions).as(r.windowId()).hasSize(1);
                assertThat(r.runId()).contains(versions.get(0).runId());
                assertThat(mlops.tracking().search(RunQuery.builder().tag(RetrainingRequest.KEY_TAG,
                        r.idempotencyKey()).build(), PageRequest.first(100)).items()).as(r.windowId()).hasSize(1);
            }
            // two step 2 models: the crashed run's (version 1, which began the timeline) and the continued run's
            assertThat(ids.values().stream().filter(x -> x.startsWith("step 2")).toList())
                    .containsExactly("step 2 model, version 1", "step 2 model, version " + own);
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    /**
     * What each version of the store is, independent of its number: a retrain decision's challenger by the decision's
     * key, a model of step 2 (trained on 2012-2013, no decision) by its number.
     */
    private static Map<Integer, String> identities(Mlops mlops) {
        Map<Integer, String> out = new TreeMap<>();
        for (ModelVersion v : mlops.registry().searchVersions(VersionQuery.of(MODEL), PageRequest.first(100))
                .items()) {
            String key = v.tags().get(ProductionReplay.RETRAINING_DECISION);
            if (key != null) {
                out.put(v.version(), "challenger of " + key);
            } else {
                assertThat(v.tags()).as(v.ref()).containsEntry(ProductionReplay.TRAINED_FROM, "2012-01-01")
                        .containsEntry(ProductionReplay.TRAINED_THROUGH, "2013-12-31");
                out.put(v.version(), "step 2 model, version " + v.version());
            }
        }
        return out;
    }

    private static String identity(Map<Integer, String> ids, JsonNode version) {
        if (version == null || version.isNull()) {
            return null;
        }
        assertThat(ids).containsKey(version.asInt());
        return ids.get(version.asInt());
    }

    private static List<String> same(Map<Integer, String> ids, JsonNode versions) {
        List<String> out = new ArrayList<>();
        versions.forEach(v -> out.add(identity(ids, v)));
        return out;
    }

    /** The crashed quickstart: steps 1 and 2, then the replay, which dies at the crash window. */
    private void crashedReplay(Mlops mlops, Path dir, Retraining dying) throws Exception {
        Path qs = Files.createDirectories(dir.resolve("qs"));
        List<WeatherDay> train = DAYS.stream().filter(d -> d.date().getYear() <= 2013).toList();
        List<WeatherDay> holdout = DAYS.stream().filter(d -> d.date().getYear() == 2014).toList();
        StringBuilder csv = new StringBuilder(SeattleWeather.HEADER).append('\n');
        train.forEach(d -> csv.append(d.line()).append('\n'));
        Files.writeString(qs.resolve("train.csv"), csv.toString(), StandardCharsets.UTF_8);
        DatasetVersion data = mlops.datasets().register(DATASET, qs.resolve("train.csv")).value();
        InitialModel.Result initial = InitialModel.train(mlops, MODEL, "train-rain-classifier", data, train,
                holdout, qs.resolve("model.json"), InitialModel.GOVERNANCE, line -> { });
        assertThat(initial.tookProduction()).isTrue();
        ProductionReplay.SettableClock clock = new ProductionReplay.SettableClock(ProductionReplay.start(FIRST));
        ProductionReplay replay = new ProductionReplay(mlops, MODEL, DATASET, qs, DAYS,
                mlops.policies(DetectorFactory.standard(), clock), dying, clock, line -> { });
        assertThatThrownBy(() -> replay.run(FIRST, LAST, initial.version().version())).isInstanceOf(Died.class);
    }

    /** The next quickstart on the crashed store. */
    private static JsonNode continued(Path dir) {
        CliRunner.Result r = new CliRunner(dir).run("quickstart", "--data-dir", dir.resolve("qs").toString(),
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("resumed the unfinished retrain of " + CRASH_WINDOW);
        return r.json();
    }

    private static List<ModelVersion> versionsOf(Mlops mlops, String key) {
        return mlops.registry().searchVersions(VersionQuery.builder().modelName(MODEL)
                .tag(ProductionReplay.RETRAINING_DECISION, key).build(), PageRequest.first(100)).items();
    }

    private static Mlops open(Path dir, Clock clock) {
        return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).clock(clock).build();
    }

    /** The process dying. */
    private static final class Died extends RuntimeException {
        Died() {
            super("simulated crash");
        }
    }

    /** A {@link Retraining} that passes every call on. */
    private abstract static class Delegating implements Retraining {
        private final Retraining real;

        Delegating(Retraining real) {
            this.real = real;
        }

        @Override
        public Outcome evaluateAndAct(RetrainingPolicy policy, Observation observation, RetrainingHandler handler) {
            return real.evaluateAndAct(policy, observation, handler);
        }

        @Override
        public List<RetrainingRequest> resumePending(RetrainingPolicy policy, String model,
                RetrainingHandler handler) {
            return real.resumePending(policy, model, handler);
        }

        @Override
        public Optional<RetrainingRequest> request(String idempotencyKey) {
            return real.request(idempotencyKey);
        }

        @Override
        public List<RetrainingRequest> requests(String policy, String model) {
            return real.requests(policy, model);
        }
    }
}
