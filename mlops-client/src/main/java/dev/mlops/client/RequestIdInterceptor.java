package dev.mlops.client;

import java.io.IOException;
import java.util.UUID;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Gives each call an {@code X-Request-Id} (a random UUID) unless it has one, before the retry interceptor, so that
 * every attempt of one call carries the same id and the server's log lines of a retried call can be matched.
 */
final class RequestIdInterceptor implements Interceptor {
    static final String HEADER = "X-Request-Id";

    @Override
    public Response intercept(Chain chain) throws IOException {
        if (chain.request().header(HEADER) != null) {
            return chain.proceed(chain.request());
        }
        return chain.proceed(chain.request().newBuilder().header(HEADER, UUID.randomUUID().toString()).build());
    }
}
