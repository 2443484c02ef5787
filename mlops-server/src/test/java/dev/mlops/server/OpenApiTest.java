package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlops.internal.artifact.InMemoryArtifactStore;
import dev.mlops.store.memory.InMemoryStore;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("openapi.yaml and the server's route table agree")
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
    private static JsonNode spec;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = MlopsServer.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the class path").isNotNull();
            spec = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    private static Set<String> documented() {
        Set<String> routes = new TreeSet<>();
        for (Iterator<String> paths = spec.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> keys = spec.get("paths").get(path).fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (METHODS.contains(key)) {
                    routes.add(key.toUpperCase(Locale.ROOT) + " " + Router.BASE + path);
                }
            }
        }
        return routes;
    }

    private static Set<String> routed() {
        try (InMemoryStore store = new InMemoryStore();
                InMemoryArtifactStore artifacts = new InMemoryArtifactStore()) {
            return new TreeSet<>(MlopsServer.builder().store(store).artifacts(artifacts).build().routes());
        }
    }

    @Test
    @DisplayName("it is OpenAPI 3 and its server URL ends in the base path")
    void header() {
        assertThat(spec.get("openapi").asText()).startsWith("3.");
        assertThat(spec.get("servers").get(0).get("url").asText()).endsWith(Router.BASE);
    }

    @Test
    @DisplayName("every route of the server is documented")
    void everyRouteDocumented() {
        assertThat(documented()).containsAll(routed());
    }

    @Test
    @DisplayName("every documented path and method is routed")
    void everyDocumentedPathRouted() {
        assertThat(routed()).containsAll(documented());
    }

    @Test
    @DisplayName("every path parameter of a documented path is declared, and every operation has an id")
    void parametersDeclared() {
        Pattern param = Pattern.compile("\\{([^}]+)}");
        Set<String> operationIds = new TreeSet<>();
        spec.get("paths").properties().forEach(path -> {
            Set<String> declared = new TreeSet<>();
            collectPathParams(path.getValue().get("parameters"), declared);
            path.getValue().properties().forEach(op -> {
                if (METHODS.contains(op.getKey())) {
                    collectPathParams(op.getValue().get("parameters"), declared);
                    assertThat(op.getValue().path("operationId").asText()).as(op.getKey() + " " + path.getKey())
                            .isNotBlank();
                    assertThat(operationIds.add(op.getValue().get("operationId").asText())).isTrue();
                }
            });
            Matcher m = param.matcher(path.getKey());
            while (m.find()) {
                assertThat(declared).as("parameters of %s", path.getKey()).contains(m.group(1));
            }
        });
    }

    @Test
    @DisplayName("every operation documents exactly the query parameters its route takes (the server refuses others)")
    void queryParametersDocumented() {
        try (InMemoryStore store = new InMemoryStore();
                InMemoryArtifactStore artifacts = new InMemoryArtifactStore()) {
            for (Router.Route route : StoreRoutes.routes(store, artifacts)) {
                JsonNode path = spec.get("paths").get(route.template());
                Set<String> documented = new TreeSet<>();
                collectParams(path.get("parameters"), "query", documented);
                collectParams(path.get(route.method().toLowerCase(Locale.ROOT)).get("parameters"), "query",
                        documented);
                assertThat(documented).as("query parameters of %s %s", route.method(), route.template())
                        .isEqualTo(new TreeSet<>(route.query()));
            }
        }
    }

    private static void collectPathParams(JsonNode parameters, Set<String> into) {
        collectParams(parameters, "path", into);
    }

    private static void collectParams(JsonNode parameters, String in, Set<String> into) {
        if (parameters == null) {
            return;
        }
        for (JsonNode p : parameters) {
            JsonNode resolved = p;
            if (p.has("$ref")) {
                String name = p.get("$ref").asText().substring("#/components/parameters/".length());
                resolved = spec.get("components").get("parameters").get(name);
            }
            if (in.equals(resolved.path("in").asText())) {
                into.add(resolved.get("name").asText());
            }
        }
    }
}
