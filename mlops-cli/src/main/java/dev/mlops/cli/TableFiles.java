package dev.mlops.cli;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.Tables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The command line's side of reading data files with {@link Tables}: splitting the options that name columns, and the
 * options for reading (forced categorical columns, progress lines on stderr for big files). The reading itself,
 * typing included, is the library's ({@link Tables}). Stateless; thread-safe.
 */
public final class TableFiles {
    /** The size from which progress is reported; {@link Tables#PROGRESS_BYTES} except in tests. */
    static volatile long progressBytes = Tables.PROGRESS_BYTES;

    private TableFiles() {
    }

    /** Reading options: {@code categorical} forced, progress lines to {@code progress} for big files. */
    public static Tables.Options options(Set<String> categorical, Consumer<String> progress) {
        return new Tables.Options(categorical, progress, progressBytes);
    }

    /** Splits a comma-separated option value into trimmed, non-empty names. */
    public static List<String> list(String option, String value) {
        List<String> names = new ArrayList<>();
        if (value == null) {
            return names;
        }
        for (String part : value.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new InvalidArgumentException(option, option + " '" + value + "' has an empty name");
            }
            if (!names.contains(p)) {
                names.add(p);
            }
        }
        return names;
    }

    /** Names of {@code names} that are not in {@code known}. */
    static List<String> unknown(Collection<String> names, Collection<String> known) {
        return names.stream().filter(n -> !known.contains(n)).toList();
    }
}
