package dev.mlops.policy;

import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStore;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The promotion gate on a SQLite file")
class PromotionGateSqliteTest extends PromotionGateContract {
    @Override
    MetadataStore newStore(Path dir) {
        return JdbcStore.sqlite(dir.resolve("mlops.db"));
    }
}
