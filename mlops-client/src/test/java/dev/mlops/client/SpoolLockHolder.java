package dev.mlops.client;

import dev.mlops.store.memory.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process that holds a spool file, for {@link SpoolingTelemetryTest}: opens a {@link SpoolingMetadataStore} on the
 * file given as its argument, prints {@code holding} (or {@code failed: MESSAGE}), and closes it when its standard
 * input ends.
 */
public final class SpoolLockHolder {
    private SpoolLockHolder() {
    }

    public static void main(String[] args) throws IOException {
        SpoolingMetadataStore store;
        try {
            store = SpoolingMetadataStore.wrap(new InMemoryStore(), Path.of(args[0]), 10, Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            System.out.println("failed: " + e.getMessage());
            System.out.flush();
            return;
        }
        System.out.println("holding");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
        store.close();
        System.out.write("closed\n".getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }
}
