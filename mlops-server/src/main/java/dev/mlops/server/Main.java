package dev.mlops.server;

import dev.mlops.MlopsException;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.artifact.ArtifactStores;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar mlops-server.jar --store URI [--port N] [--host H] [--max-request-bytes N] [--tokens FILE]
 * [--tls-keystore FILE] [--artifacts URI] [--registry-policy default|permissive] [--four-eyes]}: serves the store at
 * {@code URI} until the process is stopped (SIGTERM or Ctrl-C stop it gracefully: requests in flight finish, then the
 * store is closed). The token file's roles are permissions (see {@link MlopsServer.Builder#tokens}). The registry
 * policy is {@link RegistryPolicy#defaults()} unless {@code --registry-policy permissive} (see
 * {@link MlopsServer.Builder#registryPolicy}): a team server guards {@code production} and {@code champion} as an
 * embedded {@code Mlops} does by default. Exit codes: 0 after a stop, 2 for bad arguments, 1 when the store, the
 * token file (also a role that is no permission) or the port cannot be opened.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parsed command line. */
    record Options(String store, String host, int port, long maxRequestBytes, Path tokens, Path keyStore,
            String artifacts, boolean fourEyes, String registryPolicy) {
        /** The registry policy the server enforces: {@code --registry-policy}'s, with {@code --four-eyes}. */
        RegistryPolicy policy() {
            RegistryPolicy base = registryPolicy.equals(PERMISSIVE) ? RegistryPolicy.permissive()
                    : RegistryPolicy.defaults();
            RegistryPolicy.Builder b = RegistryPolicy.builder().fourEyes(fourEyes);
            base.guardedAliases().forEach(b::guardAlias);
            return b.build();
        }
    }

    /** The values of {@code --registry-policy}. */
    static final String DEFAULT = "default";
    static final String PERMISSIVE = "permissive";

    /** The environment variable that holds the password of {@code --tls-keystore}. */
    static final String KEYSTORE_PASSWORD = "MLOPS_TLS_KEYSTORE_PASSWORD";

    static final String USAGE = "usage: java -jar mlops-server.jar --store URI [--port N (default 8080)]"
            + " [--host HOST (default 127.0.0.1)] [--max-request-bytes N (default 16 MiB)]"
            + " [--tokens FILE (lines 'TOKEN PRINCIPAL [ROLE,ROLE...]', roles read, write, approve, move_alias,"
            + " admin or PERMISSION:MODEL; then every request needs a bearer token)]"
            + " [--tls-keystore FILE (HTTPS; its password in " + KEYSTORE_PASSWORD + ")]"
            + " [--artifacts URI (file:DIR or memory:; serves /api/v1/artifacts)]"
            + " [--registry-policy default|permissive (default: 'default', as an embedded Mlops: the aliases"
            + " production and champion may only point at an APPROVED version of a model whose governance record"
            + " names an owner and an approver role, enforced by the server for every client; 'permissive' guards"
            + " nothing)]"
            + " [--four-eyes (with --tokens: nobody approves a version they created)]";

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the option that is wrong
     */
    static Options parse(String[] args) {
        String store = null;
        String host = "127.0.0.1";
        int port = 8080;
        long max = MlopsServer.DEFAULT_MAX_REQUEST_BYTES;
        Path tokens = null;
        Path keyStore = null;
        String artifacts = null;
        boolean fourEyes = false;
        String registryPolicy = DEFAULT;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--four-eyes")) {
                fourEyes = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--store" -> store = value;
                case "--host" -> host = value;
                case "--port" -> port = number(option, value, 0, 65_535);
                case "--max-request-bytes" -> max = number(option, value, 1, Long.MAX_VALUE);
                case "--tokens" -> tokens = Path.of(value);
                case "--tls-keystore" -> keyStore = Path.of(value);
                case "--artifacts" -> artifacts = value;
                case "--registry-policy" -> {
                    if (!value.equals(DEFAULT) && !value.equals(PERMISSIVE)) {
                        throw new IllegalArgumentException("--registry-policy must be '" + DEFAULT + "' or '"
                                + PERMISSIVE + "', was '" + ApiHandler.printable(value) + "'");
                    }
                    registryPolicy = value;
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (store == null) {
            throw new IllegalArgumentException("--store is required");
        }
        if (fourEyes && tokens == null) {
            throw new IllegalArgumentException("--four-eyes needs --tokens: without tokens the server knows no"
                    + " principals");
        }
        return new Options(store, host, port, max, tokens, keyStore, artifacts, fourEyes, registryPolicy);
    }

    private static int number(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", was " + n);
            }
            return (int) Math.min(n, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, was '" + value + "'");
        }
    }

    /** A started server and the store it serves; closing stops the server, then closes the store. */
    record Running(MlopsServer server, MetadataStore store, ArtifactStore artifacts) implements AutoCloseable {
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                try {
                    store.close();
                } finally {
                    if (artifacts != null) {
                        artifacts.close();
                    }
                }
            }
        }
    }

    /**
     * Opens the store and starts the server.
     *
     * @return the running server, or null after printing why it could not start
     */
    static Running start(Options options, PrintStream out, PrintStream err) {
        return start(options, System.getenv(KEYSTORE_PASSWORD), out, err);
    }

    static Running start(Options options, String keyStorePassword, PrintStream out, PrintStream err) {
        if (options.keyStore() != null && keyStorePassword == null) {
            err.println("mlops-server: --tls-keystore needs its password in the environment variable "
                    + KEYSTORE_PASSWORD);
            return null;
        }
        MetadataStore store;
        try {
            store = StoreResolver.open(options.store(), true);
        } catch (MlopsException e) {
            err.println("mlops-server: cannot open the store " + StoreResolver.redact(options.store()) + ": "
                    + e.getMessage());
            return null;
        }
        ArtifactStore artifacts = null;
        try {
            if (options.artifacts() != null) {
                artifacts = ArtifactStores.open(options.artifacts());
            }
            MlopsServer.Builder builder = MlopsServer.builder().store(store).host(options.host())
                    .port(options.port()).maxRequestBytes(options.maxRequestBytes())
                    .registryPolicy(options.policy());
            if (options.tokens() != null) {
                builder.tokens(options.tokens());
            }
            if (options.keyStore() != null) {
                builder.tls(options.keyStore(), keyStorePassword.toCharArray());
            }
            if (artifacts != null) {
                builder.artifacts(artifacts);
            }
            MlopsServer server = builder.build().start();
            out.println("mlops-server: serving " + store.describe() + " on " + server.uri() + "/api/v1");
            out.println("mlops-server: registry policy " + options.registryPolicy() + ": "
                    + (options.policy().guardedAliases().isEmpty() ? "no guarded alias"
                    : "guarded aliases " + String.join(", ", options.policy().guardedAliases().keySet()))
                    + (options.fourEyes() ? ", four-eyes rule" : ""));
            out.flush();
            return new Running(server, store, artifacts);
        } catch (MlopsException | IllegalArgumentException e) {
            store.close();
            if (artifacts != null) {
                artifacts.close();
            }
            // The message of a bad token file names its line, never a token.
            err.println("mlops-server: " + e.getMessage());
            return null;
        }
    }

    /** Parses, starts, and waits until the JVM is asked to stop; the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("mlops-server: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Running running = start(options, out, err);
        if (running == null) {
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } finally {
                stopped.countDown();
            }
        }, "mlops-server-stop"));
        stopped.await();
        return 0;
    }
}
