package dev.mlops.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.store.memory.InMemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Validate: names and keys that cannot be URL path segments")
class ValidateTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {".", ".."})
    @DisplayName("'.' and '..' are refused as names and keys, naming the field")
    void dotSegmentsRefused(String value) {
        for (ThrowingCallable check : new ThrowingCallable[] {() -> Validate.name("model name", value),
                () -> Validate.key("model name", value), () -> Validate.segment("model name", value)}) {
            assertThatThrownBy(check).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageStartingWith("model name must not be '" + value + "'")
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("model name"));
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"...", ".x", "x.", "a..b", "./x", "../x", ". .", "model.v2"})
    @DisplayName("names that merely hold dots pass")
    void otherDotsPass(String value) {
        assertThat(Validate.key("key", value)).isEqualTo(value);
        assertThat(Validate.segment("key", value)).isEqualTo(value);
        if (!value.startsWith("/") && !value.contains(" ")) {
            assertThat(Validate.name("name", value)).isEqualTo(value);
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.<Map.Entry<String, Consumer<Mlops>>>of(
                Map.entry("job name", m -> m.tracking().start("..")),
                Map.entry("run id", m -> m.tracking().starter("job").id(".").start()),
                Map.entry("parent run id", m -> m.tracking().starter("job").parent("..").start()),
                Map.entry("run lookup", m -> m.tracking().get(".")),
                Map.entry("metric history run", m -> m.tracking().metricHistory("..", "loss", PageRequest.first())),
                Map.entry("metric history key", m -> m.tracking().metricHistory("r1", ".", PageRequest.first())),
                Map.entry("run abort", m -> m.tracking().abort("..", "stop")),
                Map.entry("dataset lookup", m -> m.datasets().latest("..")),
                Map.entry("model", m -> m.registry().createModel(".", "d", Map.of())),
                Map.entry("model lookup", m -> m.registry().getModel("..")),
                Map.entry("model version", m -> m.registry().getVersion(".", 1)))
                .flatMap(e -> Stream.of("memory", "sqlite").map(store -> Arguments.of(store, e.getKey(),
                        e.getValue())));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusals")
    @DisplayName("every store refuses '.' and '..' at the API boundary alike, storing nothing")
    void everyStoreRefuses(String kind, String what, Consumer<Mlops> call) throws Exception {
        MetadataStore store = kind.equals("memory") ? new InMemoryStore() : JdbcStore.sqlite(dir.resolve("m.db"));
        try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("tester").build()) {
            assertThatThrownBy(() -> call.accept(mlops)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("must not be '.").hasMessageContaining("URL paths");
            assertThat(store.auditHead()).as("nothing stored, nothing audited").isEmpty();
        } finally {
            store.close();
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {".", ".."})
    @DisplayName("a dataset file registered under '.' or '..' is refused before it is read")
    void datasetName(String name) throws Exception {
        Path file = Files.writeString(dir.resolve("d.csv"), "a,b\n1,2\n");
        try (InMemoryStore store = new InMemoryStore();
                Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("tester").build()) {
            assertThatThrownBy(() -> mlops.datasets().register(name, file))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'" + name + "'");
            assertThat(store.auditHead()).isEmpty();
        }
    }
}
