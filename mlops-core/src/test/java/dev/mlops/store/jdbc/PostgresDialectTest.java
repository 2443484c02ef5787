package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.store.jdbc.Dialect.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the PostgreSQL dialect decides without a server: its scripts and its error classification. */
class PostgresDialectTest {
    private final PostgresDialect dialect = new PostgresDialect("jdbc:postgresql://h/m?user=u", Duration.ofSeconds(1));

    @Test
    @DisplayName("every listed script exists, is numbered in order, none is left out, and both dialects know the"
            + " same schema versions")
    void migrations() throws Exception {
        List<String> listed = dialect.migrations();
        for (int i = 0; i < listed.size(); i++) {
            assertThat(listed.get(i)).startsWith("V" + (i + 1) + "__").endsWith(".sql");
            assertThat(getClass().getClassLoader().getResource(dialect.migrationFolder() + listed.get(i)))
                    .as(listed.get(i)).isNotNull();
        }
        Path folder = Path.of(getClass().getClassLoader().getResource(dialect.migrationFolder() + listed.get(0))
                .toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        assertThat(listed).isEqualTo(new SqliteDialect("x").migrations());
    }

    @ParameterizedTest(name = "SQLSTATE {0} is {1}")
    @CsvSource({"23505, UNIQUE", "23503, FOREIGN_KEY", "23514, CONSTRAINT", "23502, CONSTRAINT", "55P03, BUSY",
        "40001, BUSY", "40P01, BUSY", "XX001, CORRUPT", "08001, OTHER", "28P01, OTHER", "42P01, OTHER"})
    @DisplayName("driver errors are classified by SQLSTATE, also when it is on a cause")
    void classify(String state, Failure expected) {
        assertThat(dialect.classify(new SQLException("x", state))).isEqualTo(expected);
        assertThat(dialect.classify(new SQLException("wrapped", null, new SQLException("x", state))))
                .isEqualTo(expected);
    }

    @Test
    @DisplayName("an error without SQLSTATE is OTHER, and the write lock has a key even without a current schema")
    void noState() {
        assertThat(dialect.classify(new SQLException("no state"))).isEqualTo(Failure.OTHER);
        assertThat(PostgresDialect.WRITE_LOCK).contains("pg_advisory_xact_lock(" + 0x6D6C6F70)
                .contains("coalesce(current_schema(), '')");
    }
}
