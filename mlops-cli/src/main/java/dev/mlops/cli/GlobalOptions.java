package dev.mlops.cli;

import dev.mlops.Mlops;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The options every command takes; inherited by every subcommand. */
public final class GlobalOptions {
    static final String DEFAULT_STORE = "sqlite:./mlops-data/mlops.db";
    static final String DEFAULT_ARTIFACTS = "file:./mlops-data/artifacts";

    @Option(names = "--store", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Where metadata lives (default: env MLOPS_STORE_URI, else " + DEFAULT_STORE + ").")
    String store;

    @Option(names = "--artifacts", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Where artifact bytes live (default: env MLOPS_ARTIFACT_URI, else " + DEFAULT_ARTIFACTS + ").")
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
        String env = System.getenv("MLOPS_STORE_URI");
        return env != null && !env.isBlank() ? env : DEFAULT_STORE;
    }

    /** The artifact URI after defaults. */
    public String artifactUri() {
        if (artifacts != null) {
            return artifacts;
        }
        String env = System.getenv("MLOPS_ARTIFACT_URI");
        return env != null && !env.isBlank() ? env : DEFAULT_ARTIFACTS;
    }

    public boolean json() {
        return json;
    }

    /** Who acts: {@code --actor}, else env {@code MLOPS_ACTOR}, else the {@code user.name} system property. */
    public String actor() {
        if (actor != null) {
            return actor;
        }
        String env = System.getenv("MLOPS_ACTOR");
        return env != null && !env.isBlank() ? env : System.getProperty("user.name", "unknown");
    }

    /** Opens the configured stores, acting as {@link #actor()}. */
    public Mlops open() {
        return Mlops.builder().storeUri(storeUri()).artifactUri(artifactUri()).actor(actor()).build();
    }
}
