package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The driver and the pool are optional dependencies: with either left off the class path, opening a
 * {@code jdbc:postgresql:} store says which artifact to add. The library is loaded in a class loader of its own made
 * from this test's class path without that jar; needs no server.
 */
class PostgresOptionalDependenciesTest {

    @ParameterizedTest(name = "without {0}")
    @CsvSource({
        "/postgresql-, the PostgreSQL JDBC driver (org.postgresql.Driver) is not on the class path; add"
                + " org.postgresql:postgresql",
        "/HikariCP-, the connection pool HikariCP (com.zaxxer.hikari.HikariDataSource) is not on the class path;"
                + " add com.zaxxer:HikariCP"})
    @DisplayName("a missing driver or pool is a StorageException that names the artifact to add, not the password")
    void missingJar(String jar, String expected) throws Exception {
        List<URL> urls = new ArrayList<>();
        boolean left = false;
        for (String entry : PostgresStoreTest.testClassPath().split(File.pathSeparator)) {
            if (entry.replace(File.separatorChar, '/').contains(jar)) {
                left = true;
                continue;
            }
            urls.add(Path.of(entry).toUri().toURL());
        }
        assertThat(left).as("%s is on the test class path", jar).isTrue();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            thread.setContextClassLoader(isolated);
            Class<?> provider = isolated.loadClass(JdbcStoreProvider.class.getName());
            assertThat(provider).isNotSameAs(JdbcStoreProvider.class);
            Object instance = provider.getDeclaredConstructor().newInstance();
            Throwable failure = null;
            try {
                provider.getMethod("open", String.class).invoke(instance,
                        "jdbc:postgresql://127.0.0.1:1/mlops?user=alice&password=TopSecret1234");
            } catch (InvocationTargetException e) {
                failure = e.getCause();
            }
            assertThat(failure).isNotNull();
            assertThat(failure.getClass().getName()).isEqualTo("dev.mlops.StorageException");
            assertThat(failure.getMessage())
                    .startsWith("jdbc:postgresql://127.0.0.1:1/mlops?user=alice: " + expected)
                    .doesNotContain("TopSecret1234");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
