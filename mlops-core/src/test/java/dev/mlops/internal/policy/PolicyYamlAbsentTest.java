package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without jackson-dataformat-yaml on the classpath, JSON policies work and YAML ones fail clearly. */
class PolicyYamlAbsentTest {

    @Test
    void withoutTheYamlModuleYamlIsAClearErrorAndJsonStillWorks() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("jackson-dataformat-yaml") && !entry.contains("snakeyaml")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> yaml = Class.forName(PolicyYaml.class.getName(), true, loader);
            assertThat(yaml.getClassLoader()).isSameAs(loader);
            assertThat((boolean) yaml.getMethod("available").invoke(null)).isFalse();

            Class<?> policy = Class.forName("dev.mlops.policy.RetrainingPolicy", true, loader);
            Object read = policy.getMethod("fromJson", String.class).invoke(null,
                    PolicyJsonTest.full().toJson());
            assertThat(policy.getMethod("toJson").invoke(read)).isEqualTo(PolicyJsonTest.full().toJson());

            Method toYaml = policy.getMethod("toYaml");
            Throwable failure = null;
            try {
                toYaml.invoke(read);
            } catch (InvocationTargetException e) {
                failure = e.getCause();
            }
            assertThat(failure).isNotNull();
            assertThat(failure.getClass().getName()).isEqualTo("dev.mlops.InvalidArgumentException");
            assertThat(failure.getMessage()).isEqualTo("YAML policies need com.fasterxml.jackson.dataformat:"
                    + "jackson-dataformat-yaml on the classpath; add it, or use JSON");
        }
    }
}
