package dev.mlops.bench;

import dev.mlops.spi.MetadataStore;

/**
 * Generates (or finds cached) the benchmarks' data sets outside JMH, so that the first benchmark run does not spend
 * its first iteration generating a million nodes:
 * {@code java -cp benchmarks.jar dev.mlops.bench.GenerateData [sqlite|postgres] [lineageNodes] [searchRuns]}
 * (defaults {@code sqlite 1000000 100000}).
 */
public final class GenerateData {
    private GenerateData() {
    }

    public static void main(String[] args) {
        String store = args.length > 0 ? args[0] : BenchStores.SQLITE;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        LineageData lineage = LineageData.of(nodes);
        try (MetadataStore s = BenchStores.openGenerated(store, lineage.key(), lineage::generate)) {
            BenchStores.log("ready: " + lineage.key() + " in " + s.describe());
        }
        RunSearchData search = RunSearchData.of(runs);
        try (MetadataStore s = BenchStores.openGenerated(store, search.key(), search::generate)) {
            BenchStores.log("ready: " + search.key() + " in " + s.describe());
        }
    }
}
