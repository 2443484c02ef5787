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
import java.util.function.UnaryOperator;
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

    /** Runs the command line with the process environment and returns the exit code; used by tests too. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, System::getenv);
    }

    /**
     * Runs the command line and returns the exit code, reading environment variables ({@code MLOPS_STORE_URI},
     * {@code MLOPS_TOKEN}, ...) from {@code environment} (a name to its value, or null when unset).
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, UnaryOperator<String> environment) {
        Main main = new Main();
        main.global.environment(environment);
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, main.global, out, err));
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

    private static int handle(Exception e, GlobalOptions global, PrintWriter out, PrintWriter err) {
        boolean json = global.json();
        if (e instanceof MlopsException m) {
            String message = global.remote() ? remoteMessage(m, global) : m.getMessage();
            err.println("mlops: " + message);
            if (json) {
                writeError(out, m.code().name(), message, m.field().orElse(null));
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
        if (global.env("MLOPS_DEBUG") != null) {
            e.printStackTrace(err);
        }
        if (json) {
            writeError(out, "STORAGE", "internal error: " + e, null);
        }
        return ExitCodes.STORAGE;
    }

    /**
     * The message of a failure of a command on a remote store, naming the server: a refusal says whether a token was
     * sent at all; a failure to connect (refused, unknown host, timeout, TLS) says the server could not be reached.
     */
    private static String remoteMessage(MlopsException m, GlobalOptions global) {
        String server = global.serverAddress();
        return switch (m.code()) {
            case PERMISSION_DENIED -> "the server at " + server + " refused the request: " + m.getMessage()
                    + (global.hasToken() ? "" : " (" + GlobalOptions.TOKEN_VARIABLE + " is not set: set it to a"
                            + " token from the server's token file)");
            case STORAGE -> untrusted(m) ? "the certificate of the server at " + server + " is not trusted (trust"
                    + " it with -Djavax.net.ssl.trustStore=FILE, see docs/cli.md): " + m.getMessage()
                    : unreachable(m) ? "cannot reach the server at " + server + " (is it running?): "
                    + m.getMessage() : m.getMessage();
            default -> m.getMessage();
        };
    }

    /** Whether the failure was a TLS handshake the JVM's trust refused (an unknown or self-signed certificate). */
    private static boolean untrusted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLHandshakeException
                    || c.getMessage() != null && c.getMessage().contains("SSLHandshakeException")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the failure was the network's: no connection, unknown host, reset, timeout, TLS handshake. */
    private static boolean unreachable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketException || c instanceof java.net.UnknownHostException
                    || c instanceof java.io.InterruptedIOException || c instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
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
