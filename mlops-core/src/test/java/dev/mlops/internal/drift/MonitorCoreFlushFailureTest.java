package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.ColumnProfiler;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.ProfileOptions;
import dev.mlops.drift.WindowReport;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MonitorCore: a failure while flushing a stripe is an internal error with its rows counted as lost")
class MonitorCoreFlushFailureTest {

    @Test
    @DisplayName("a failing flush counts internalErrors and lostRows, not rejectedRows, and never throws; later rows"
            + " are profiled")
    void flushFailure() {
        double[] values = new double[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        DatasetProfile ref = DatasetProfile.of(List.of(ColumnProfiler.numeric("x").addAll(values).toProfile()));
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        List<Consumer<WindowReport>> listeners = List.of(seen::add);
        MonitorCore core = new MonitorCore(ref, List.of("x"), List.of(), ProfileOptions.defaults(), 1_000, null,
                Clock.systemUTC(), 0.05, 0.05, 0.01, 1_000, listeners, 1, 4);
        core.flushHook = () -> {
            throw new IllegalStateException("a bug while flushing");
        };
        for (int i = 0; i < 10; i++) {
            core.record(i); // flushes after rows 4 and 8 fail
        }
        assertThat(core.internalErrors()).isEqualTo(2);
        assertThat(core.lostRows()).isEqualTo(8);
        assertThat(core.rejectedRows()).isZero();
        core.flushHook = null;
        core.record(new double[] {10}, null);
        core.close();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).rows()).as("the 2 rows left in the buffer and the one after").isEqualTo(3);
        assertThat(seen.get(0).profile().column("x").orElseThrow().min().getAsDouble()).isEqualTo(8);
        assertThat(core.internalErrors()).isEqualTo(2);
        assertThat(core.rejectedRows()).isZero();
    }
}
