package dev.mlops.internal.drift.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableLoaderTest {
    @TempDir
    Path dir;

    /** Bytes of every value, line feeds among them at random places and at the edges of the eight-byte words. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 4099})
    void lineFeedsCountsEveryLineFeedAndNothingElse(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        for (int round = 0; round < 50; round++) {
            byte[] b = new byte[n + 3];
            int expected = 0;
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(4);
                b[i] = kind == 0 ? (byte) '\n' : kind == 1 ? (byte) (0x0A ^ (1 << rnd.nextInt(8)))
                        : (byte) rnd.nextInt(256);
                if (b[i] == '\n') {
                    expected++;
                }
            }
            b[n] = '\n'; // beyond n: must not be counted
            assertThat(TableLoader.lineFeeds(b, n)).isEqualTo(expected);
        }
    }

    @Test
    void recordsGuessFromLineFeeds() throws IOException {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,b\n1,2\n3,4\n");
        assertThat(TableLoader.recordsIfNoQuotedLineBreaks(f, "data")).isEqualTo(2);
        Files.writeString(f, "a,b\n1,2\n3,4");
        assertThat(TableLoader.recordsIfNoQuotedLineBreaks(f, "data")).isEqualTo(2);
        Files.writeString(f, "a,b");
        assertThat(TableLoader.recordsIfNoQuotedLineBreaks(f, "data")).isZero();
        Files.writeString(f, "");
        assertThat(TableLoader.recordsIfNoQuotedLineBreaks(f, "data")).isZero();
    }
}
