package dev.mlops.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.mlops.ConflictException;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.ResolvedModel;
import dev.mlops.registry.VersionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CachingModelResolverTest {
    private static final Duration REFRESH = Duration.ofSeconds(30);
    private static final Duration STALENESS = Duration.ofMinutes(2);
    private static final Executor DIRECT = Runnable::run;
    private static final Duration MS = Duration.ofMillis(1);

    private final FakeTicker ticker = new FakeTicker();
    private final ScriptedStore store = new ScriptedStore(ticker);
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void stopPools() throws InterruptedException {
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private CachingModelResolver resolver(Executor executor) {
        return new CachingModelResolver(store, REFRESH, STALENESS, ticker, executor);
    }

    private ExecutorService pool(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }

    private static int versionOf(ResolvedModel answer) {
        return answer.version().version();
    }

    @Test
    void aHitDoesNotCallTheLoaderAgain() {
        store.point("rain@production", 3);
        CachingModelResolver resolver = resolver(DIRECT);

        ResolvedModel first = resolver.resolve("rain@production");
        assertThat(first.reference()).isEqualTo(ModelRef.of("rain", "production"));
        assertThat(versionOf(first)).isEqualTo(3);
        assertThat(first.artifact()).isEqualTo(first.version().artifact());

        ticker.advance(REFRESH); // exactly the interval old: not yet older than it
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(resolver.resolve("model:rain@production")).isSameAs(first);
        assertThat(resolver.resolve(ModelRef.of("rain", "production"))).isSameAs(first);
        assertThat(store.calls()).isEqualTo(1);
    }

    @Test
    void anAnswerOlderThanTheIntervalIsRefreshedOnTheNextAccess() {
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(1);

        store.point("rain@production", 2); // moved by another process: no invalidation here
        ticker.advance(REFRESH.minus(MS));
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(1);
        assertThat(store.calls()).isEqualTo(1);

        ticker.advance(MS.multipliedBy(2));
        // the direct executor runs the refresh inside this access, which then returns its result
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        assertThat(store.calls()).isEqualTo(2);
    }

    @Test
    void theRefreshRunsOnTheExecutorAndTheCachedAnswerIsServedMeanwhile() {
        QueuedExecutor executor = new QueuedExecutor();
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(executor);
        ResolvedModel first = resolver.resolve("rain@production");

        store.point("rain@production", 2);
        ticker.advance(REFRESH.plus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(1); // the refresh is queued, not run

        executor.runAll();
        assertThat(store.calls()).isEqualTo(2); // one refresh for the two accesses
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        executor.runAll();
        assertThat(store.calls()).isEqualTo(2);
    }

    @Test
    void theLastAnswerIsServedWhileTheStoreIsDownAndRetriedOneIntervalLater() {
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        ResolvedModel first = resolver.resolve("rain@production");

        store.down = true;
        ticker.advance(REFRESH.plus(MS)); // t = 30.001 s: the refresh fails
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(2);
        assertThat(store.failures()).isEqualTo(1);

        ticker.advance(REFRESH); // t = 60.001 s: exactly one interval after the failed refresh, no retry yet
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(2);

        ticker.advance(MS); // t = 60.002 s: retried, fails again
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(3);

        store.down = false;
        store.point("rain@production", 2);
        ticker.advance(REFRESH.plus(MS)); // t = 90.003 s: the store answers again
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        assertThat(store.calls()).isEqualTo(4);
    }

    @Test
    void afterRefreshIntervalPlusMaxStalenessTheAnswerExpiresAndTheStorageFailureReachesTheCaller() {
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        ResolvedModel first = resolver.resolve("rain@production"); // read at t = 0
        store.down = true;
        Duration bound = REFRESH.plus(STALENESS); // 150 s

        for (int second = 31; second < 150; second += 31) {
            ticker.set(Duration.ofSeconds(second));
            assertThat(resolver.resolve("rain@production")).isSameAs(first);
        }
        ticker.set(bound.minus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        int calls = store.calls();

        ticker.set(bound);
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(StorageException.class)
                .hasMessageContaining("unreachable");
        assertThat(store.calls()).isEqualTo(calls + 1);
        // a failure is not cached: every resolve asks the store
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(StorageException.class);
        assertThat(store.calls()).isEqualTo(calls + 2);

        store.down = false;
        ResolvedModel fresh = resolver.resolve("rain@production");
        assertThat(versionOf(fresh)).isEqualTo(1);
        assertThat(fresh).isNotSameAs(first);
        assertThat(store.readStart(fresh)).isEqualTo(bound.toNanos());
    }

    @Test
    void theBoundCountsFromTheStartOfTheReadThatProducedTheAnswer() {
        store.point("rain@production", 1);
        store.readTime = Duration.ofSeconds(20); // a slow store: each read moves the ticker 20 s
        CachingModelResolver resolver = resolver(DIRECT);
        ResolvedModel first = resolver.resolve("rain@production"); // read from t = 0 to t = 20 s
        store.down = true;
        store.readTime = Duration.ZERO;

        ticker.set(REFRESH.plus(STALENESS).minus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        ticker.set(REFRESH.plus(STALENESS));
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(StorageException.class);
    }

    @Test
    void aRefreshThatHangsDoesNotExtendTheBound() {
        QueuedExecutor executor = new QueuedExecutor(); // its refreshes never run: a store that never answers
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(executor);
        ResolvedModel first = resolver.resolve("rain@production");

        ticker.set(REFRESH.multipliedBy(2).minus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(1); // the refresh is stuck in the executor
        store.down = true; // reads in the calling thread fail too
        ticker.set(REFRESH.plus(STALENESS).minus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        ticker.set(REFRESH.plus(STALENESS));
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(StorageException.class);
        store.down = false;
        store.point("rain@production", 2);
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
    }

    @Test
    void afterAQuietPeriodOfTwoIntervalsAResolveReadsTheStoreItselfAndSeesAChangeMadeElsewhere() {
        QueuedExecutor executor = new QueuedExecutor(); // background refreshes never complete
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(executor);
        ResolvedModel first = resolver.resolve("rain@production");

        store.point("rain@production", 2); // rolled back by another process
        ticker.set(REFRESH.multipliedBy(2).minus(MS));
        assertThat(resolver.resolve("rain@production")).as("younger than two intervals").isSameAs(first);
        int calls = store.calls();
        ticker.set(REFRESH.multipliedBy(2));
        ResolvedModel now = resolver.resolve("rain@production");
        assertThat(versionOf(now)).isEqualTo(2);
        assertThat(store.calls()).isEqualTo(calls + 1);
        assertThat(resolver.resolve("rain@production")).as("the fresh answer is cached").isSameAs(now);
        assertThat(store.calls()).isEqualTo(calls + 1);

        store.remove("rain@production"); // deleted elsewhere: a NOT_FOUND read drops the answer
        ticker.advance(REFRESH.multipliedBy(2));
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(NotFoundException.class);
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"NOT_FOUND", "CONFLICT"})
    void aRefreshThatAnswersNotFoundOrConflictDropsTheEntry(ErrorCode answer) {
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        ResolvedModel first = resolver.resolve("rain@production");

        if (answer == ErrorCode.NOT_FOUND) {
            store.remove("rain@production"); // the alias was deleted by another process
        } else {
            store.notReady.add(ModelRef.of("rain", "production"));
        }
        ticker.advance(REFRESH.plus(MS));
        // this access started the refresh and gets the answer it had; the refresh dropped the entry
        assertThat(resolver.resolve("rain@production")).isSameAs(first);
        assertThat(store.calls()).isEqualTo(2);

        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(MlopsException.class)
                .satisfies(e -> assertThat(((MlopsException) e).code()).isEqualTo(answer));
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(MlopsException.class);
        assertThat(store.calls()).isEqualTo(4); // not cached

        store.notReady.clear();
        store.point("rain@production", 2);
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
    }

    @Test
    void failuresOfAFirstLoadReachTheCallerAndAreNotCached() {
        CachingModelResolver resolver = resolver(DIRECT);
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("rain@production");
        store.point("rain@production", 1);
        store.notReady.add(ModelRef.of("rain", "production"));
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(ConflictException.class);
        store.notReady.clear();
        store.down = true;
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(StorageException.class);
        store.down = false;
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(1);
        assertThat(store.calls()).isEqualTo(4);
    }

    @Test
    void aLoaderReturningNullIsAnError() {
        CachingModelResolver resolver = new CachingModelResolver(ref -> null, REFRESH, STALENESS, ticker, DIRECT);
        assertThatThrownBy(() -> resolver.resolve("rain@production")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rain@production");
    }

    @Test
    void invalidateModelDropsEveryAnswerOfThatModelAndOnlyThose() {
        store.point("rain@production", 2);
        store.point("rain@shadow", 3);
        store.point("rain/1", 1);
        store.point("rainfall@production", 1);
        store.point("Rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        List<String> refs = List.of("rain@production", "rain@shadow", "rain/1", "rainfall@production",
                "Rain@production");
        refs.forEach(resolver::resolve);
        assertThat(store.calls()).isEqualTo(5);

        store.point("rain@production", 3); // moved through the same Mlops: the registry invalidates at once
        resolver.invalidateModel("rain");
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(3);
        refs.forEach(resolver::resolve);
        assertThat(store.callsFor("rain@production")).isEqualTo(2);
        assertThat(store.callsFor("rain@shadow")).isEqualTo(2);
        assertThat(store.callsFor("rain/1")).isEqualTo(2);
        assertThat(store.callsFor("rainfall@production")).isEqualTo(1);
        assertThat(store.callsFor("Rain@production")).isEqualTo(1);

        resolver.invalidateModel("unknown");
        assertThatThrownBy(() -> resolver.invalidateModel(null)).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("modelName"));
        refs.forEach(resolver::resolve);
        assertThat(store.calls()).isEqualTo(8);

        resolver.invalidateAll();
        refs.forEach(resolver::resolve);
        assertThat(store.calls()).isEqualTo(13);
    }

    @Test
    void aLoadInFlightDuringAnInvalidationIsNotKept() throws Exception {
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.afterRead = () -> {
            read.countDown();
            await(release);
        };
        Future<ResolvedModel> inFlight = pool(1).submit(() -> resolver.resolve("rain@production"));
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue(); // it has read version 1
        store.afterRead = () -> { };

        store.point("rain@production", 2);
        resolver.invalidateModel("rain");
        release.countDown();
        // the caller whose resolve overlapped the move gets what it read ...
        assertThat(versionOf(inFlight.get(10, TimeUnit.SECONDS))).isEqualTo(1);
        // ... but that answer is not kept
        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        assertThat(store.calls()).isEqualTo(2);
    }

    @Test
    void aRefreshInFlightDuringAnInvalidationIsDiscarded() throws Exception {
        QueuedExecutor executor = new QueuedExecutor();
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(executor);
        ResolvedModel first = resolver.resolve("rain@production");
        ticker.advance(REFRESH.plus(MS));
        assertThat(resolver.resolve("rain@production")).isSameAs(first); // queues the refresh

        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.afterRead = () -> {
            read.countDown();
            await(release);
        };
        Future<?> refresh = pool(1).submit(executor::runAll);
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue(); // the refresh has read version 1 again
        store.afterRead = () -> { };
        store.point("rain@production", 2);
        resolver.invalidateModel("rain");
        release.countDown();
        refresh.get(10, TimeUnit.SECONDS);

        assertThat(versionOf(resolver.resolve("rain@production"))).isEqualTo(2);
        assertThat(store.calls()).isEqualTo(3);
    }

    @Test
    void sixteenThreadsMissingOneReferenceAtOnceLoadItOnce() throws Exception {
        int threads = 16;
        store.point("rain@production", 1);
        CachingModelResolver resolver = resolver(DIRECT);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.afterRead = () -> {
            entered.countDown();
            await(release);
        };
        CountDownLatch ready = new CountDownLatch(threads);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        ExecutorService pool = pool(threads);
        List<Future<ResolvedModel>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                workers.add(Thread.currentThread());
                ready.countDown();
                return resolver.resolve("rain@production");
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // hold the load until all 16 are inside resolve: one in the loader, 15 waiting for it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!workers.stream().allMatch(CachingModelResolverTest::isWaiting) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(workers).hasSize(threads).allMatch(CachingModelResolverTest::isWaiting);
        release.countDown();

        ResolvedModel first = results.get(0).get(10, TimeUnit.SECONDS);
        for (Future<ResolvedModel> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(store.calls()).isEqualTo(1);
    }

    private static boolean isWaiting(Thread thread) {
        return EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING, Thread.State.TIMED_WAITING)
                .contains(thread.getState());
    }

    /**
     * Random interleavings of time passing, store outages, alias moves and deletions, invalidations and resolves of a
     * few references, against the documented guarantees.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void randomHistoriesKeepTheDocumentedGuarantees(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> refs = List.of("rain@production", "rain@shadow", "rain/1", "rain/2", "wind@production");
        for (String ref : refs) {
            store.point(ref, ref.endsWith("/2") ? 2 : 1);
        }
        CachingModelResolver resolver = resolver(DIRECT);
        long refreshNanos = REFRESH.toNanos();
        long boundNanos = REFRESH.plus(STALENESS).toNanos();
        long lastDown = Long.MIN_VALUE / 2; // when the store was last seen down
        Map<String, Long> invalidatedAtOp = new HashMap<>();
        int resolved = 0;
        int staleServed = 0;
        int storageFailures = 0;

        for (int op = 0; op < 400; op++) {
            store.op = op;
            if (store.down) {
                lastDown = ticker.read();
            }
            int choice = random.nextInt(100);
            if (choice < 20) {
                ticker.advance(Duration.ofMillis(random.nextInt(45_000)));
                if (store.down) {
                    lastDown = ticker.read();
                }
            } else if (choice < 27) {
                store.down = !store.down;
                lastDown = ticker.read();
            } else if (choice < 35) {
                String alias = random.nextBoolean() ? "rain@production" : "rain@shadow";
                if (random.nextInt(4) == 0) {
                    store.remove(alias);
                } else {
                    store.point(alias, 1 + random.nextInt(2));
                }
                if (random.nextBoolean()) { // a change through the same Mlops
                    resolver.invalidateModel("rain");
                    invalidatedAtOp.put("rain", (long) op);
                }
            } else if (choice < 38) {
                resolver.invalidateAll();
                invalidatedAtOp.put("rain", (long) op);
                invalidatedAtOp.put("wind", (long) op);
            } else {
                String ref = refs.get(random.nextInt(refs.size()));
                ModelRef key = ModelRef.parse(ref);
                long now = ticker.read();
                int callsBefore = store.calls();
                try {
                    ResolvedModel answer = resolver.resolve(ref);
                    resolved++;
                    long age = now - store.readStart(answer);
                    assertThat(answer.reference()).isEqualTo(key);
                    assertThat(age).as("age of %s at op %d", ref, op).isLessThan(boundNanos);
                    if (lastDown < now - refreshNanos && store.has(key)) {
                        assertThat(age).as("age of %s at op %d with the store up", ref, op)
                                .isLessThanOrEqualTo(refreshNanos);
                    }
                    if (age > refreshNanos) {
                        staleServed++;
                    }
                    assertThat(store.readOp(answer)).as("read of %s at op %d", ref, op)
                            .isGreaterThan(invalidatedAtOp.getOrDefault(key.modelName(), -1L));
                } catch (StorageException e) {
                    storageFailures++;
                    assertThat(store.down).isTrue();
                } catch (NotFoundException e) {
                    assertThat(store.down).isFalse();
                    assertThat(store.has(key)).isFalse();
                }
                assertThat(store.calls() - callsBefore).isBetween(0, 1);
            }
        }
        // the history exercised what it checks
        assertThat(resolved).isGreaterThan(50);
        assertThat(staleServed).isPositive();
        assertThat(storageFailures).isPositive();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"rain", "rain@", "@production", "rain/0", "rain/x", "rain/", "/3", "model:",
            "rain/99999999999", " "})
    void badReferencesAreRefusedWithoutAskingTheStore(String reference) {
        CachingModelResolver resolver = resolver(DIRECT);
        assertThatThrownBy(() -> resolver.resolve(reference)).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("model"));
        assertThatThrownBy(() -> resolver.resolve((ModelRef) null)).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("reference"));
        assertThat(store.calls()).isZero();
    }

    static Stream<Arguments> badConstructorArguments() {
        Function<ModelRef, ResolvedModel> loader = ref -> null;
        Ticker ticker = () -> 0L;
        Duration year = Duration.ofDays(366);
        return Stream.of(
                Arguments.of("loader", (Runnable) () -> new CachingModelResolver(null, REFRESH, STALENESS, ticker,
                        DIRECT)),
                Arguments.of("refreshInterval", (Runnable) () -> new CachingModelResolver(loader, null, STALENESS,
                        ticker, DIRECT)),
                Arguments.of("refreshInterval", (Runnable) () -> new CachingModelResolver(loader, Duration.ZERO,
                        STALENESS)),
                Arguments.of("refreshInterval", (Runnable) () -> new CachingModelResolver(loader,
                        Duration.ofSeconds(-1), STALENESS)),
                Arguments.of("refreshInterval", (Runnable) () -> new CachingModelResolver(loader, year, STALENESS)),
                Arguments.of("maxStaleness", (Runnable) () -> new CachingModelResolver(loader, REFRESH, null)),
                Arguments.of("maxStaleness", (Runnable) () -> new CachingModelResolver(loader, REFRESH,
                        Duration.ZERO)),
                Arguments.of("maxStaleness", (Runnable) () -> new CachingModelResolver(loader, REFRESH,
                        Duration.ofNanos(-1))),
                Arguments.of("maxStaleness", (Runnable) () -> new CachingModelResolver(loader, REFRESH, year)),
                Arguments.of("ticker", (Runnable) () -> new CachingModelResolver(loader, REFRESH, STALENESS, null,
                        DIRECT)),
                Arguments.of("executor", (Runnable) () -> new CachingModelResolver(loader, REFRESH, STALENESS,
                        ticker, null)));
    }

    @ParameterizedTest
    @MethodSource("badConstructorArguments")
    void badConstructorArgumentsAreRefusedNamingTheArgument(String field, Runnable construct) {
        assertThatThrownBy(construct::run).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(field)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains(field));
    }

    @Test
    void theLongestDurationsAreAccepted() {
        Duration max = CachingModelResolver.MAX_DURATION;
        CachingModelResolver resolver = new CachingModelResolver(store, max, max, ticker, DIRECT);
        store.point("rain/1", 1);
        assertThat(versionOf(resolver.resolve("rain/1"))).isEqualTo(1);
        ticker.advance(max.plus(max).minus(MS));
        assertThat(versionOf(resolver.resolve("rain/1"))).isEqualTo(1);
        assertThat(store.calls()).isEqualTo(2); // refreshed once past the interval
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the loader");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A ticker the test moves by hand. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        void set(Duration sinceStart) {
            nanos.set(sinceStart.toNanos());
        }
    }

    /** Runs nothing until told to. */
    static final class QueuedExecutor implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        }
    }

    /**
     * The registry's read, scripted: what each reference points at, which ones are not {@code READY}, and a switch
     * that makes every read fail as an unreachable store does. Counts its calls; every answer is a new instance whose
     * read start (ticker) and test step it remembers. Thread-safe.
     */
    static final class ScriptedStore implements Function<ModelRef, ResolvedModel> {
        private final FakeTicker ticker;
        private final Map<ModelRef, Integer> targets = new ConcurrentHashMap<>();
        final Set<ModelRef> notReady = ConcurrentHashMap.newKeySet();
        private final Map<ModelRef, AtomicInteger> callsPerRef = new ConcurrentHashMap<>();
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final Map<ResolvedModel, long[]> reads = Collections.synchronizedMap(new IdentityHashMap<>());
        volatile boolean down;
        volatile Duration readTime = Duration.ZERO;
        volatile Runnable afterRead = () -> { };
        volatile long op;

        ScriptedStore(FakeTicker ticker) {
            this.ticker = ticker;
        }

        void point(String reference, int version) {
            targets.put(ModelRef.parse(reference), version);
        }

        void remove(String reference) {
            targets.remove(ModelRef.parse(reference));
        }

        boolean has(ModelRef reference) {
            return targets.containsKey(reference) && !notReady.contains(reference);
        }

        int calls() {
            return calls.get();
        }

        int failures() {
            return failures.get();
        }

        int callsFor(String reference) {
            AtomicInteger n = callsPerRef.get(ModelRef.parse(reference));
            return n == null ? 0 : n.get();
        }

        long readStart(ResolvedModel answer) {
            return reads.get(answer)[0];
        }

        long readOp(ResolvedModel answer) {
            return reads.get(answer)[1];
        }

        @Override
        public ResolvedModel apply(ModelRef reference) {
            calls.incrementAndGet();
            callsPerRef.computeIfAbsent(reference, r -> new AtomicInteger()).incrementAndGet();
            long start = ticker.read();
            long step = op;
            Runnable hook = afterRead;
            ticker.advance(readTime);
            if (down) {
                failures.incrementAndGet();
                throw new StorageException("metadata store unreachable: connection refused", null);
            }
            Integer version = targets.get(reference);
            if (version == null) {
                throw new NotFoundException("model reference '" + reference + "' not found");
            }
            if (notReady.contains(reference)) {
                throw new ConflictException("model version " + reference.modelName() + "/" + version
                        + " is not READY");
            }
            ResolvedModel answer = resolved(reference, version, start);
            reads.put(answer, new long[] {start, step});
            hook.run();
            return answer;
        }

        private static ResolvedModel resolved(ModelRef reference, int version, long readStart) {
            String digest = "sha256:" + String.format("%064x", version);
            ArtifactRef artifact = new ArtifactRef(digest, 1024L * version,
                    "file:/var/mlops/artifacts/sha256/" + digest.substring(7, 9) + "/" + digest.substring(7));
            Instant created = Instant.parse("2026-11-27T10:00:00Z").plusSeconds(version);
            List<String> aliases = reference.isAlias() ? List.of(reference.alias()) : List.of();
            ModelVersion modelVersion = new ModelVersion(reference.modelName(), version, digest, artifact,
                    VersionStatus.READY, null, "run-" + version, ModelSignature.EMPTY, Map.of("auc", 0.9),
                    Map.of("team", "weather"), "", Approval.PENDING, aliases, created, "alice", created);
            return new ResolvedModel(reference, modelVersion, artifact, created.plusNanos(readStart));
        }
    }
}
