package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving example against a real SQLite store and artifact directory, called over loopback HTTP. Every request
 * has a 5-second timeout and each test makes at most a dozen requests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModelServingExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "rain";
    private static final Map<String, Double> DAY = Map.of("temp_max", 11.1, "temp_min", 4.4, "wind", 5.1);

    /** Two real models that disagree on {@link #DAY}: the first says dry, the second wet. */
    private static final LogisticModel V1 = new LogisticModel(ModelServingExample.FEATURES,
            new double[] {16.0, 8.0, 3.0}, new double[] {7.0, 5.0, 1.5}, new double[] {0.8, -0.2, -0.4}, -0.5,
            List.of("dry", "wet"));
    private static final LogisticModel V2 = new LogisticModel(ModelServingExample.FEATURES,
            new double[] {16.0, 8.0, 3.0}, new double[] {7.0, 5.0, 1.5}, new double[] {-1.1, 0.3, 0.6}, 0.1,
            List.of("dry", "wet"));

    @TempDir
    Path dir;

    private Mlops mlops;
    private ModelServingExample service;
    private HttpClient client;

    @BeforeEach
    void openStore() {
        mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).actor("alice").build();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        mlops.close();
    }

    @Test
    @DisplayName("each request is answered by the version production points at now, a move by the very next request")
    void servesTheVersionTheAliasPointsAt() throws Exception {
        ModelRegistry registry = mlops.registry();
        ModelVersion v1 = register(V1);
        ModelVersion v2 = register(V2);
        assertThat(List.of(v1.version(), v2.version())).containsExactly(1, 2);
        registry.setGovernance(MODEL, Governance.builder().businessOwner("weather-desk")
                .approverRole("model-approver").build());
        registry.approve(MODEL, 1, "checked on 2015");
        registry.approve(MODEL, 2, "checked on 2015");
        registry.setAlias(MODEL, "production", 1);
        // An hour's refresh: only the invalidation by a change through this Mlops can make a move visible in time.
        service = ModelServingExample.start(mlops, MODEL, 0, Duration.ofHours(1), Duration.ofHours(1));
        assertThat(service.uri().getHost()).isEqualTo("127.0.0.1");

        JsonNode first = predict(200, "");
        assertThat(first.get("model").asText()).isEqualTo(MODEL);
        assertThat(first.get("alias").asText()).isEqualTo("production");
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("digest").asText()).isEqualTo(v1.digest()).startsWith("sha256:");
        assertThat(first.get("probability").asDouble()).isCloseTo(V1.probability(DAY), within(1e-12));
        assertThat(first.get("label").asText()).isEqualTo("dry");
        assertThat(predict(200, "").get("version").asInt()).isEqualTo(1);
        assertThat(service.modelLoads()).as("the model is read once, then served from the cache").isEqualTo(1);

        registry.setAlias(MODEL, "production", 2, 1);

        JsonNode moved = predict(200, "");
        assertThat(moved.get("version").asInt()).isEqualTo(2);
        assertThat(moved.get("digest").asText()).isEqualTo(v2.digest());
        assertThat(moved.get("probability").asDouble()).isCloseTo(V2.probability(DAY), within(1e-12));
        assertThat(moved.get("label").asText()).isEqualTo("wet");
        assertThat(service.modelLoads()).isEqualTo(2);

        registry.setAlias(MODEL, "production", 1, 2);   // a rollback: the old model is still cached by its digest
        assertThat(predict(200, "").get("version").asInt()).isEqualTo(1);
        assertThat(service.modelLoads()).isEqualTo(2);
    }

    @Test
    @DisplayName("an unknown alias, a bad parameter, a wrong path or method: a JSON error with the matching status")
    void errorsAreJson() throws Exception {
        register(V1);
        mlops.registry().setAlias(MODEL, "shadow", 1);   // not guarded: a version that is READY is enough
        service = ModelServingExample.start(mlops, MODEL, 0, Duration.ofHours(1), Duration.ofHours(1));

        JsonNode unknownAlias = predict(404, "&alias=staging");
        assertThat(unknownAlias.get("error").asText()).isEqualTo("NOT_FOUND");
        assertThat(unknownAlias.get("message").asText()).contains("staging");
        JsonNode noProduction = predict(404, "");
        assertThat(noProduction.get("error").asText()).isEqualTo("NOT_FOUND");
        assertThat(noProduction.get("message").asText()).contains("production");
        assertThat(predict(200, "&alias=shadow").get("version").asInt()).isEqualTo(1);
        JsonNode numericAlias = predict(400, "&alias=7");
        assertThat(numericAlias.get("error").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(numericAlias.get("message").asText()).contains("7");

        JsonNode missing = call(400, "GET", "/predict?alias=shadow&temp_max=1&temp_min=2");
        assertThat(missing.get("error").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(missing.get("field").asText()).isEqualTo("wind");
        JsonNode notANumber = call(400, "GET", "/predict?alias=shadow&temp_max=warm&temp_min=2&wind=3");
        assertThat(notANumber.get("field").asText()).isEqualTo("temp_max");
        assertThat(notANumber.get("message").asText()).contains("must be a number");
        JsonNode unknown = call(400, "GET", "/predict?alias=shadow&temp_max=1&temp_min=2&wind=3&humidity=80");
        assertThat(unknown.get("field").asText()).isEqualTo("humidity");

        assertThat(call(404, "GET", "/models").get("error").asText()).isEqualTo("NOT_FOUND");
        assertThat(call(405, "POST", "/predict").get("error").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    @DisplayName("main trains two versions on the bundled data, serves version 1, promotes version 2 and serves it")
    void mainRunsTheWholeDemo() throws Exception {
        mlops.close();
        String store = "sqlite:" + dir.resolve("demo.db");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            ModelServingExample.main(new String[] {store});
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("\"version\":1").contains("moved production to version 2")
                .contains("\"version\":2");
        assertThat(printed.indexOf("\"version\":1")).isLessThan(printed.indexOf("\"version\":2"));

        mlops = Mlops.open(store);
        ModelVersion production = mlops.registry().resolve(ModelServingExample.MODEL + "@production");
        assertThat(production.version()).isEqualTo(2);
        assertThat(production.tags()).containsEntry("trained_on", "2012-2014");
        assertThat(production.metrics().get("accuracy_2015")).isBetween(0.5, 1.0);
        assertThat(mlops.registry().model(ModelServingExample.MODEL).governance().approverRole())
                .isEqualTo("model-approver");
        assertThat(mlops.audit().verify().ok()).isTrue();
    }

    @Test
    @DisplayName("the model file format round-trips, and a file of another format is refused naming the problem")
    void modelFormat() {
        assertThat(LogisticModel.fromJson(V1.toJson())).isEqualTo(V1);
        assertThat(new String(V1.toJson(), StandardCharsets.UTF_8)).contains("\"format\" : \"" + LogisticModel.FORMAT);
        assertThatThrownBy(() -> LogisticModel.fromJson(
                "{\"format\":\"something-else\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> LogisticModel.fromJson(
                new String(V1.toJson(), StandardCharsets.UTF_8).replace("\"wind\"", "\"temp_max\"")
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("distinct");
    }

    private ModelVersion register(LogisticModel model) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "model-", ".json"), model.toJson());
        return mlops.registry().newVersion(MODEL)
                .signature(ModelServingExample.FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList(),
                        List.of(new Column("probability", ColumnType.NUMERIC)))
                .upload(file);
    }

    private JsonNode predict(int status, String extra) throws Exception {
        return call(status, "GET", "/predict?temp_max=" + DAY.get("temp_max") + "&temp_min=" + DAY.get("temp_min")
                + "&wind=" + DAY.get("wind") + extra);
    }

    private JsonNode call(int status, String method, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.uri() + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s -> %s", method, pathAndQuery, response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }
}
