package dev.mlops.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.ErrorCode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.PermissionDeniedException;
import dev.mlops.StorageException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("the client's transport against scripted faults (mockwebserver3)")
class TransportFaultsTest {
    @StartStop
    private final MockWebServer server = new MockWebServer();

    /** The waits the retry interceptor asked for, instead of sleeping. */
    private final List<Long> waits = new CopyOnWriteArrayList<>();

    private Transport transport(Duration readTimeout, int maxRetries) {
        return transport(readTimeout, maxRetries, null);
    }

    private Transport transport(Duration readTimeout, int maxRetries, String token) {
        HttpClients.Settings s = new HttpClients.Settings(Duration.ofSeconds(5), readTimeout, Duration.ofSeconds(5),
                Duration.ZERO, maxRetries, Duration.ofMillis(100), Duration.ofSeconds(2), waits::add, token);
        OkHttpClient client = HttpClients.configure(new OkHttpClient(), s);
        return new Transport(server.url("/"), client, new ObjectMapper());
    }

    private Transport transport() {
        return transport(Duration.ofSeconds(5), 3);
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body)
                .build();
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the server").isNotNull();
        return r;
    }

    @Test
    @DisplayName("a GET answered 500 is retried, with the same request id, and the 200 that follows is returned")
    void getRetriedAfter500() throws Exception {
        server.enqueue(json(500, "{\"error_code\":\"STORAGE\",\"message\":\"db busy\"}"));
        server.enqueue(json(200, "{\"ok\":true}"));

        assertThat(transport().call("GET", "runs", "r1").retryable().send().get("ok").asBoolean()).isTrue();

        RecordedRequest first = take();
        RecordedRequest second = take();
        assertThat(first.getUrl().encodedPath()).isEqualTo("/api/v1/runs/r1");
        assertThat(first.getHeaders().get("X-Request-Id")).isNotBlank()
                .isEqualTo(second.getHeaders().get("X-Request-Id"));
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0)).isBetween(50L, 100L);
    }

    @Test
    @DisplayName("a POST that is not safe to repeat is sent once, whatever the status")
    void postWithoutIdempotencyNotRetried() throws Exception {
        server.enqueue(json(503, "{\"error_code\":\"STORAGE\",\"message\":\"unavailable\"}"));
        server.enqueue(json(200, "{}"));

        assertThatThrownBy(() -> transport().call("POST", "runs", "r1", "metrics")
                .body(new ObjectMapper().createObjectNode()).send())
                .isInstanceOf(StorageException.class).hasMessage("unavailable");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    @DisplayName("a POST that is not safe to repeat is sent once when the connection is reset before the reply")
    void postNotRetriedAfterConnectionReset() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(json(200, "{}"));

        assertThatThrownBy(() -> transport().call("POST", "runs", "r1", "metrics")
                .body(new ObjectMapper().createObjectNode()).send())
                .isInstanceOf(StorageException.class).hasMessageContaining("POST /api/v1/runs");
        take();
        assertThat(server.takeRequest(300, TimeUnit.MILLISECONDS)).as("a second attempt").isNull();
    }

    @Test
    @DisplayName("a retryable call is retried after a connection reset")
    void retryAfterConnectionReset() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(json(200, "{\"n\":1}"));

        assertThat(transport().call("POST", "runs").body(new ObjectMapper().createObjectNode()).retryable().send()
                .get("n").asInt()).isEqualTo(1);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("429 with Retry-After: the wait is at least what the server asked")
    void retryAfterHonoured() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "3").build());
        server.enqueue(json(200, "{}"));

        transport().call("GET", "health").retryable().send();

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(waits).containsExactly(3000L);
    }

    @Test
    @DisplayName("a Retry-After longer than the client will wait is not waited for: the 429 surfaces as STORAGE")
    void retryAfterTooLong() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "3600").build());

        assertThatThrownBy(() -> transport().call("GET", "health").retryable().send())
                .isInstanceOf(StorageException.class).hasMessageContaining("429");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    @DisplayName("a read timeout is a StorageException whose cause is the timeout; a retryable call then succeeds")
    void timeout() throws Exception {
        server.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("{}").build());
        assertThatThrownBy(() -> transport(Duration.ofMillis(200), 0).call("GET", "health").retryable().send())
                .isInstanceOf(StorageException.class).hasCauseInstanceOf(SocketTimeoutException.class);

        server.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("{}").build());
        server.enqueue(json(200, "{\"n\":2}"));
        assertThat(transport(Duration.ofMillis(200), 2).call("GET", "health").retryable().send().get("n").asInt())
                .isEqualTo(2);
    }

    @Test
    @DisplayName("a truncated body is a StorageException, never a half-read value")
    void truncatedBody() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"items\":[1,2,3]}").setHeader("Content-Length", "400")
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());

        assertThatThrownBy(() -> transport(Duration.ofSeconds(2), 0).call("GET", "runs").send())
                .isInstanceOf(StorageException.class).hasMessageContaining("GET /api/v1/runs");
    }

    @Test
    @DisplayName("a body that is not JSON is a StorageException")
    void malformedBody() {
        server.enqueue(json(200, "{\"items\":[1,2"));
        assertThatThrownBy(() -> transport().call("GET", "runs").send()).isInstanceOf(StorageException.class)
                .hasMessageContaining("not valid JSON");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ErrorCode.class)
    @DisplayName("an error body maps back to the exception of its code, with its message and field")
    void errorBodies(ErrorCode code) {
        int status = switch (code) {
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, CONFLICT -> 409;
            case INVALID_ARGUMENT -> 400;
            case PERMISSION_DENIED -> 403;
            case STORAGE -> 503;
            case INTEGRITY -> 500;
        };
        server.enqueue(json(status, "{\"error_code\":\"" + code + "\",\"message\":\"what went wrong\","
                + "\"field\":\"params.lr\"}"));

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> transport().call("POST", "runs").body(new ObjectMapper().createObjectNode()).send());

        Class<?> expected = switch (code) {
            case NOT_FOUND -> NotFoundException.class;
            case ALREADY_EXISTS -> AlreadyExistsException.class;
            case CONFLICT -> ConflictException.class;
            case INVALID_ARGUMENT -> InvalidArgumentException.class;
            case PERMISSION_DENIED -> PermissionDeniedException.class;
            case STORAGE -> StorageException.class;
            case INTEGRITY -> IntegrityException.class;
        };
        assertThat(thrown).isInstanceOf(expected).hasMessage("what went wrong");
        assertThat(((MlopsException) thrown).code()).isEqualTo(code);
        if (code == ErrorCode.INVALID_ARGUMENT) {
            assertThat(((MlopsException) thrown).field()).contains("params.lr");
        }
    }

    @Test
    @DisplayName("an error without a protocol body maps by its status")
    void errorWithoutBody() {
        server.enqueue(new MockResponse.Builder().code(502).body("<html>bad gateway</html>").build());
        assertThatThrownBy(() -> transport().call("DELETE", "x").send()).isInstanceOf(StorageException.class)
                .hasMessageContaining("502");
        server.enqueue(new MockResponse.Builder().code(409).build());
        assertThatThrownBy(() -> transport().call("DELETE", "x").send()).isInstanceOf(ConflictException.class);
    }

    @Test
    @DisplayName("a read of one entity answered 404 NOT_FOUND is empty; other errors still throw")
    void optionalReads() {
        server.enqueue(json(404, "{\"error_code\":\"NOT_FOUND\",\"message\":\"no run r9\"}"));
        assertThat(transport().call("GET", "runs", "r9").sendOptional()).isEmpty();
        server.enqueue(json(400, "{\"error_code\":\"INVALID_ARGUMENT\",\"message\":\"bad\",\"field\":\"runId\"}"));
        assertThatThrownBy(() -> transport().call("GET", "runs", "r9").sendOptional())
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    @DisplayName("retries stop after maxRetries: the last error surfaces")
    void retriesExhausted() {
        for (int i = 0; i < 4; i++) {
            server.enqueue(json(503, "{\"error_code\":\"STORAGE\",\"message\":\"down " + i + "\"}"));
        }
        assertThatThrownBy(() -> transport().call("GET", "health").retryable().send())
                .isInstanceOf(StorageException.class).hasMessage("down 3");
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(waits).hasSize(3);
    }

    @Test
    @DisplayName("path parameters are percent-encoded, one segment each, '/' included; '.' and '..' are refused")
    void pathEncoding() throws Exception {
        server.enqueue(json(200, "{}"));
        transport().call("GET", "datasets", "team/churn data", "versions", "sha256:ab%").send();
        assertThat(take().getUrl().encodedPath())
                .isEqualTo("/api/v1/datasets/team%2Fchurn%20data/versions/sha256:ab%25");
        assertThatThrownBy(() -> Transport.param("name", "..")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> Transport.param("name", null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    @DisplayName("a token is sent as a bearer token on every attempt; a 401 is PERMISSION_DENIED and not retried")
    void bearerToken() throws Exception {
        server.enqueue(json(503, "{\"error_code\":\"STORAGE\",\"message\":\"busy\"}"));
        server.enqueue(json(401, "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"authentication required\"}"));
        Transport t = transport(Duration.ofSeconds(5), 3, "tok-0123456789abcdef");

        assertThatThrownBy(() -> t.call("GET", "runs", "r1").retryable().send())
                .isInstanceOf(PermissionDeniedException.class).hasMessage("authentication required");
        assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer tok-0123456789abcdef");
        assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer tok-0123456789abcdef");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @RepeatedTest(20)
    @DisplayName("backoff doubles from the base delay up to the cap, jittered within [1/2, 1] of it")
    void backoffBounds(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
        RetryInterceptor retry = new RetryInterceptor(10, Duration.ofMillis(100), Duration.ofSeconds(2),
                random::nextDouble, millis -> { }, () -> 0L);
        for (int attempt = 0; attempt < 40; attempt++) {
            long nominal = Math.min(2000, 100L << Math.min(attempt, 20));
            assertThat(retry.backoff(attempt)).as("attempt %d", attempt).isBetween(nominal / 2, nominal);
        }
    }

    @Test
    @DisplayName("Retry-After is read as seconds or as an HTTP date")
    void retryAfterFormats() {
        RetryInterceptor retry = new RetryInterceptor(1, Duration.ofMillis(100), Duration.ofSeconds(2),
                () -> 0.5, millis -> { }, () -> 784_111_777_000L - 10_000);
        assertThat(retry.retryAfterMillis("7")).isEqualTo(7000L);
        assertThat(retry.retryAfterMillis("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(10_000L);
        assertThat(retry.retryAfterMillis("soon")).isNull();
        assertThat(retry.retryAfterMillis("-1")).isNull();
        assertThat(retry.retryAfterMillis(null)).isNull();
    }
}
