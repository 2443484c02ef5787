package dev.mlops.internal.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentCaptureTest {
    @Test
    void capturesJvmOsHostAndLibrary() {
        Map<String, String> env = EnvironmentCapture.capture();
        assertThat(env.keySet()).containsExactly("java.version", "java.vendor", "java.vm.name", "os.name",
                "os.version", "os.arch", "host", "available_processors", "max_memory_bytes", "mlops.version");
        assertThat(env.get("java.version")).isEqualTo(System.getProperty("java.version"));
        assertThat(env.get("java.vendor")).isEqualTo(System.getProperty("java.vendor"));
        assertThat(env.get("os.name")).isEqualTo(System.getProperty("os.name"));
        assertThat(env.get("os.arch")).isEqualTo(System.getProperty("os.arch"));
        assertThat(env.get("host")).isNotBlank();
        assertThat(Integer.parseInt(env.get("available_processors")))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(Long.parseLong(env.get("max_memory_bytes"))).isEqualTo(Runtime.getRuntime().maxMemory());
        // the build filters the version into dev/mlops/version.properties
        assertThat(env.get("mlops.version")).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(env.values()).doesNotContainNull();
    }

    @Test
    void isUnmodifiable() {
        Map<String, String> env = EnvironmentCapture.capture();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> env.put("x", "y"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
