package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A real {@link MlopsServer} on loopback for the remote CLI tests: a SQLite file and a local artifact store in
 * {@code dir}, and a token file with an admin ({@link #TOKEN}, principal {@code alice}) and a reader
 * ({@link #VIEWER_TOKEN}, principal {@code victor}, READ only). Also runs the command line in-process with a given
 * environment.
 */
final class TestServer implements AutoCloseable {
    static final String TOKEN = "cli-admin-token-0123456789abcdef";
    static final String VIEWER_TOKEN = "cli-viewer-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    final MetadataStore backend;
    final LocalArtifactStore artifacts;
    final MlopsServer server;
    /** {@code http://127.0.0.1:PORT}. */
    final String url;

    TestServer(Path dir) throws IOException {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "# token principal roles\n" + TOKEN + " alice admins\n" + VIEWER_TOKEN
                + " victor readers\n");
        backend = StoreResolver.open("sqlite:" + dir.resolve("server.db"), true);
        artifacts = new LocalArtifactStore(dir.resolve("server-artifacts"));
        server = MlopsServer.builder().store(backend).artifacts(artifacts).port(0).tokens(tokens)
                .accessPolicy(AccessPolicy.builder().grant("admins", Permission.ADMIN)
                        .grant("readers", Permission.READ).build())
                .build().start();
        url = server.uri().toString();
    }

    /** Runs against this server ({@code --store URL}) with the admin token in {@code MLOPS_TOKEN}. */
    Result cli(String... args) {
        return run(Map.of("MLOPS_TOKEN", TOKEN), with(args, "--store", url));
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                backend.close();
            } finally {
                artifacts.close();
            }
        }
    }

    /** What a command line run printed and returned. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        /** No stack trace on either stream. */
        void assertNoStackTrace() {
            assertThat(err).doesNotContain("\tat ", "Exception in thread", "Caused by:");
            assertThat(out).doesNotContain("\tat ", "Caused by:");
        }
    }

    /** Runs the command line in-process with exactly {@code env} as its environment. */
    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env::get);
        return new Result(code, out.toString(), err.toString());
    }

    static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
