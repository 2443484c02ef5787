package dev.mlops.cli;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.client.RemoteStoreProvider;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command takes; inherited by every subcommand. Environment variables are read through the
 * environment {@link Main#execute(String[], java.io.PrintWriter, java.io.PrintWriter, UnaryOperator)} was given (the
 * process environment by default).
 */
public final class GlobalOptions {
    static final String DEFAULT_STORE = "sqlite:./mlops-data/mlops.db";
    static final String DEFAULT_ARTIFACTS = "file:./mlops-data/artifacts";
    /** The environment variable with the bearer token for an {@code http://} or {@code https://} store. */
    public static final String TOKEN_VARIABLE = RemoteStoreProvider.TOKEN_VARIABLE;

    private UnaryOperator<String> environment = System::getenv;

    @Option(names = "--store", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Where metadata lives (default: env MLOPS_STORE_URI, else " + DEFAULT_STORE + ").")
    String store;

    @Option(names = "--artifacts", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Where artifact bytes live (default: env MLOPS_ARTIFACT_URI, else the server's for an"
                    + " http(s) store, else " + DEFAULT_ARTIFACTS + ").")
    String artifacts;

    @Option(names = "--actor", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Who acts, recorded in the audit log (default: env MLOPS_ACTOR, else the OS user name).")
    String actor;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print one JSON document on stdout; logs and progress go to stderr.")
    boolean json;

    /** The store URI after defaults. */
    public String storeUri() {
        if (store != null) {
            return store;
        }
        String env = env("MLOPS_STORE_URI");
        return env != null && !env.isBlank() ? env : DEFAULT_STORE;
    }

    /** The artifact URI after defaults (for a remote store the default is the server's; see {@link #open()}). */
    public String artifactUri() {
        String given = givenArtifactUri();
        return given != null ? given : DEFAULT_ARTIFACTS;
    }

    /** {@code --artifacts}, else env {@code MLOPS_ARTIFACT_URI}; null when neither is given. */
    private String givenArtifactUri() {
        if (artifacts != null) {
            return artifacts;
        }
        String env = env("MLOPS_ARTIFACT_URI");
        return env != null && !env.isBlank() ? env : null;
    }

    /** Whether the store is a remote server: an {@code http://} or {@code https://} URI. */
    public boolean remote() {
        return isRemote(storeUri());
    }

    static boolean isRemote(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /**
     * The remote store's address for messages: scheme, host, port and path, without user information, query or
     * fragment (which could hold secrets).
     */
    public String serverAddress() {
        String uri = storeUri();
        try {
            URI u = new URI(uri);
            if (u.getHost() != null) {
                return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                        + (u.getRawPath() == null ? "" : u.getRawPath());
            }
        } catch (java.net.URISyntaxException e) {
            // falls through to the scheme alone
        }
        int colon = uri.indexOf(':');
        return (colon < 0 ? uri : uri.substring(0, colon)) + "://...";
    }

    /** Whether {@value #TOKEN_VARIABLE} holds a token. */
    public boolean hasToken() {
        String token = env(TOKEN_VARIABLE);
        return token != null && !token.isBlank();
    }

    /** Reads an environment variable through the environment the command line was given. */
    String env(String name) {
        return environment.apply(name);
    }

    /** The environment to read variables from; {@link Main} sets it before parsing. */
    void environment(UnaryOperator<String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    public boolean json() {
        return json;
    }

    /** Who acts: {@code --actor}, else env {@code MLOPS_ACTOR}, else the {@code user.name} system property. */
    public String actor() {
        if (actor != null) {
            return actor;
        }
        String env = env("MLOPS_ACTOR");
        return env != null && !env.isBlank() ? env : System.getProperty("user.name", "unknown");
    }

    /**
     * Opens the configured stores, acting as {@link #actor()}. A remote store ({@code http://}, {@code https://}) is
     * opened with the bearer token of {@value #TOKEN_VARIABLE} when it is set, and its artifacts go to the server's
     * artifact store unless {@code --artifacts} or {@code MLOPS_ARTIFACT_URI} names another one.
     *
     * @throws InvalidArgumentException (field {@value #TOKEN_VARIABLE}) when the token is not printable ASCII
     */
    public Mlops open() {
        String uri = storeUri();
        if (!isRemote(uri)) {
            return Mlops.builder().storeUri(uri).artifactUri(artifactUri()).actor(actor()).build();
        }
        RemoteMetadataStore.Builder builder = RemoteMetadataStore.builder(uri);
        if (hasToken()) {
            try {
                builder.token(env(TOKEN_VARIABLE).strip());
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException(TOKEN_VARIABLE, TOKEN_VARIABLE + ": " + e.getMessage(), e);
            }
        }
        // Not owned by the Mlops instance: closing a remote store only marks it closed (its HTTP client is shared).
        RemoteMetadataStore store = builder.build();
        Mlops.Builder mlops = Mlops.builder().store(store).actor(actor());
        String given = givenArtifactUri();
        if (given != null) {
            mlops.artifactUri(given);
        } else {
            mlops.artifactStore(new ServerArtifactStore(store.artifactStore(), serverAddress()));
        }
        return mlops.build();
    }
}
