package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.cli.OutFiles;
import dev.mlops.cli.Output;
import dev.mlops.cli.TableFiles;
import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlops profile DATA --out PROFILE.json} and {@code mlops profile merge A.json B.json --out C.json}: the
 * mergeable {@link DatasetProfile} of a data file, as its JSON. Needs no store and opens none.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Write the mergeable profile of a data file (CSV with a header, or a JSON array of records):"
                + " counts, missing values, min/max/mean/variance and a quantile sketch of numeric columns, category"
                + " counts or frequent items of the others. Datetime columns are profiled as numbers, in seconds"
                + " since the epoch (UTC). Needs no store."},
        subcommands = {ProfileCommand.Merge.class})
public final class ProfileCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA", description = "The data file (required).")
    Path data;

    @Option(names = "--out", paramLabel = "PROFILE.json", description = "Where to write the profile (required).")
    Path outFile;

    @Option(names = "--categorical", paramLabel = "a,b",
            description = "Columns profiled as categories whatever their values.")
    String categorical;

    @Override
    public Integer call() {
        if (data == null) {
            throw new InvalidArgumentException("DATA", "the data file DATA is required: mlops profile DATA --out"
                    + " PROFILE.json");
        }
        if (outFile == null) {
            throw new InvalidArgumentException("--out", "--out PROFILE.json is required");
        }
        Set<String> forced = new LinkedHashSet<>(TableFiles.list("--categorical", categorical));
        List<String> names = Tables.names(data, "DATA");
        List<String> unknown = forced.stream().filter(n -> !names.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidArgumentException("--categorical", "--categorical: " + data + " has no column '"
                    + unknown.get(0) + "'");
        }
        if (names.isEmpty()) {
            throw new InvalidArgumentException("DATA", data + " has no columns to profile");
        }
        Output out = output();
        DatasetProfile profile = profileOf(data, "DATA", names, forced, out);
        write(profile, outFile);
        if (json()) {
            out.json(summary(profile, outFile));
        } else {
            out.line("Wrote the profile of " + data + " (" + profile.rows() + " rows, " + profile.columns().size()
                    + " columns) to " + outFile);
        }
        return 0;
    }

    /** Profiles the named columns of a data file (types inferred, {@code forced} ones categorical). */
    static DatasetProfile profileOf(Path data, String label, List<String> names, Set<String> forced, Output out) {
        return Tables.profile(new Tables.Source(data, label, names), TableFiles.options(forced, out::progress));
    }

    /** Reads a profile file; bad files are usage errors naming {@code label}. */
    static DatasetProfile read(Path file, String label) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidArgumentException(label, "profile " + file + " does not exist or is not a file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidArgumentException(label, "cannot read profile " + file + ": " + e.getMessage(), e);
        }
        try {
            return DatasetProfile.fromJson(bytes);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(label, file + ": " + e.getMessage(), e);
        }
    }

    static void write(DatasetProfile profile, Path file) {
        byte[] bytes = profile.toJson();
        OutFiles.write("--out", file, o -> {
            o.write(bytes);
            o.write('\n');
            return null;
        });
    }

    static Map<String, Object> summary(DatasetProfile profile, Path file) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("out", file.toAbsolutePath().toString());
        doc.put("rows", profile.rows());
        List<Map<String, Object>> cols = new java.util.ArrayList<>();
        for (ColumnProfile c : profile.columns()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
            cols.add(m);
        }
        doc.put("columns", cols);
        return doc;
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Merge the profiles of two parts of a dataset into the profile of the whole.")
    static final class Merge extends BaseCommand {
        @Parameters(index = "0", paramLabel = "A.json", description = "A profile.")
        Path first;

        @Parameters(index = "1", paramLabel = "B.json", description = "The other profile (same columns and kinds).")
        Path second;

        @Option(names = "--out", required = true, paramLabel = "C.json",
                description = "Where to write the merged profile.")
        Path outFile;

        @Override
        public Integer call() {
            DatasetProfile a = read(first, "A.json");
            DatasetProfile b = read(second, "B.json");
            DatasetProfile merged;
            try {
                merged = a.merge(b);
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("B.json", "cannot merge " + second + " into " + first + ": "
                        + e.getMessage(), e);
            }
            write(merged, outFile);
            Output out = output();
            if (json()) {
                out.json(summary(merged, outFile));
            } else {
                out.line("Wrote the merged profile (" + merged.rows() + " rows, " + merged.columns().size()
                        + " columns) to " + outFile);
            }
            return 0;
        }
    }
}
