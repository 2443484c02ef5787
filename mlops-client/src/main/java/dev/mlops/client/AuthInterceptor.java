package dev.mlops.client;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Sends {@code Authorization: Bearer <token>} on every request that has no Authorization header. The token is
 * never logged and never part of a message. Thread-safe.
 */
final class AuthInterceptor implements Interceptor {
    private final String token;

    AuthInterceptor(String token) {
        this.token = token;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        if (chain.request().header("Authorization") != null) {
            return chain.proceed(chain.request());
        }
        return chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + token).build());
    }

    @Override
    public String toString() {
        return "AuthInterceptor[token=***]";
    }
}
