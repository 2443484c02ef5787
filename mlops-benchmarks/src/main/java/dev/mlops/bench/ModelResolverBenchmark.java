package dev.mlops.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.registry.CachingModelResolver;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.ResolvedModel;
import dev.mlops.registry.VersionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cached model resolution, {@code resolve("rain@production")}, on a warm cache shared by all benchmark threads;
 * the score is nanoseconds per call and thread. Run it at 1 thread and at 16 ({@code -t 16}): contention shows as
 * per-call time growing with the threads faster than the baselines' does.
 *
 * <ul>
 *   <li>{@code resolveText}: {@link CachingModelResolver#resolve(String)}, what a service calls per request: parsing
 *       the reference and the cache hit (the system ticker, the refresh and expiry checks).</li>
 *   <li>{@code resolveRef}: {@link CachingModelResolver#resolve(ModelRef)} with a parsed reference: the hit alone.</li>
 *   <li>{@code baselineParse}: {@link ModelRef#parse(String)} alone.</li>
 *   <li>{@code baselineConcurrentHashMap}: {@link ConcurrentHashMap#get} of the same key: the floor of a shared
 *       map lookup.</li>
 *   <li>{@code baselineCaffeine}: {@link Cache#getIfPresent} of the same key in a Caffeine cache without expiry or
 *       refresh: Caffeine's plainest read path (a map lookup, no policy).</li>
 *   <li>{@code baselineCaffeineSamePolicy}: the same in a Caffeine cache configured as the resolver's (refresh after
 *       write, variable expiry, system ticker), holding the answer itself: Caffeine's read path with that policy
 *       (the ticker read, the expiry and refresh checks, the read buffer), without the resolver's code.</li>
 *   <li>{@code baselineCaffeineFixedExpiry}: the same with a fixed expiry after write instead of the variable one
 *       (what the resolver would cost if a failed refresh did not have to keep the answer's original expiry).</li>
 * </ul>
 * The loader is a map; the refresh interval (an hour) is longer than the run, so no call during the measurement
 * reaches the loader, which the tear-down checks (the setup's warming call is its only call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class ModelResolverBenchmark {
    /** Not a constant, so that the JIT cannot fold the parse. */
    public String reference = "rain@production";

    private ModelRef key;
    private final AtomicInteger loads = new AtomicInteger();
    private CachingModelResolver resolver;
    private ConcurrentHashMap<ModelRef, ResolvedModel> map;
    private Cache<ModelRef, ResolvedModel> bare;
    private LoadingCache<ModelRef, ResolvedModel> samePolicy;
    private LoadingCache<ModelRef, ResolvedModel> fixedExpiry;

    @Setup(Level.Trial)
    public void setUp() {
        key = ModelRef.parse(reference);
        Map<ModelRef, ResolvedModel> answers = Map.of(key, answer(key));
        resolver = new CachingModelResolver(ref -> {
            loads.incrementAndGet();
            ResolvedModel answer = answers.get(ref);
            if (answer == null) {
                throw new IllegalStateException("the benchmark resolves only " + key + ", not " + ref);
            }
            return answer;
        }, Duration.ofHours(1), Duration.ofHours(1));
        ResolvedModel warm = resolver.resolve(reference);
        map = new ConcurrentHashMap<>(answers);
        bare = Caffeine.newBuilder().build();
        bare.putAll(answers);
        samePolicy = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofHours(1))
                .expireAfter(Expiry.<ModelRef, ResolvedModel>writing((ref, answer) -> Duration.ofHours(2)))
                .build(this::load);
        fixedExpiry = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofHours(1))
                .expireAfterWrite(Duration.ofHours(2))
                .build(this::load);
        samePolicy.putAll(answers);
        fixedExpiry.putAll(answers);
        if (warm != answers.get(key) || resolver.resolve(key) != warm || map.get(key) != warm
                || bare.getIfPresent(key) != warm || samePolicy.getIfPresent(key) != warm
                || fixedExpiry.getIfPresent(key) != warm) {
            throw new IllegalStateException("the resolver and the baselines disagree on " + key);
        }
    }

    private ResolvedModel load(ModelRef ref) {
        throw new IllegalStateException("a baseline cache loaded " + ref + ": the measured path was not a hit");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (loads.get() != 1) {
            throw new IllegalStateException("the loader was called " + loads.get() + " times, expected once (the"
                    + " warming call): the measured path was not a cache hit");
        }
    }

    @Benchmark
    public ResolvedModel resolveText() {
        return resolver.resolve(reference);
    }

    @Benchmark
    public ResolvedModel resolveRef() {
        return resolver.resolve(key);
    }

    @Benchmark
    public ModelRef baselineParse() {
        return ModelRef.parse(reference);
    }

    @Benchmark
    public ResolvedModel baselineConcurrentHashMap() {
        return map.get(key);
    }

    @Benchmark
    public ResolvedModel baselineCaffeine() {
        return bare.getIfPresent(key);
    }

    @Benchmark
    public ResolvedModel baselineCaffeineSamePolicy() {
        return samePolicy.getIfPresent(key);
    }

    @Benchmark
    public ResolvedModel baselineCaffeineFixedExpiry() {
        return fixedExpiry.getIfPresent(key);
    }

    private static ResolvedModel answer(ModelRef key) {
        String digest = "sha256:" + "ab".repeat(32);
        ArtifactRef artifact = new ArtifactRef(digest, 48_213_004L, "file:/var/mlops/artifacts/sha256/ab/"
                + digest.substring("sha256:".length()));
        Instant created = Instant.parse("2026-11-27T10:00:00Z");
        ModelVersion version = new ModelVersion(key.modelName(), 7, digest, artifact, VersionStatus.READY, null,
                "run-7", ModelSignature.EMPTY, Map.of("auc", 0.91), Map.of("team", "weather"), "rain nowcasting",
                Approval.decided(ApprovalStatus.APPROVED, "bob", created.plusSeconds(60), "evaluation passed"),
                List.of(key.alias()), created, "alice", created.plusSeconds(120));
        return new ResolvedModel(key, version, artifact, created.plusSeconds(180));
    }
}
