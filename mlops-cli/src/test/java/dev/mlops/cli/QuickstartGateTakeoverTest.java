package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.cli.quickstart.InitialModel;
import dev.mlops.cli.quickstart.ProductionReplay;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.data.DatasetVersion;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The takeover of a claimed challenger's gate (issue 6's leftover): process A reviews (claims) the first challenger,
 * then stalls just before it records the gate's verdict, for longer than {@link ProductionReplay#GATE_WAIT}; process
 * B, on the same SQLite file, finds the review that old without a verdict and gates the challenger itself. When A
 * wakes up it must not record a second verdict: it replays B's. The stall is a latch in A's store, and A's clock runs
 * an hour behind, so its review is older than the wait at once (no 30 s sleep).
 */
class QuickstartGateTakeoverTest {
    private static final String MODEL = "seattle-rain-classifier";
    private static final String DATASET = "seattle-weather-train";
    private static final List<WeatherDay> DAYS = SeattleWeather.load();
    private static final YearMonth FIRST = YearMonth.of(2014, 1);
    private static final YearMonth LAST = YearMonth.of(2015, 12);
    /** The first challenger, gated on the 2014-02 holdout. */
    private static final int CHALLENGER = 2;

    @Test
    @DisplayName("a process stalled between its review of a challenger and the gate's verdict for longer than"
            + " GATE_WAIT records no second verdict after another process took the gate over: it replays that one")
    void stalledClaimantReplaysTheTakeoverVerdict(@TempDir Path dir) throws Exception {
        Path qs = Files.createDirectories(dir.resolve("qs"));
        int initial;
        try (Mlops setup = open(dir, Clock.systemUTC(), JdbcStore.sqlite(dir.resolve("mlops.db")))) {
            initial = initialModel(setup, qs);
        }

        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch wakeUp = new CountDownLatch(1);
        MetadataStore stalling = stallBeforeVerdict(JdbcStore.sqlite(dir.resolve("mlops.db")),
                "model:" + MODEL + "/" + CHALLENGER, stalled, wakeUp);
        List<String> aLines = new ArrayList<>();
        List<String> bLines = new ArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Mlops a = open(dir, Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)), stalling);
                Mlops b = open(dir, Clock.systemUTC(), JdbcStore.sqlite(dir.resolve("mlops.db")))) {
            Future<ProductionReplay.Result> first = pool.submit(() -> replay(a, qs, aLines).run(FIRST, LAST,
                    initial));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!stalled.await(100, TimeUnit.MILLISECONDS)) {
                if (first.isDone()) {
                    first.get(); // A's failure, if it failed
                    throw new AssertionError("A ended without recording a verdict of version " + CHALLENGER + ": "
                            + String.join("\n", aLines));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("A did not reach the verdict of version " + CHALLENGER + " in 120 s: "
                            + aLines);
                }
            }
            assertThat(a.registry().getVersion(MODEL, CHALLENGER).orElseThrow().approval().status().name())
                    .as("A reviewed (claimed) the challenger").isNotEqualTo("PENDING");

            ProductionReplay.Result second = replay(b, qs, bLines).run(FIRST, LAST, initial);
            assertThat(bLines).anyMatch(l -> l.contains("version " + CHALLENGER + " was reviewed more than "
                    + ProductionReplay.GATE_WAIT.toSeconds() + " s ago without a gate verdict"));
            assertThat(verdicts(b)).containsEntry("model:" + MODEL + "/" + CHALLENGER, 1);

            wakeUp.countDown();
            ProductionReplay.Result woken = first.get(120, TimeUnit.SECONDS);

            // one verdict per gated challenger, the stalled claimant's included
            Map<String, Integer> verdicts = verdicts(b);
            assertThat(verdicts).containsOnlyKeys("model:" + MODEL + "/2", "model:" + MODEL + "/3",
                    "model:" + MODEL + "/4", "model:" + MODEL + "/5");
            verdicts.forEach((subject, n) -> assertThat(n).as(subject).isEqualTo(1));
            // B ran the challenger's gate; A replayed it
            assertThat(second.ranNow()).extracting(ProductionReplay.Promotion::candidate).contains(CHALLENGER);
            assertThat(woken.promotions().get(0).candidate()).isEqualTo(CHALLENGER);
            assertThat(woken.promotions().get(0).replayed()).isTrue();
            assertThat(woken.ranNow()).isEmpty();
            // both ended on the pinned timeline
            for (ProductionReplay.Result r : List.of(second, woken)) {
                assertThat(r.promotions()).extracting(p -> p.candidate() + " " + p.outcome())
                        .containsExactly("2 FAILED", "3 FAILED", "4 PROMOTED", "5 FAILED");
                assertThat(r.awaitingHoldout()).containsExactly(6);
            }
            assertThat(b.registry().model(MODEL).aliases()).containsEntry(ProductionReplay.PRODUCTION, 4);
            assertThat(b.audit().verify().ok()).isTrue();
        } finally {
            wakeUp.countDown();
            pool.shutdownNow();
        }
    }

    /** Steps 1 and 2 of the quickstart: the training data and the initial model, which takes production. */
    private static int initialModel(Mlops mlops, Path qs) throws Exception {
        List<WeatherDay> train = DAYS.stream().filter(d -> d.date().getYear() <= 2013).toList();
        List<WeatherDay> holdout = DAYS.stream().filter(d -> d.date().getYear() == 2014).toList();
        StringBuilder csv = new StringBuilder(SeattleWeather.HEADER).append('\n');
        train.forEach(d -> csv.append(d.line()).append('\n'));
        Files.writeString(qs.resolve("train.csv"), csv.toString(), StandardCharsets.UTF_8);
        DatasetVersion data = mlops.datasets().register(DATASET, qs.resolve("train.csv")).value();
        InitialModel.Result initial = InitialModel.train(mlops, MODEL, "train-rain-classifier", data, train,
                holdout, qs.resolve("model.json"), InitialModel.GOVERNANCE, line -> { });
        assertThat(initial.tookProduction()).isTrue();
        return initial.version().version();
    }

    private static ProductionReplay replay(Mlops mlops, Path qs, List<String> lines) {
        ProductionReplay.SettableClock clock = new ProductionReplay.SettableClock(ProductionReplay.start(FIRST));
        return new ProductionReplay(mlops, MODEL, DATASET, qs, DAYS, mlops.policies(DetectorFactory.standard(),
                clock), mlops.retraining(ProductionReplay.RETRAIN_TIMEOUT, 1), clock, line -> {
                    synchronized (lines) {
                        lines.add(line);
                    }
                });
    }

    private static Mlops open(Path dir, Clock clock, MetadataStore store) {
        return Mlops.builder().store(store).artifactUri("file:" + dir.resolve("artifacts")).clock(clock).build();
    }

    /**
     * {@code store}, except that the first call storing a {@code promotion.decided} event of {@code subject} (the
     * gate recording its verdict, whichever store method it uses) first counts {@code stalled} down and waits for
     * {@code wakeUp}, then goes on.
     */
    private static MetadataStore stallBeforeVerdict(MetadataStore store, String subject, CountDownLatch stalled,
            CountDownLatch wakeUp) {
        return (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
                    if (args != null && stalled.getCount() > 0 && recordsVerdict(args, subject)) {
                        stalled.countDown();
                        if (!wakeUp.await(300, TimeUnit.SECONDS)) {
                            throw new AssertionError("never woken up");
                        }
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean recordsVerdict(Object[] args, String subject) {
        for (Object arg : args) {
            List<?> events = arg instanceof List<?> list ? list : java.util.Collections.singletonList(arg);
            for (Object e : events) {
                if (e instanceof PendingAuditEvent p && p.action().equals("promotion.decided")
                        && p.subject().equals(subject)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The number of {@code promotion.decided} audit events per subject. */
    private static Map<String, Integer> verdicts(Mlops mlops) {
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
}
