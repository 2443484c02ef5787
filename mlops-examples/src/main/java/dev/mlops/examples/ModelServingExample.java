package dev.mlops.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelRegistry;
import dev.mlops.registry.ModelResolver;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.ResolvedModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java service that resolves its model through the registry on every request, so that moving the
 * {@code production} alias changes what it serves without a restart or a redeploy.
 *
 * <p>{@code GET /predict?temp_max=11.1&temp_min=4.4&wind=5.1} resolves {@code NAME@production} with a
 * {@link ModelResolver} (on a cache hit, without touching the store), loads the model bytes of the resolved
 * artifact digest from {@link Mlops#artifacts()} (cached by digest, so each model is read and parsed once, also when
 * the alias moves back and forth), and answers
 * <pre>{@code
 * {"model":"seattle-rain","alias":"production","version":2,"digest":"sha256:...","probability":0.66,"label":"wet"}
 * }</pre>
 * The query parameters are the model's features (a {@link LogisticModel}), plus an optional {@code alias} (default
 * {@code production}). Errors are JSON too, {@code {"error":"NOT_FOUND","message":"..."}}, with the status of their
 * {@link ErrorCode}: 404 for an unknown model or alias, 400 for a missing, unknown or non-numeric parameter (the
 * {@code field} names it), 409 for a version without an artifact, 503 when the store is unreachable and no recent
 * answer is cached, 500 when the model cannot be read.
 *
 * <p>The service binds to the loopback interface only. It is thread-safe: requests are served by a small pool of
 * threads, all sharing one resolver and one model cache. {@link #close()} stops it; the {@link Mlops} stays open
 * (it is the caller's).
 *
 * <p>Run: {@code java dev.mlops.examples.ModelServingExample [STORE_URI] [--serve PORT]} (default {@code memory:}).
 * It trains two versions of a rain classifier on the bundled Seattle weather data, registers, approves and promotes
 * the first, starts the service, asks it for a prediction, moves {@code production} to the second version and asks
 * again. With {@code --serve PORT} it then keeps serving on {@code 127.0.0.1:PORT} until stopped.
 */
public final class ModelServingExample implements AutoCloseable {

    /** The model the demo registers. */
    public static final String MODEL = "seattle-rain";
    /** The demo model's features: the day's highest and lowest temperature (Celsius) and wind (m/s). */
    public static final List<String> FEATURES = List.of("temp_max", "temp_min", "wind");
    /** The alias served when a request names none. */
    public static final String DEFAULT_ALIAS = "production";

    private static final Logger LOG = LoggerFactory.getLogger(ModelServingExample.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_QUERY = 4096;
    private static final int MAX_MODEL_BYTES = 1 << 20;
    private static final int THREADS = 4;

    private final Mlops mlops;
    private final String modelName;
    private final ModelResolver resolver;
    private final LoadingCache<String, LogisticModel> models;
    private final AtomicLong modelLoads = new AtomicLong();
    private final HttpServer server;
    private final ExecutorService executor;

    private ModelServingExample(Mlops mlops, String modelName, ModelResolver resolver, HttpServer server,
            ExecutorService executor) {
        this.mlops = mlops;
        this.modelName = modelName;
        this.resolver = resolver;
        this.server = server;
        this.executor = executor;
        // Artifacts are content-addressed: a digest always names the same bytes, so entries never go stale. A few
        // entries cover the versions a service switches between (rollback is a cache hit).
        this.models = Caffeine.newBuilder().maximumSize(8).build(this::load);
    }

    /**
     * Starts serving {@code modelName} on {@code 127.0.0.1:port} (0: any free port, see {@link #uri()}).
     *
     * @param refreshInterval how often the resolver re-reads an alias changed by another process
     * @param maxStaleness    how long beyond the refresh interval the resolver keeps answering from its cache while the
     *                        store is unreachable
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static ModelServingExample start(Mlops mlops, String modelName, int port, Duration refreshInterval,
            Duration maxStaleness) {
        Objects.requireNonNull(mlops, "mlops");
        Objects.requireNonNull(modelName, "modelName");
        if (port < 0 || port > 65_535) {
            throw new InvalidArgumentException("port", "port must be between 0 and 65535, was " + port);
        }
        ModelResolver resolver = mlops.registry().resolver(refreshInterval, maxStaleness);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "model-serving-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ModelServingExample service = new ModelServingExample(mlops, modelName, resolver, server, executor);
        server.createContext("/", service::handle);
        server.setExecutor(executor);
        server.start();
        return service;
    }

    /** Where the service listens, {@code http://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many times a model was read from the artifact store and parsed (once per digest while cached). */
    public long modelLoads() {
        return modelLoads.get();
    }

    /** Stops listening, lets requests in progress finish (up to a second), and stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- request handling -------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status;
            Map<String, Object> body;
            try {
                body = answer(exchange);
                status = 200;
            } catch (ModelUnusable e) {
                // The stored model is the service's problem, not the caller's: a 5xx whatever the cause's code.
                status = e.failure.code() == ErrorCode.STORAGE ? 503 : 500;
                body = error(e.failure.code().name(), e.getMessage(), null);
            } catch (MlopsException e) {
                status = status(e.code());
                body = error(e.code().name(), e.getMessage(), e.field().orElse(null));
            } catch (MethodNotAllowed e) {
                exchange.getResponseHeaders().set("Allow", "GET");
                status = 405;
                body = error("METHOD_NOT_ALLOWED", e.getMessage(), null);
            } catch (RuntimeException e) {
                // A bug: logged for the operator; the caller learns what kind of failure, never its details.
                LOG.error("GET {} failed", exchange.getRequestURI().getPath(), e);
                status = 500;
                body = error("INTERNAL", "internal error (" + e.getClass().getSimpleName() + ")", null);
            }
            byte[] bytes = json(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Map<String, Object> answer(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!"/predict".equals(path)) {
            throw new NotFoundException("no such path: " + path + " (the service answers GET /predict with the"
                    + " model's features as query parameters)");
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            throw new MethodNotAllowed(exchange.getRequestMethod() + " is not allowed on /predict, use GET");
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String alias = query.getOrDefault("alias", DEFAULT_ALIAS);

        // The hot path: a cached resolution, then a cached model, both keyed so that a moved alias is seen at once.
        ResolvedModel resolved = resolver.resolve(modelName + "@" + alias);
        String digest = resolved.artifact().digest();
        LogisticModel model;
        try {
            model = models.get(digest);
        } catch (MlopsException e) {
            throw new ModelUnusable("model " + resolved.version().ref() + " (" + digest + ") cannot be used: "
                    + e.getMessage(), e);
        }

        Map<String, Double> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getKey().equals("alias")) {
                continue;
            }
            if (!model.features().contains(e.getKey())) {
                throw new InvalidArgumentException(e.getKey(), "unknown parameter '" + e.getKey()
                        + "': the model takes " + model.features() + " (and an optional alias)");
            }
            inputs.put(e.getKey(), number(e.getKey(), e.getValue()));
        }
        double p = model.probability(inputs);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", modelName);
        body.put("alias", alias);
        body.put("version", resolved.version().version());
        body.put("digest", digest);
        body.put("probability", p);
        body.put("label", model.label(p));
        return body;
    }

    private LogisticModel load(String digest) {
        byte[] bytes;
        try (InputStream in = mlops.artifacts().open(digest)) {
            bytes = in.readNBytes(MAX_MODEL_BYTES + 1);
            if (bytes.length > MAX_MODEL_BYTES) {
                throw new InvalidArgumentException("model", "artifact " + digest + " is larger than "
                        + MAX_MODEL_BYTES + " bytes, too large for a model of this format");
            }
            in.transferTo(OutputStream.nullOutputStream());  // to the end, where the store verifies the digest
        } catch (IOException e) {
            throw new StorageException("reading artifact " + digest + " failed: " + e.getMessage(), e);
        }
        LogisticModel model = LogisticModel.fromJson(bytes);
        modelLoads.incrementAndGet();
        return model;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        if (raw.length() > MAX_QUERY) {
            throw new InvalidArgumentException("query", "the query is longer than " + MAX_QUERY + " characters");
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.putIfAbsent(key, value) != null) {
                throw new InvalidArgumentException(key, "parameter '" + key + "' is given more than once");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("query", "the query is not URL-encoded properly: " + e.getMessage());
        }
    }

    private static double number(String name, String text) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name, "parameter '" + name + "' must be a number, was '"
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
        }
        if (!Double.isFinite(value)) {
            throw new InvalidArgumentException(name, "parameter '" + name + "' must be a finite number");
        }
        return value;
    }

    static int status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> 404;
            case INVALID_ARGUMENT -> 400;
            case CONFLICT, ALREADY_EXISTS -> 409;
            case PERMISSION_DENIED -> 403;
            case STORAGE -> 503;
            case INTEGRITY -> 500;
        };
    }

    private static Map<String, Object> error(String code, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    private static byte[] json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
    }

    private static final class ModelUnusable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient MlopsException failure;

        ModelUnusable(String message, MlopsException cause) {
            super(message, cause);
            this.failure = cause;
        }
    }

    private static final class MethodNotAllowed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MethodNotAllowed(String message) {
            super(message, null, false, false);
        }
    }

    // ---- the demo: train, register, govern, approve, promote --------------------------------------------------

    /** What {@link #publishDemoModels} registered: two approved versions, {@code production} on the first. */
    public record Published(ModelVersion first, LogisticModel firstModel, ModelVersion second,
            LogisticModel secondModel) {
    }

    /**
     * Trains two versions of a rain classifier (is {@code precipitation > 0} on a day, from its temperatures and
     * wind) on the bundled Seattle weather data, the first on 2012-2013 and the second on 2012-2014, each evaluated
     * on 2015; registers both as versions of {@link #MODEL}, gives the model a governance record (once), approves
     * both and points {@code production} at the first.
     *
     * @param workDir where the model files are written before upload
     */
    public static Published publishDemoModels(Mlops mlops, Path workDir) {
        List<String[]> rows = weatherRows();
        LogisticModel first = fit(rows, 2012, 2013);
        LogisticModel second = fit(rows, 2012, 2014);
        ModelRegistry registry = mlops.registry();
        registry.createModel(MODEL, "Will it rain in Seattle on a day, from its temperatures and wind?",
                Map.of("team", "weather-desk"));
        ModelVersion v1 = register(mlops, workDir, rows, first, "2012-2013");
        ModelVersion v2 = register(mlops, workDir, rows, second, "2012-2014");
        if (registry.model(MODEL).governance().businessOwner() == null) {
            registry.setGovernance(MODEL, Governance.builder()
                    .businessOwner("weather-desk")
                    .technicalOwner("ml-platform")
                    .intendedUse("an umbrella hint in the weather app; not for flood or safety warnings")
                    .serviceLevel("p99 < 5 ms, 99.9% available")
                    .retrainingPolicy("yearly, on all past years")
                    .approverRole("model-approver")
                    .confidentiality(Confidentiality.INTERNAL)
                    .codeShareable(true)
                    .build());
        }
        v1 = registry.approve(MODEL, v1.version(), "accuracy on 2015 checked against the previous model");
        v2 = registry.approve(MODEL, v2.version(), "accuracy on 2015 checked against the previous model");
        registry.setAlias(MODEL, DEFAULT_ALIAS, v1.version());
        return new Published(registry.resolve(v1.ref()), first, registry.resolve(v2.ref()), second);
    }

    private static ModelVersion register(Mlops mlops, Path workDir, List<String[]> rows, LogisticModel model,
            String trainedOn) {
        Path file = workDir.resolve("seattle-rain-" + trainedOn + ".json");
        try {
            Files.write(file, model.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double[][] x = features(rows, 2015, 2015);
        return mlops.registry().newVersion(MODEL)
                .signature(FEATURES.stream().map(f -> new Column(f, ColumnType.NUMERIC)).toList(),
                        List.of(new Column("probability", ColumnType.NUMERIC),
                                new Column("label", ColumnType.CATEGORICAL)))
                .metric("accuracy_2015", model.accuracy(x, labels(rows, 2015, 2015)))
                .tag("trained_on", trainedOn)
                .tag("format", LogisticModel.FORMAT)
                .description("logistic regression trained on " + trainedOn)
                .upload(file);
    }

    private static LogisticModel fit(List<String[]> rows, int fromYear, int toYear) {
        return LogisticModel.fit(FEATURES, features(rows, fromYear, toYear), labels(rows, fromYear, toYear),
                List.of("dry", "wet"), 300, 0.5);
    }

    /** The bundled CSV (date, precipitation, temp_max, temp_min, wind, weather) without its header. */
    static List<String[]> weatherRows() {
        InputStream in = ModelServingExample.class.getResourceAsStream("data/seattle-weather.csv");
        if (in == null) {
            throw new IllegalStateException("the bundled data/seattle-weather.csv is missing from the class path");
        }
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.readLine();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(line.split(","));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static boolean inYears(String[] row, int fromYear, int toYear) {
        int year = Integer.parseInt(row[0].substring(0, 4));
        return year >= fromYear && year <= toYear;
    }

    private static double[][] features(List<String[]> rows, int fromYear, int toYear) {
        return rows.stream().filter(r -> inYears(r, fromYear, toYear))
                .map(r -> new double[] {Double.parseDouble(r[2]), Double.parseDouble(r[3]), Double.parseDouble(r[4])})
                .toArray(double[][]::new);
    }

    private static boolean[] labels(List<String[]> rows, int fromYear, int toYear) {
        List<String[]> selected = rows.stream().filter(r -> inYears(r, fromYear, toYear)).toList();
        boolean[] wet = new boolean[selected.size()];
        for (int i = 0; i < wet.length; i++) {
            wet[i] = Double.parseDouble(selected.get(i)[1]) > 0;
        }
        return wet;
    }

    // ---- main -------------------------------------------------------------------------------------------------

    public static void main(String[] args) throws IOException, InterruptedException {
        String store = "memory:";
        Integer servePort = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--serve") && i + 1 < args.length && args[i + 1].matches("[0-9]{1,5}")) {
                servePort = Integer.parseInt(args[++i]);
            } else if (!args[i].startsWith("--")) {
                store = args[i];
            } else {
                System.err.println("usage: ModelServingExample [STORE_URI] [--serve PORT]");
                System.exit(2);
            }
        }
        Path work = Files.createTempDirectory("mlops-serving-example");
        try (Mlops mlops = Mlops.open(store)) {
            Published published = publishDemoModels(mlops, work);
            try (ModelServingExample service = start(mlops, MODEL, servePort == null ? 0 : servePort,
                    Duration.ofSeconds(30), Duration.ofMinutes(10))) {
                URI predict = service.uri().resolve("/predict?temp_max=11.1&temp_min=4.4&wind=5.1");
                System.out.println("serving " + MODEL + "@" + DEFAULT_ALIAS + " on " + service.uri());
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                System.out.println("GET " + predict + "\n  -> " + get(client, predict));
                mlops.registry().setAlias(MODEL, DEFAULT_ALIAS, published.second().version(),
                        published.first().version());
                System.out.println("moved " + DEFAULT_ALIAS + " to version " + published.second().version());
                System.out.println("GET " + predict + "\n  -> " + get(client, predict));
                if (servePort != null) {
                    System.out.println("serving until stopped (Ctrl-C)");
                    awaitShutdown();
                }
            }
        }
    }

    private static String get(HttpClient client, URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** Blocks until the JVM shuts down (Ctrl-C), then returns so the caller closes the service and the store. */
    private static void awaitShutdown() throws InterruptedException {
        CountDownLatch stopping = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            try {
                main.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "model-serving-shutdown"));
        stopping.await();
    }
}
