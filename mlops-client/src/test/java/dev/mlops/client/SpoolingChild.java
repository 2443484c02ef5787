package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.point;

import dev.mlops.Mlops;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.ActiveRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A process that talks to a server through {@code Mlops.open} and the default spool, for {@link SpoolDirectoryTest}
 * (the test gives it {@code MLOPS_SPOOL_DIR}). Modes, the first argument:
 * <ul>
 * <li>{@code train URL POINTS EVERY}: {@code Mlops.open(URL)}, a run, POINTS metric values with a flush every EVERY,
 * printing {@code run ID}, then {@code flushed N} after each flush and waiting for a line on stdin before going on;
 * closes the run and prints {@code done}.</li>
 * <li>{@code spool URL RUN BATCHES}: opens the store through the provider and spools BATCHES one-point batches for
 * RUN (step = batch number), prints {@code spooled}, then waits until killed.</li>
 * <li>{@code adopt URL}: prints {@code ready}, waits for a line, opens the store through the provider, prints
 * {@code pending N} (what it took over), waits until stdin ends, closes the store and prints {@code closed}.</li>
 * </ul>
 */
public final class SpoolingChild {
    private SpoolingChild() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        switch (args[0]) {
            case "train" -> train(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), in);
            case "spool" -> {
                MetadataStore store = new RemoteStoreProvider().open(args[1]);
                for (int b = 0; b < Integer.parseInt(args[3]); b++) {
                    store.logMetrics(args[2], List.of(point("loss", b, b, b)), audit("run.metrics", "run:" + args[2]));
                }
                say("spooled");
                while (in.readLine() != null) {
                    // until killed
                }
            }
            case "adopt" -> {
                say("ready");
                in.readLine();
                SpoolingMetadataStore store = (SpoolingMetadataStore) new RemoteStoreProvider().open(args[1]);
                say("pending " + store.pendingBatches());
                while (in.readLine() != null) {
                    // until the test closes our input
                }
                store.close();
                say("closed " + store.pendingBatches());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void train(String url, int points, int every, BufferedReader in) throws IOException {
        try (Mlops mlops = Mlops.open(url)) {
            ActiveRun run = mlops.tracking().start("train");
            say("run " + run.id());
            for (int i = 0; i < points; i++) {
                run.logMetric("loss", 1.0 / (i + 1), i);
                if ((i + 1) % every == 0) {
                    run.flush();
                    say("flushed " + (i + 1));
                    in.readLine();
                }
            }
            run.close();
        }
        say("done");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
