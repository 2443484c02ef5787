package dev.mlops.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The SQLite store's registry")
class SqliteRegistryTest extends JdbcRegistryTest {
    @TempDir
    Path dir;

    @Override
    JdbcStore openStore() {
        return JdbcStore.sqlite(dir.resolve("registry.db"));
    }
}
