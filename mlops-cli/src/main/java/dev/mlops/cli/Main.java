package dev.mlops.cli;

import dev.mlops.MlopsException;
import dev.mlops.cli.commands.AuditCommand;
import dev.mlops.cli.commands.DatasetsCommand;
import dev.mlops.cli.commands.DriftCommand;
import dev.mlops.cli.commands.LineageCommand;
import dev.mlops.cli.commands.ModelsCommand;
import dev.mlops.cli.commands.ProfileCommand;
import dev.mlops.cli.commands.QuickstartCommand;
import dev.mlops.cli.commands.RunsCommand;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code mlops} command. Exit codes as {@code cli-contract.md} defines them; never a stack trace for a user error. */
@Command(name = "mlops", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lineage, dataset versions, runs, a model registry and a tamper-evident audit trail for JVM machine learning.",
        subcommands = {QuickstartCommand.class, DatasetsCommand.class, RunsCommand.class, ModelsCommand.class,
                LineageCommand.class,
                AuditCommand.class, ProfileCommand.class, DriftCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Mixin
    GlobalOptions global = new GlobalOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The global options as parsed. */
    public GlobalOptions global() {
        return global;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; used by tests too. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, main.global.json(), out, err));
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("mlops: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            if (main.global.json()) {
                writeError(out, "INVALID_ARGUMENT", e.getMessage(), null);
            }
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    private static int handle(Exception e, boolean json, PrintWriter out, PrintWriter err) {
        if (e instanceof MlopsException m) {
            err.println("mlops: " + m.getMessage());
            if (json) {
                writeError(out, m.code().name(), m.getMessage(), m.field().orElse(null));
            }
            return ExitCodes.of(m.code());
        }
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) {
            err.println("mlops: I/O error: " + e.getMessage());
            if (json) {
                writeError(out, "STORAGE", String.valueOf(e.getMessage()), null);
            }
            return ExitCodes.STORAGE;
        }
        err.println("mlops: internal error: " + e + " (set MLOPS_DEBUG=1 for the stack trace)");
        if (System.getenv("MLOPS_DEBUG") != null) {
            e.printStackTrace(err);
        }
        if (json) {
            writeError(out, "STORAGE", "internal error: " + e, null);
        }
        return ExitCodes.STORAGE;
    }

    private static void writeError(PrintWriter out, String code, String message, String field) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("error_code", code);
        doc.put("message", message);
        if (field != null) {
            doc.put("field", field);
        }
        new Output(out, out).json(doc);
    }
}
