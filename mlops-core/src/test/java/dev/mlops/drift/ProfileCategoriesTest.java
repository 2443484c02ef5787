package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Column profiles: category counts and frequent items")
class ProfileCategoriesTest {

    /** Zipf-like categories: a few frequent, a long tail. */
    static String[] zipf(int n, int distinct, SplittableRandom r) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            int rank = (int) Math.floor(Math.pow(distinct, r.nextDouble())) - 1;
            out[i] = r.nextInt(100) == 0 ? null : "c" + rank;
        }
        return out;
    }

    static Map<String, Long> truth(String[] values) {
        Map<String, Long> m = new HashMap<>();
        for (String v : values) {
            if (v != null) {
                m.merge(v, 1L, Long::sum);
            }
        }
        return m;
    }

    static void assertWithinBounds(ProfileCategories c, Map<String, Long> truth, long total) {
        assertThat(c.total()).isEqualTo(total);
        assertThat(c.maxError()).isLessThanOrEqualTo(total / (c.cap() / 2 + 1));
        for (Map.Entry<String, Long> e : truth.entrySet()) {
            assertThat(e.getValue()).as(e.getKey())
                    .isBetween(c.lowerBound(e.getKey()), c.upperBound(e.getKey()));
        }
        for (FrequentItemsRow row : c.items()) {
            assertThat(truth).containsKey(row.value());
            assertThat(row.upperBound() - row.lowerBound()).isEqualTo(c.maxError());
        }
        double d = truth.size();
        assertThat(d).isBetween(c.distinctLowerBound(), c.distinctUpperBound());
    }

    @Test
    @DisplayName("counts are exact up to the cap, with categories in a stable order")
    void exactUpToCap() {
        ProfileOptions o = new ProfileOptions(200, 50);
        ColumnProfiler p = ColumnProfiler.categorical("c", o);
        SplittableRandom r = new SplittableRandom(1);
        String[] values = new String[10_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextInt(20) == 0 ? null : "v" + r.nextInt(50);
        }
        p.addAll(values);
        ProfileCategories c = p.toProfile().categories().orElseThrow();
        Map<String, Long> t = truth(values);
        assertThat(t).hasSize(50);
        assertThat(c.exact()).isTrue();
        assertThat(c.maxError()).isZero();
        assertThat(c.distinctCount()).isEqualTo(50);
        for (var e : t.entrySet()) {
            assertThat(c.lowerBound(e.getKey())).isEqualTo(e.getValue());
            assertThat(c.upperBound(e.getKey())).isEqualTo(e.getValue());
        }
        List<FrequentItemsRow> items = c.items();
        for (int i = 1; i < items.size(); i++) {
            FrequentItemsRow a = items.get(i - 1);
            FrequentItemsRow b = items.get(i);
            assertThat(a.lowerBound() > b.lowerBound()
                    || (a.lowerBound() == b.lowerBound() && a.value().compareTo(b.value()) < 0)).isTrue();
        }
        ColumnProfile prof = p.toProfile();
        assertThat(prof.missing() + prof.count()).isEqualTo(values.length);
        // one more distinct value passes the cap
        p.add("new");
        assertThat(p.toProfile().categories().orElseThrow().exact()).isFalse();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    @DisplayName("beyond the cap: true counts within the bounds, distinct count within its bounds, whole or merged")
    void frequentItems(int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ProfileOptions o = new ProfileOptions(200, 100 + r.nextInt(400));
        String[] values = zipf(100_000 + r.nextInt(50_000), 5_000 + r.nextInt(100_000), r);
        Map<String, Long> t = truth(values);
        long total = t.values().stream().mapToLong(Long::longValue).sum();

        ColumnProfile whole = ColumnProfiler.categorical("c", o).addAll(values).toProfile();
        assertThat(whole.categories().orElseThrow().exact()).isFalse();
        assertWithinBounds(whole.categories().orElseThrow(), t, total);

        List<ColumnProfile> parts = new ArrayList<>();
        for (int[] range : ProfileTestData.randomParts(values.length, 1 + r.nextInt(30), r)) {
            ColumnProfiler part = ColumnProfiler.categorical("c", o);
            for (int i = range[0]; i < range[1]; i++) {
                part.add(values[i]);
            }
            parts.add(part.toProfile());
        }
        ColumnProfile merged = ProfileTestData.randomTree(parts, r, ColumnProfile::merge);
        assertThat(merged.rows()).isEqualTo(whole.rows());
        assertThat(merged.missing()).isEqualTo(whole.missing());
        assertWithinBounds(merged.categories().orElseThrow(), t, total);
        // the heaviest categories are found in both
        String top = t.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(whole.categories().orElseThrow().items().get(0).value()).isEqualTo(top);
        assertThat(merged.categories().orElseThrow().items().get(0).value()).isEqualTo(top);
    }

    @Test
    @DisplayName("exactness does not depend on the grouping: parts under the cap stay exact when merged")
    void mergedExactWhileUnderCap() {
        ProfileOptions o = new ProfileOptions(200, 30);
        SplittableRandom r = new SplittableRandom(9);
        List<ColumnProfile> parts = new ArrayList<>();
        Map<String, Long> t = new HashMap<>();
        for (int p = 0; p < 20; p++) {
            ColumnProfiler c = ColumnProfiler.categorical("c", o);
            for (int i = 0; i < 500; i++) {
                String v = "x" + r.nextInt(30);
                c.add(v);
                t.merge(v, 1L, Long::sum);
            }
            parts.add(c.toProfile());
        }
        ProfileCategories m = ProfileTestData.randomTree(parts, r, ColumnProfile::merge).categories().orElseThrow();
        assertThat(m.exact()).isTrue();
        t.forEach((k, v) -> assertThat(m.lowerBound(k)).isEqualTo(v));
        assertThat(m.distinctCount()).isEqualTo(30);
    }

    @Test
    @DisplayName("100,000 distinct categories: bounded memory and a distinct estimate within its bounds")
    void manyDistinct() {
        ColumnProfiler p = ColumnProfiler.categorical("id");
        for (int i = 0; i < 100_000; i++) {
            p.add("id-" + i);
        }
        ProfileCategories c = p.toProfile().categories().orElseThrow();
        assertThat(c.items().size()).isLessThanOrEqualTo(1000);
        assertThat(100_000.0).isBetween(c.distinctLowerBound(), c.distinctUpperBound());
        assertThat(Math.abs(c.distinctCount() - 100_000) / 100_000).isLessThan(0.05);
        assertThat(c.maxError()).isLessThanOrEqualTo(100_000 / 501);
    }
}
