package dev.mlops.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Retries a call that is safe to repeat: one tagged {@link Retryable} (reads, PUT-like writes, and creates whose
 * body carries their idempotency key). Everything else is sent exactly once, whatever happens. A retryable call is
 * retried after a transport failure ({@link IOException}) or a 429, 500, 502, 503 or 504, at most
 * {@code maxRetries} times, waiting {@code min(maxDelay, baseDelay * 2^attempt)} scaled by a random factor in
 * [0.5, 1] (jitter), or what a {@code Retry-After} header asks when that is longer, unless it is longer than
 * {@code maxDelay * 4}, in which case the response is returned as it is. {@code random} gives uniform values in
 * [0, 1) for the jitter. Thread-safe.
 */
final class RetryInterceptor implements Interceptor {

    /** The tag of a request that may be sent more than once. */
    enum Retryable {
        YES
    }

    private final int maxRetries;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final DoubleSupplier random;
    private final Sleeper sleeper;
    private final LongSupplier clockMillis;

    /** Waits; replaced in tests that count the waits. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    RetryInterceptor(int maxRetries, Duration baseDelay, Duration maxDelay, DoubleSupplier random, Sleeper sleeper,
            LongSupplier clockMillis) {
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.random = random;
        this.sleeper = sleeper;
        this.clockMillis = clockMillis;
    }

    static boolean retryableStatus(int code) {
        return code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (request.tag(Retryable.class) == null || maxRetries == 0) {
            return chain.proceed(request);
        }
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt >= maxRetries;
            Response response;
            try {
                response = chain.proceed(request);
            } catch (IOException e) {
                if (last || chain.call().isCanceled()) {
                    throw e;
                }
                pause(backoff(attempt));
                continue;
            }
            if (last || !retryableStatus(response.code())) {
                return response;
            }
            long wait = backoff(attempt);
            Long asked = retryAfterMillis(response.header("Retry-After"));
            if (asked != null) {
                if (asked > maxDelay.toMillis() * 4) {
                    return response;
                }
                wait = Math.max(wait, asked);
            }
            response.close();
            pause(wait);
        }
    }

    /** The delay before retry {@code attempt + 1}, with jitter. */
    long backoff(int attempt) {
        long cap = maxDelay.toMillis();
        long delay = attempt >= 30 ? cap : Math.min(cap, baseDelay.toMillis() << attempt);
        return (long) (delay * (0.5 + 0.5 * random.getAsDouble()));
    }

    /** What a {@code Retry-After} header asks (seconds or an HTTP date), or null when absent or unreadable. */
    Long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Math.multiplyExact(seconds, 1000L);
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - clockMillis.getAsLong());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private void pause(long millis) throws InterruptedIOException {
        try {
            sleeper.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting to retry");
            io.initCause(e);
            throw io;
        }
    }
}
