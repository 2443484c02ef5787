package dev.mlops.internal.tracking;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Time-ordered ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds then random bits, monotonic within this
 * JVM (RFC 9562 section 6.2, method 2): an id made in the same millisecond as the previous one, or while the clock
 * reads earlier than it, is the previous one's random bits plus one, so ids made one after the other always sort in
 * the order they were made (listings ordered by time and id then follow the order of creation). Thread-safe.
 */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RAND_B_MASK = 0x3FFFFFFFFFFFFFFFL;
    private static long lastMillis = Long.MIN_VALUE;
    private static long lastRandA;
    private static long lastRandB;

    private RunIds() {
    }

    public static String next(Clock clock) {
        long millis = clock.millis();
        long randA;
        long randB;
        synchronized (RunIds.class) {
            if (millis > lastMillis) {
                randA = RANDOM.nextLong() & 0x0FFFL;
                // the top bit of rand_b stays clear so that many increments fit before a carry
                randB = RANDOM.nextLong() & (RAND_B_MASK >>> 1);
            } else {
                millis = lastMillis;
                randA = lastRandA;
                randB = (lastRandB + 1) & RAND_B_MASK;
                if (randB == 0) {
                    randA = (randA + 1) & 0x0FFFL;
                    if (randA == 0) {
                        millis++;
                    }
                }
            }
            lastMillis = millis;
            lastRandA = randA;
            lastRandB = randB;
        }
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = randB | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
