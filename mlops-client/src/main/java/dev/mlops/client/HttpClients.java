package dev.mlops.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.OkHttpClient;

/**
 * The one shared {@link OkHttpClient} of the library, and the per-store variants made from it (or from a caller's
 * own client) with {@link OkHttpClient#newBuilder()}: they share its connection pool and dispatcher, and add the
 * request-id and retry interceptors and the store's timeouts. OkHttp's own silent retry of a failed connection stays
 * on; {@link Transport} makes the body of every call that is not safe to repeat one-shot, so OkHttp never sends such
 * a call a second time once its first attempt started. Thread-safe.
 */
final class HttpClients {
    private HttpClients() {
    }

    private static final class Shared {
        static final OkHttpClient CLIENT = new OkHttpClient();
    }

    /** The library's shared client, created on first use. */
    static OkHttpClient shared() {
        return Shared.CLIENT;
    }

    /** The settings a store applies to its client. */
    record Settings(Duration connectTimeout, Duration readTimeout, Duration writeTimeout, Duration callTimeout,
            int maxRetries, Duration retryBaseDelay, Duration retryMaxDelay, RetryInterceptor.Sleeper sleeper,
            String token) {

        @Override
        public String toString() {
            return "Settings[connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", maxRetries="
                    + maxRetries + ", token=" + (token == null ? "none" : "***") + "]";
        }
    }

    /** {@code base} with the store's interceptors and timeouts. */
    static OkHttpClient configure(OkHttpClient base, Settings s) {
        OkHttpClient.Builder b = base.newBuilder();
        if (s.token() != null) {
            b.addInterceptor(new AuthInterceptor(s.token()));
        }
        return b
                .addInterceptor(new RequestIdInterceptor())
                .addInterceptor(new RetryInterceptor(s.maxRetries(), s.retryBaseDelay(), s.retryMaxDelay(),
                        () -> ThreadLocalRandom.current().nextDouble(), s.sleeper(), System::currentTimeMillis))
                .connectTimeout(s.connectTimeout())
                .readTimeout(s.readTimeout())
                .writeTimeout(s.writeTimeout())
                .callTimeout(s.callTimeout())
                .build();
    }
}
