package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.ColumnProfiler;
import dev.mlops.drift.DatasetProfile;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sketch's state after long seeded streams is pinned by SHA-256 digests that were computed with the
 * implementation before its compaction was made allocation-free (commit cd3db39): changing how compaction stores
 * its items must not change one bit of what it keeps, so profiles written before and after are byte-identical.
 */
@DisplayName("KLL sketch: the same state, bit for bit, as the reference implementation")
class KllSketchStateDigestTest {

    /** SHA-256 of every field of the sketch: k, n, min, max, coin state, and each level's items (raw bits). */
    static String digest(KllSketch s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(8);
            for (long v : new long[] {s.k(), s.n(), Double.doubleToRawLongBits(s.min()),
                    Double.doubleToRawLongBits(s.max()), s.rngState(), s.numLevels()}) {
                md.update(b.clear().putLong(v).array());
            }
            for (int h = 0; h < s.numLevels(); h++) {
                double[] items = s.levelItems(h);
                md.update(b.clear().putLong(items.length).array());
                for (double v : items) {
                    md.update(b.clear().putLong(Double.doubleToRawLongBits(v)).array());
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Values with ties, a drift of the location half way, and a few large magnitudes. */
    static double[] stream(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            double v = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(100);
                case 1 -> r.nextGaussian() * 1e6;
                default -> r.nextDouble() * 10 - 5;
            };
            a[i] = i < n / 2 ? v : v + 3;
        }
        return a;
    }

    @ParameterizedTest(name = "k {0}, {1} values one by one")
    @CsvSource({
        "8, 1000000, b4f56c88d8e78312b83cdceb05b8c06fddafbb7e7c2a142eb72c65c192f40d7a",
        "200, 3000000, 4ac654bc09ea885ccbc01d8fec75ce52cddd384c90a1eb7eae37ce75b4dc9d7f",
        "1000, 1000000, cd566bc853193139f64e078555d64880de4274cadd811e06965f8fd29aff773a",
    })
    void oneByOne(int k, int n, String expected) {
        double[] a = stream(k + n, n);
        KllSketch s = new KllSketch(k);
        for (double v : a) {
            s.update(v);
        }
        assertThat(digest(s)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "k {0}, {1} values in random blocks")
    @CsvSource({
        "200, 2000000, 57522b39db9ed1f573300374ac2a49acd445425f8c82729200199eef40d6fe39",
        "64, 1000000, 7fa82a2deba455fd9163ff8ab35d88fb86b47cf1387ef45adb0c37d0dd8e2c0c",
    })
    void inBlocks(int k, int n, String expected) {
        double[] a = stream(7L * n + k, n);
        SplittableRandom r = new SplittableRandom(k);
        KllSketch s = new KllSketch(k);
        int from = 0;
        while (from < n) {
            int to = Math.min(n, from + 1 + r.nextInt(5000));
            double mn = Double.POSITIVE_INFINITY;
            double mx = Double.NEGATIVE_INFINITY;
            for (int i = from; i < to; i++) {
                mn = Math.min(mn, a[i]);
                mx = Math.max(mx, a[i]);
            }
            s.updateAll(a, from, to, mn, mx);
            from = to;
        }
        assertThat(digest(s)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "k {0}, {1} values in {2} merged parts")
    @CsvSource({
        "200, 1000000, 64, 9ac94d7b4f5d1233b3ef3d8eaec5c1da27dc275ef3a2c10148b80bea5c8a1c61",
        "200, 1000000, 7, 9060b13616f2e156280afaab8f1225d7979884f14a86618758046b12ef62afe7",
        "32, 500000, 300, f1b00555b28edd5438d04b27ce870e71142875bfa4b6b1b9de323f4e31c2286e",
    })
    void merged(int k, int n, int parts, String expected) {
        double[] a = stream(3L * n + parts, n);
        SplittableRandom r = new SplittableRandom(parts);
        List<KllSketch> sketches = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            KllSketch s = new KllSketch(k);
            for (int i = (int) ((long) p * n / parts); i < (int) ((long) (p + 1) * n / parts); i++) {
                s.update(a[i]);
            }
            sketches.add(s);
        }
        while (sketches.size() > 1) { // merge in a seeded random order, and keep merging into the merged ones
            KllSketch x = sketches.remove(r.nextInt(sketches.size()));
            KllSketch y = sketches.remove(r.nextInt(sketches.size()));
            x.merge(y);
            x.update(r.nextDouble()); // updates after a merge
            sketches.add(x);
        }
        assertThat(digest(sketches.get(0))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "profile JSON of {0} values")
    @CsvSource({"2000000, 973e40370c749a602a4d1eb8de7f469fb12f28e9901dc14fd06cb42c93a2546c"})
    void profileJson(int n, String expected) throws NoSuchAlgorithmException {
        double[] a = stream(n, n);
        ColumnProfiler c = ColumnProfiler.numeric("x");
        c.addAll(a, 0, n / 3);
        for (int i = n / 3; i < n; i++) {
            c.add(a[i]);
        }
        byte[] json = DatasetProfile.of(List.of(c.toProfile())).toJson();
        assertThat(sha256(json)).isEqualTo(expected);
    }
}
