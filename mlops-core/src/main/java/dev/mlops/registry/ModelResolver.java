package dev.mlops.registry;

/**
 * Resolves model references on a service's request path. Thread-safe, lock-free on a cache hit; meant to be created
 * once and shared.
 *
 * <p>An answer is cached per reference and refreshed in the background once older than the refresh interval (the
 * caller keeps getting the cached answer meanwhile). A change made through the same {@code Mlops} instance
 * (an alias moved or deleted, a version deleted) invalidates the affected answers at once; a change made by another
 * process is seen by every resolve that starts {@code 2 * refreshInterval} after the change or later (under steady
 * traffic, by the first one after the background refresh that follows the change; after a quiet period, the
 * resolve reads the store itself, once, in the calling thread). When the store fails, the last
 * known answer keeps being served, but never once {@code refreshInterval + maxStaleness} have passed since it was read
 * from the store; after that the next call reads the store itself, so the failure reaches the caller. A
 * {@code NOT_FOUND} or {@code CONFLICT} from a refresh is an answer, not a failure: the cached answer is dropped.
 * Failures are never cached.
 */
public interface ModelResolver {

    /**
     * The version {@code reference} ({@code NAME@ALIAS}, {@code NAME/VERSION}, optionally prefixed {@code model:})
     * names, and its artifact.
     *
     * @throws dev.mlops.NotFoundException when the model, version or alias does not exist
     * @throws dev.mlops.ConflictException when the version is not {@code READY} (it has no artifact to serve)
     * @throws dev.mlops.StorageException when the store fails and no answer younger than the maximum staleness is known
     */
    ResolvedModel resolve(String reference);

    /** Same as {@link #resolve(String)}. */
    ResolvedModel resolve(ModelRef reference);

    /** Forgets every cached answer. */
    void invalidateAll();
}
