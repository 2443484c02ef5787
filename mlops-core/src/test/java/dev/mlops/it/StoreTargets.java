package dev.mlops.it;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The metadata stores the multi-process and crash tests run against, by kind: {@code sqlite} always (a fresh file
 * in the test's temporary folder), {@code postgresql} when {@value #POSTGRES_ENV} holds a
 * {@code jdbc:postgresql://...} URI. A PostgreSQL database is shared by every test, so the tests name everything
 * they write with a fresh token and check the audit chain from the head they found, never from seq 1.
 */
final class StoreTargets {
    /** The environment variable with the URI of a PostgreSQL database for tests. */
    static final String POSTGRES_ENV = "MLOPS_TEST_POSTGRES_URL";
    /** The kinds, for {@code @ValueSource(strings = ...)}. */
    static final String SQLITE = "sqlite";
    static final String POSTGRESQL = "postgresql";

    private StoreTargets() {
    }

    /**
     * The option that gives a {@link ChildMain} the store URI: {@code uri=URI}, or, for the URI from
     * {@value #POSTGRES_ENV} (which may hold a password), {@code uri=env:} and the variable's name, which the child
     * reads from the environment it inherits, so that the URI stays off command lines.
     */
    static String childOption(String uri) {
        return uri.equals(System.getenv(POSTGRES_ENV)) ? "uri=env:" + POSTGRES_ENV : "uri=" + uri;
    }

    /**
     * The store URI of {@code kind} for a test whose scratch folder is {@code dir}. For PostgreSQL without
     * {@value #POSTGRES_ENV}, the test is aborted, which JUnit reports as skipped with the reason.
     */
    static String uri(String kind, Path dir) {
        switch (kind) {
            case SQLITE:
                return "sqlite:" + dir.resolve("mlops.db").toAbsolutePath();
            case POSTGRESQL:
                String url = System.getenv(POSTGRES_ENV);
                Assumptions.assumeTrue(url != null && !url.isBlank(), () -> POSTGRES_ENV + " is not set, so the"
                        + " PostgreSQL variant is skipped; set it to a jdbc:postgresql://HOST:PORT/DB?user=... URI"
                        + " (.ci/run starts a throw-away server and sets it)");
                Assumptions.assumeTrue(url.startsWith("jdbc:postgresql:"), () -> POSTGRES_ENV
                        + " is not a jdbc:postgresql: URI, so the PostgreSQL variant is skipped");
                return url;
            default:
                throw new IllegalArgumentException("unknown store kind " + kind);
        }
    }
}
