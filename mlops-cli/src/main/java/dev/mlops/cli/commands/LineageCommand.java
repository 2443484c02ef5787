package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.cli.Output;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.LineageQuery;
import dev.mlops.lineage.NodeRef;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlops lineage NODE} and {@code mlops lineage export-openlineage}. */
@Command(name = "lineage", mixinStandardHelpOptions = true, description = "Walk the lineage graph from a node, or export OpenLineage events.",
        subcommands = {LineageCommand.ExportOpenLineage.class})
public final class LineageCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NODE", description = "dataset:NAME@sha256:HEX, run:RUN_ID,"
            + " model:NAME/VERSION, model:NAME@ALIAS (resolved to a version) or artifact:NAME@sha256:HEX.")
    String node;

    @ArgGroup(exclusive = true)
    DirectionChoice direction;

    static final class DirectionChoice {
        @Option(names = "--upstream", description = "Follow edges backwards: what produced NODE.")
        boolean upstream;

        @Option(names = "--downstream", description = "Follow edges forwards: what NODE fed (impact analysis).")
        boolean downstream;
    }

    @Option(names = "--depth", paramLabel = "N", defaultValue = "10", description = "At most N edges away (default 10).")
    int depth;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json, dot or mermaid (default json; text output without --json prints a list).")
    String format;

    @Override
    public Integer call() {
        if (node == null) {
            throw new InvalidArgumentException("NODE", "give a NODE (dataset:NAME@sha256:HEX, run:RUN_ID,"
                    + " model:NAME/VERSION, model:NAME@ALIAS, artifact:NAME@sha256:HEX) or the command export-openlineage");
        }
        // Check the form before touching any store, so that a typo is a usage error even without a store.
        if (node.startsWith("model:") && node.indexOf('@') > 0) {
            dev.mlops.registry.ModelRef.parse(node);
        } else {
            NodeRef.parse(node);
        }
        Direction dir = direction == null ? Direction.BOTH
                : direction.upstream ? Direction.UPSTREAM : Direction.DOWNSTREAM;
        if (!Set.of("json", "dot", "mermaid").contains(format)) {
            throw new InvalidArgumentException("--format", "--format must be json, dot or mermaid, was '" + format + "'");
        }
        try (Mlops mlops = openExisting()) {
            NodeRef root = mlops.lineage().node(node);
            LineageGraph graph = mlops.lineage().query(new LineageQuery(root, dir, depth, Set.of()));
            Output out = output();
            switch (format) {
                case "dot" -> out.line(mlops.lineage().toDot(graph));
                case "mermaid" -> out.line(mlops.lineage().toMermaid(graph));
                default -> {
                    if (json() || spec.commandLine().getParseResult().hasMatchedOption("--format")) {
                        out.json(Views.graph(graph));
                    } else {
                        out.line("Lineage of " + graph.root() + " (" + dir.name().toLowerCase() + ", depth " + depth
                                + "): " + graph.nodes().size() + " nodes, " + graph.edges().size() + " edges");
                        graph.edges().forEach(e -> out.line("  " + e.from() + " -> " + e.to() + "  ("
                                + e.kind().name().toLowerCase() + ")"));
                    }
                }
            }
        }
        return 0;
    }

    @Command(name = "export-openlineage", mixinStandardHelpOptions = true, description = "Write every run as OpenLineage RunEvents (JSON Lines).")
    static final class ExportOpenLineage extends BaseCommand {
        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path outFile;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                return export(outFile, out -> mlops.lineage().exportOpenLineage(out), "OpenLineage events");
            }
        }
    }
}
