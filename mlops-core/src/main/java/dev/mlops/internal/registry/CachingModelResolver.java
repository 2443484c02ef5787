package dev.mlops.internal.registry;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.internal.Validate;
import dev.mlops.registry.ModelRef;
import dev.mlops.registry.ModelResolver;
import dev.mlops.registry.ResolvedModel;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelResolver} over a Caffeine cache of answers, one per {@link ModelRef}. Thread-safe; a hit is a
 * lock-free read of the cache (Caffeine's read path, no lock of ours).
 *
 * <p><b>Loading.</b> A miss calls the loader (the registry's read) in the calling thread; concurrent misses of one
 * reference wait for that one call. Whatever the loader throws on a miss reaches the caller unchanged
 * ({@link NotFoundException}, {@link ConflictException}, {@link dev.mlops.StorageException}) and nothing is cached:
 * there is no negative caching, the next call asks the loader again.
 *
 * <p><b>Refresh.</b> The first access more than {@code refreshInterval} after an answer was stored starts a refresh
 * on the executor and returns the cached answer (with a direct executor the refresh runs inside that access, which
 * then returns its result). At most one refresh per reference runs at a time. A refresh that answers:
 * <ul>
 *   <li>a resolved model: replaces the answer;</li>
 *   <li>{@link NotFoundException} or {@link ConflictException} (the alias, version or model is gone, or the version
 *       is not {@code READY}): drops the entry, so the next resolve calls the loader and throws;</li>
 *   <li>any other exception ({@link dev.mlops.StorageException} when the store is unreachable): keeps the last answer
 *       and retries on the first access one {@code refreshInterval} later. The first failure for an answer is logged
 *       at WARN, later ones at DEBUG, with the exception's class and message only.</li>
 * </ul>
 *
 * <p><b>Sparse traffic.</b> A background refresh renews an answer only once it is accessed. So that a change made
 * elsewhere is not hidden by a quiet period, a resolve that finds an answer at least {@code 2 * refreshInterval} old
 * reads the store itself, in the calling thread, and answers with what it read; only if that read fails with
 * anything but {@link NotFoundException} or {@link ConflictException} does it answer with the old one (within the
 * staleness bound below), and then no resolve reads in its own thread for one refresh interval, so that requests do
 * not all wait for a store that is down. Under steady traffic the background refresh keeps answers younger than
 * that, and no resolve waits for the store.
 *
 * <p><b>Staleness bound.</b> Let {@code t0} be the ticker reading just before the loader call that produced an answer.
 * That answer is returned only while {@code ticker - t0 < refreshInterval + maxStaleness}; from then on the entry has
 * expired and the next resolve calls the loader synchronously, so a store failure reaches the caller. The bound holds
 * whatever the refreshes do (failing, hanging or slow). While the store answers, an answer is replaced by the first
 * refresh to complete after it is {@code refreshInterval} old.
 *
 * <p><b>Invalidation.</b> {@link #invalidateModel(String)} and {@link #invalidateAll()} drop the cached answers at
 * once, so the next resolve calls the loader. A load or refresh that was in flight meanwhile may have read the store
 * before the change: a refresh's result is then discarded, and a load's answer is handed to the callers that were
 * waiting for it and dropped right after (a resolve hitting the cache in that instant may get it too); neither is
 * kept.
 *
 * <p>Answers not accessed for {@code refreshInterval + maxStaleness} expire, so the cache holds at most the
 * references resolved within that window.
 */
public final class CachingModelResolver implements ModelResolver {
    /** The longest refresh interval or staleness accepted. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    private static final Logger LOG = LoggerFactory.getLogger(CachingModelResolver.class);

    private final Function<ModelRef, ResolvedModel> loader;
    private final Ticker ticker;
    private final long lifetimeNanos;
    /** How old an answer may get before a resolve reads the store itself instead of waiting for a refresh. */
    private final long syncAfterNanos;
    private final long refreshNanos;
    /** Incremented (before the removal) by every invalidation; a load compares it before and after. */
    private final AtomicLong invalidations = new AtomicLong();
    private final LoadingCache<ModelRef, Entry> cache;

    /**
     * A resolver with the system ticker ({@link System#nanoTime()}) whose refreshes run on
     * {@link ForkJoinPool#commonPool()}.
     *
     * @see #CachingModelResolver(Function, Duration, Duration, Ticker, Executor)
     */
    public CachingModelResolver(Function<ModelRef, ResolvedModel> loader, Duration refreshInterval,
            Duration maxStaleness) {
        this(loader, refreshInterval, maxStaleness, Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    /**
     * @param loader          the registry's read: answers a reference, or throws {@link NotFoundException} (unknown
     *                        model, version or alias), {@link ConflictException} (version not {@code READY}) or
     *                        {@link dev.mlops.StorageException}; must not return null; called from the resolving
     *                        thread on a miss and from {@code executor} on a refresh
     * @param refreshInterval how old an answer gets before an access refreshes it; positive, at most 365 days
     * @param maxStaleness    how much longer an answer may be served while refreshes fail; positive, at most 365
     *                        days
     * @param ticker          the clock of the refresh and staleness arithmetic (nanoseconds)
     * @param executor        runs the refreshes (and Caffeine's maintenance)
     * @throws InvalidArgumentException naming the argument that is null or out of range
     */
    public CachingModelResolver(Function<ModelRef, ResolvedModel> loader, Duration refreshInterval,
            Duration maxStaleness, Ticker ticker, Executor executor) {
        this.loader = Validate.required("loader", loader);
        long refreshNanos = positive("refreshInterval", refreshInterval);
        long stalenessNanos = positive("maxStaleness", maxStaleness);
        this.ticker = Validate.required("ticker", ticker);
        Validate.required("executor", executor);
        this.lifetimeNanos = refreshNanos + stalenessNanos;
        this.syncAfterNanos = 2 * refreshNanos;
        this.refreshNanos = refreshNanos;
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .refreshAfterWrite(refreshNanos, TimeUnit.NANOSECONDS)
                .expireAfter(new Lifetime())
                .build(new Loader());
    }

    private static long positive(String field, Duration value) {
        Validate.required(field, value);
        if (value.isNegative() || value.isZero()) {
            throw new InvalidArgumentException(field, field + " must be positive, was " + value);
        }
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new InvalidArgumentException(field, field + " must be at most " + MAX_DURATION + ", was " + value);
        }
        return value.toNanos();
    }

    /**
     * @throws InvalidArgumentException (field {@code model}) when {@code reference} is null or has neither form
     * @see ModelResolver#resolve(String)
     */
    @Override
    public ResolvedModel resolve(String reference) {
        return resolve(ModelRef.parse(reference));
    }

    /**
     * @throws InvalidArgumentException (field {@code reference}) when {@code reference} is null
     * @see ModelResolver#resolve(ModelRef)
     */
    @Override
    public ResolvedModel resolve(ModelRef reference) {
        if (reference == null) {
            throw new InvalidArgumentException("reference", "reference must not be null");
        }
        // A quiet look first, so that an answer due for a read in this thread does not also start a refresh.
        Entry seen = cache.policy().getIfPresentQuietly(reference);
        if (seen != null) {
            long now = ticker.read();
            long age = now - seen.readStart();
            if (age < refreshNanos) {
                return seen.answer(); // the hot path: one map read, one ticker read, no refresh due
            }
            if (age >= syncAfterNanos && now - seen.noReadUntil() > 0) {
                return reread(reference, seen, now);
            }
        }
        Entry hit = cache.getIfPresent(reference); // starts a background refresh when due
        return hit != null ? hit.answer() : load(reference);
    }

    /**
     * An answer at least two refresh intervals old (traffic too sparse for the background refresh to have renewed
     * it, or refreshes failing): read the store now, and serve the old answer only if that read fails.
     */
    private ResolvedModel reread(ModelRef reference, Entry old, long now) {
        try {
            Entry fresh = read(reference);
            if (fresh.invalidationsBefore() == invalidations.get()) {
                cache.asMap().replace(reference, old, fresh);
            }
            return fresh.answer();
        } catch (NotFoundException | ConflictException e) {
            cache.asMap().remove(reference, old);
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("Model resolver: reading {} failed ({}: {}); serving the answer read {} ms ago", reference,
                    e.getClass().getSimpleName(), e.getMessage(), TimeUnit.NANOSECONDS.toMillis(now - old.readStart()));
            // No other read in a calling thread for one refresh interval: requests must not all wait for a store
            // that is down.
            cache.asMap().replace(reference, old, old.failedOnce(now + refreshNanos));
            return old.answer();
        }
    }

    private ResolvedModel load(ModelRef reference) {
        Entry entry = cache.get(reference);
        if (entry.invalidationsBefore() != invalidations.get()) {
            // An invalidation ran while it loaded and may have missed it (an entry being loaded is not yet in the
            // map): the answer may predate the change, so it is not kept. Only this very entry is removed.
            cache.asMap().remove(reference, entry);
        }
        return entry.answer();
    }

    /**
     * Drops every cached answer for {@code modelName} (its aliases and version numbers). The registry calls it after
     * an alias move or deletion or a version deletion. Names are compared exactly; an unknown name drops nothing.
     *
     * @throws InvalidArgumentException (field {@code modelName}) when {@code modelName} is null
     */
    public void invalidateModel(String modelName) {
        Validate.required("modelName", modelName);
        invalidations.incrementAndGet();
        cache.asMap().keySet().removeIf(reference -> reference.modelName().equals(modelName));
    }

    @Override
    public void invalidateAll() {
        invalidations.incrementAndGet();
        cache.invalidateAll();
    }

    private Entry read(ModelRef reference) {
        long invalidationsBefore = invalidations.get();
        long start = ticker.read();
        ResolvedModel answer = loader.apply(reference);
        if (answer == null) {
            throw new IllegalStateException("the model loader returned null for " + reference);
        }
        return new Entry(answer, start, invalidationsBefore, 0, start);
    }

    /**
     * A cached answer.
     *
     * @param answer              what the loader answered
     * @param readStart           the ticker just before the loader call that produced it (the staleness is
     *                            measured from here)
     * @param invalidationsBefore {@link #invalidations} just before that call
     * @param failedRefreshes     refreshes and reads that failed since
     * @param noReadUntil         the ticker reading until which no resolve reads the store in its own thread (set
     *                            one refresh interval after a failed read)
     */
    private record Entry(ResolvedModel answer, long readStart, long invalidationsBefore, int failedRefreshes,
            long noReadUntil) {
        Entry failedOnce(long noReadUntil) {
            return new Entry(answer, readStart, invalidationsBefore, failedRefreshes + 1, noReadUntil);
        }
    }

    private final class Loader implements CacheLoader<ModelRef, Entry> {
        @Override
        public Entry load(ModelRef reference) {
            return read(reference);
        }

        /** Null drops the entry; the old entry (with its original read time) keeps it, debounced by a write. */
        @Override
        public Entry reload(ModelRef reference, Entry old) {
            try {
                return read(reference);
            } catch (NotFoundException | ConflictException e) {
                LOG.debug("Model resolver: {} no longer resolves ({}), dropped", reference, e.code());
                return null;
            } catch (RuntimeException e) {
                long ageMillis = TimeUnit.NANOSECONDS.toMillis(ticker.read() - old.readStart());
                long leftMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(lifetimeNanos) - ageMillis);
                if (old.failedRefreshes() == 0) {
                    LOG.warn("Model resolver: refreshing {} failed ({}: {}); serving the answer read {} ms ago for"
                            + " at most {} ms more", reference, e.getClass().getSimpleName(), e.getMessage(),
                            ageMillis, leftMillis);
                } else {
                    LOG.debug("Model resolver: refreshing {} failed again ({}: {}); {} ms of staleness left",
                            reference, e.getClass().getSimpleName(), e.getMessage(), leftMillis);
                }
                return old.failedOnce(ticker.read() + refreshNanos);
            }
        }
    }

    /** Every entry expires {@link #lifetimeNanos} after the start of the read that produced its answer. */
    private final class Lifetime implements Expiry<ModelRef, Entry> {
        @Override
        public long expireAfterCreate(ModelRef reference, Entry entry, long currentTime) {
            return remaining(entry, currentTime);
        }

        @Override
        public long expireAfterUpdate(ModelRef reference, Entry entry, long currentTime, long currentDuration) {
            return remaining(entry, currentTime);
        }

        @Override
        public long expireAfterRead(ModelRef reference, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long remaining(Entry entry, long now) {
            return Math.max(0, entry.readStart() + lifetimeNanos - now);
        }
    }
}
