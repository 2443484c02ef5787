package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("java -jar mlops-server.jar")
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private PrintStream print(ByteArrayOutputStream to) {
        return new PrintStream(to, true, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("parses --store, --port, --host and --max-request-bytes; refuses what is wrong, naming it")
    void parsing() {
        Main.Options o = Main.parse(new String[] {"--store", "memory:", "--port", "0", "--host", "0.0.0.0",
                "--max-request-bytes", "1000"});
        assertThat(o).isEqualTo(new Main.Options("memory:", "0.0.0.0", 0, 1000, null, null, null, false));
        assertThat(Main.parse(new String[] {"--store", "memory:", "--tokens", "t.txt"}).tokens())
                .isEqualTo(java.nio.file.Path.of("t.txt"));
        assertThat(Main.parse(new String[] {"--store", "memory:", "--tls-keystore", "k.p12"}).keyStore())
                .isEqualTo(java.nio.file.Path.of("k.p12"));
        assertThat(Main.parse(new String[] {"--store", "memory:"}).port()).isEqualTo(8080);
        assertThat(Main.parse(new String[] {"--store", "memory:", "--tokens", "t.txt", "--four-eyes"}).fourEyes())
                .isTrue();
        assertThat(Main.parse(new String[] {"--four-eyes", "--store", "memory:", "--tokens", "t.txt"}).fourEyes())
                .isTrue();
        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--four-eyes"}))
                .hasMessageContaining("--four-eyes needs --tokens");
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "1"})).hasMessageContaining("--store");
        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--port", "70000"}))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--port", "x"}))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> Main.parse(new String[] {"--store"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Main.parse(new String[] {"--stor", "x"})).hasMessageContaining("unknown option");
    }

    @Test
    @DisplayName("bad arguments exit 2 with the usage; a store that cannot be opened exits 1")
    void exitCodes() throws Exception {
        assertThat(Main.run(new String[] {"--port", "1"}, print(out), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--store is required").contains("usage:");
        err.reset();
        assertThat(Main.run(new String[] {"--store", "nosuch:x", "--port", "0"}, print(out), print(err)))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot open the store");
        err.reset();
        Main.Options tls = Main.parse(new String[] {"--store", "memory:", "--port", "0", "--tls-keystore", "k"});
        assertThat(Main.start(tls, null, print(out), print(err))).isNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(Main.KEYSTORE_PASSWORD);
    }

    @Test
    @DisplayName("serves a SQLite store on the port it reports, and closes it when stopped")
    void servesSqlite(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("m.db");
        Main.Options options = Main.parse(new String[] {"--store", "sqlite:" + db, "--port", "0", "--artifacts",
                "file:" + dir.resolve("artifacts")});
        try (Main.Running running = Main.start(options, print(out), print(err))) {
            assertThat(running).isNotNull();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(running.server().uri() + "/api/v1");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(running.server().uri() + "/api/v1/audit/events")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"items\":[]}");
            HttpResponse<String> stat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    running.server().uri() + "/api/v1/artifacts/sha256:" + "0".repeat(64) + "/stat")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stat.statusCode()).as("the artifact routes exist").isEqualTo(404);
        }
        assertThat(Files.exists(db)).isTrue();
    }

    @Test
    @DisplayName("--tokens: the roles are permissions; a role that is none exits 1 naming it, never the token")
    void tokenRoles(@TempDir Path dir) throws Exception {
        String token = "main-token-0123456789abcdef";
        Path typo = Files.writeString(dir.resolve("typo"), token + " alice raed\n");
        assertThat(Main.run(new String[] {"--store", "memory:", "--port", "0", "--tokens", typo.toString()},
                print(out), print(err))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'raed'").contains("alice").doesNotContain(token);

        Path tokens = Files.writeString(dir.resolve("tokens"), token + " alice read\n");
        Main.Options options = Main.parse(new String[] {"--store", "memory:", "--port", "0", "--tokens",
                tokens.toString()});
        try (Main.Running running = Main.start(options, print(out), print(err))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(running.server().uri()
                    + "/api/v1/audit/events")).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
            HttpResponse<String> write = http.send(HttpRequest.newBuilder(URI.create(running.server().uri()
                    + "/api/v1/audit/events")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).isEqualTo(403);
        }
    }
}
