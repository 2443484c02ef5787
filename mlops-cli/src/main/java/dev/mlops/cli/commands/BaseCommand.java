package dev.mlops.cli.commands;

import dev.mlops.Mlops;
import dev.mlops.cli.GlobalOptions;
import dev.mlops.cli.Main;
import dev.mlops.cli.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What every leaf command shares: the global options and the output. */
abstract class BaseCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    GlobalOptions global() {
        return ((Main) spec.root().userObject()).global();
    }

    Output output() {
        return new Output(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    boolean json() {
        return global().json();
    }

    Mlops open() {
        return global().open();
    }

    /**
     * Opens the configured stores for a command that only reads: a {@code sqlite:} file that does not exist is
     * {@code NOT_FOUND} (exit 3) instead of a new empty store, so a typo in a path is not reported as "nothing".
     */
    Mlops openExisting() {
        String uri = global().storeUri();
        if (uri.regionMatches(true, 0, "sqlite:", 0, 7)) {
            java.nio.file.Path file = java.nio.file.Path.of(uri.substring(7));
            if (!java.nio.file.Files.exists(file)) {
                throw new dev.mlops.NotFoundException("no store at " + uri + " (the file does not exist); run"
                        + " 'mlops quickstart' or 'mlops datasets add' to create one, or pass --store");
            }
        }
        return open();
    }

    /**
     * Writes an export to {@code outFile} (whole or not at all) or, without one, to stdout; after a file, reports how
     * many records were written.
     */
    int export(java.nio.file.Path outFile, dev.mlops.cli.OutFiles.Writer<Long> writer, String what) {
        if (outFile == null) {
            try {
                writer.write(new dev.mlops.cli.WriterOutputStream(spec.commandLine().getOut()));
            } catch (java.io.IOException e) {
                throw new dev.mlops.StorageException("cannot write " + what + " to stdout: " + e.getMessage(), e);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
        long count = dev.mlops.cli.OutFiles.write("--out", outFile, writer);
        Output out = output();
        if (json()) {
            java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("events", count);
            doc.put("out", outFile.toAbsolutePath().toString());
            out.json(doc);
        } else {
            out.line("Wrote " + count + " " + what + " to " + outFile);
        }
        return 0;
    }
}
