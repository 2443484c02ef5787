package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.FrequentItemsCounter;
import dev.mlops.internal.drift.KllSketch;

/**
 * Settings of a profile: the KLL sketch's {@code kllK} (accuracy against size: the normalized rank error is about
 * {@code 2.296 / kllK^0.9723}, 1.33% for the default 200) and the {@code categoryCap} up to which category counts are
 * exact (default 1,000 distinct values). Profiles merge only with profiles of the same settings. Immutable.
 *
 * @param kllK        the KLL parameter, 8 to 65,535
 * @param categoryCap the number of distinct categories counted exactly, 2 to 1,000,000
 */
public record ProfileOptions(int kllK, int categoryCap) {
    public static final int DEFAULT_KLL_K = 200;
    public static final int DEFAULT_CATEGORY_CAP = 1000;

    /** @throws InvalidArgumentException naming {@code kllK} or {@code categoryCap} when out of range */
    public ProfileOptions {
        if (kllK < KllSketch.MIN_K || kllK > KllSketch.MAX_K) {
            throw new InvalidArgumentException("kllK", "kllK must be in [" + KllSketch.MIN_K + ", "
                    + KllSketch.MAX_K + "], was " + kllK);
        }
        if (categoryCap < FrequentItemsCounter.MIN_CAP || categoryCap > FrequentItemsCounter.MAX_CAP) {
            throw new InvalidArgumentException("categoryCap", "categoryCap must be in ["
                    + FrequentItemsCounter.MIN_CAP + ", " + FrequentItemsCounter.MAX_CAP + "], was " + categoryCap);
        }
    }

    /** {@code kllK} 200, {@code categoryCap} 1,000. */
    public static ProfileOptions defaults() {
        return new ProfileOptions(DEFAULT_KLL_K, DEFAULT_CATEGORY_CAP);
    }
}
