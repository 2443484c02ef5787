package dev.mlops.store.jdbc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Runs the annotated test class only when {@value PostgresTestDatabase#VARIABLE} names a PostgreSQL server; without
 * it, every test of the class is reported as skipped with {@link PostgresTestDatabase#SKIPPED} as the reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfEnvironmentVariable(named = PostgresTestDatabase.VARIABLE, matches = ".*\\S.*",
        disabledReason = PostgresTestDatabase.SKIPPED)
public @interface RequiresPostgres {
}
