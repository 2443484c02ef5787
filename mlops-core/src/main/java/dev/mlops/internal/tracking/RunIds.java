package dev.mlops.internal.tracking;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** Time-ordered run ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds then random bits. Thread-safe. */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String next(Clock clock) {
        long millis = clock.millis();
        long randA = RANDOM.nextLong();
        long randB = RANDOM.nextLong();
        long msb = (millis << 16) | 0x7000L | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
