package dev.mlops.cli.commands;

import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.cli.Output;
import dev.mlops.data.DatasetVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlops datasets add|list}. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Register and list dataset versions (content-addressed by SHA-256).",
        subcommands = {DatasetsCommand.Add.class, DatasetsCommand.ListVersions.class})
public final class DatasetsCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a file or directory as a dataset version.")
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "PATH", description = "The file or directory.")
        Path path;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The dataset name.")
        String name;

        @Override
        public Integer call() {
            try (Mlops mlops = open()) {
                Created<DatasetVersion> c = mlops.datasets().register(name, path);
                Output out = output();
                if (json()) {
                    out.json(Views.dataset(c.value(), c.created()));
                } else {
                    DatasetVersion v = c.value();
                    out.line((c.created() ? "Registered " : "Already registered ") + v.name() + "@" + v.version());
                    out.line("  format " + v.format() + ", " + v.sizeBytes() + " bytes"
                            + (v.rowCount() == null ? "" : ", " + v.rowCount() + " rows")
                            + (v.schema() == null ? "" : ", " + v.schema().columns().size() + " columns"));
                    if (v.schema() != null) {
                        v.schema().columns().forEach(col -> out.line("    " + col.name() + ": "
                                + col.type().name().toLowerCase(java.util.Locale.ROOT)));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dataset versions in registration order.")
    static final class ListVersions extends BaseCommand {
        @Option(names = "--name", paramLabel = "NAME", description = "Only versions of this dataset.")
        String name;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                List<Map<String, Object>> all = new ArrayList<>();
                List<DatasetVersion> versions = new ArrayList<>();
                PageRequest request = PageRequest.first(1000);
                while (true) {
                    Page<DatasetVersion> page = mlops.datasets().list(name, request);
                    versions.addAll(page.items());
                    if (page.next().isEmpty()) {
                        break;
                    }
                    request = request.next(page);
                }
                Output out = output();
                if (json()) {
                    versions.forEach(v -> all.add(Views.dataset(v, null)));
                    out.json(all);
                } else if (versions.isEmpty()) {
                    out.line("No dataset versions.");
                } else {
                    for (DatasetVersion v : versions) {
                        out.line(String.format("%-30s %s  %s  %s", v.name(), v.version(),
                                v.rowCount() == null ? "-" : v.rowCount() + " rows", v.createdTime()));
                    }
                }
            }
            return 0;
        }
    }
}
