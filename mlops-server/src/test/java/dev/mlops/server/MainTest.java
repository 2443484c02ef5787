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
import java.time.Instant;
import java.util.Map;
import dev.mlops.artifact.ArtifactRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
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
        assertThat(o).isEqualTo(new Main.Options("memory:", "0.0.0.0", 0, 1000, null, null, null, false,
                "default"));
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

    @Test
    @DisplayName("--registry-policy: 'default' (production and champion guarded) unless 'permissive'; --four-eyes"
            + " adds to either; a bad value exits 2 naming the flag")
    void registryPolicyParsing() throws Exception {
        Main.Options plain = Main.parse(new String[] {"--store", "memory:"});
        assertThat(plain.registryPolicy()).isEqualTo("default");
        assertThat(plain.policy().guardedAliases()).containsOnlyKeys("champion", "production")
                .allSatisfy((alias, guard) -> assertThat(guard).isEqualTo(AliasGuard.approvedOnly()));
        assertThat(plain.policy().fourEyes()).isFalse();
        Main.Options permissive = Main.parse(new String[] {"--store", "memory:", "--registry-policy", "permissive"});
        assertThat(permissive.policy().guardedAliases()).isEmpty();
        Main.Options both = Main.parse(new String[] {"--registry-policy", "default", "--four-eyes", "--store",
                "memory:", "--tokens", "t.txt"});
        assertThat(both.policy().guardedAliases()).containsOnlyKeys("champion", "production");
        assertThat(both.policy().fourEyes()).isTrue();
        assertThat(Main.parse(new String[] {"--store", "memory:", "--tokens", "t.txt", "--four-eyes",
                "--registry-policy", "permissive"}).policy().fourEyes()).isTrue();

        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--registry-policy", "strict"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--registry-policy must be 'default' or 'permissive', was 'strict'");
        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--registry-policy", "Default"}))
                .hasMessageContaining("--registry-policy");
        assertThatThrownBy(() -> Main.parse(new String[] {"--store", "memory:", "--registry-policy"}))
                .hasMessageContaining("--registry-policy needs a value");
        assertThat(Main.run(new String[] {"--store", "memory:", "--registry-policy", ""}, print(out), print(err)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--registry-policy must be").contains("usage:")
                .contains("--registry-policy default|permissive");
    }

    @Test
    @DisplayName("the command line server guards production by default: an unapproved version is refused (409),"
            + " and moved under --registry-policy permissive")
    void registryPolicyServed() throws Exception {
        for (String policy : new String[] {"default", "permissive"}) {
            out.reset();
            Main.Options options = Main.parse(new String[] {"--store", "memory:", "--port", "0", "--registry-policy",
                    policy});
            try (Main.Running running = Main.start(options, print(out), print(err))) {
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("registry policy " + policy + ": "
                        + (policy.equals("default") ? "guarded aliases champion, production" : "no guarded alias"));
                MetadataStore store = running.store();
                Instant t = Instant.ofEpochMilli(1_700_000_000_000L);
                PendingAuditEvent setup = new PendingAuditEvent(t, "setup", "setup", "model:churn", "{}");
                store.createModel(new NewModel("churn", "", Map.of(), Governance.builder().businessOwner("o")
                        .approverRole("a").build(), t, "setup"), setup);
                store.createModelVersion(new NewModelVersion("churn", 1, "sha256:" + "a".repeat(64), null,
                        ModelSignature.EMPTY, Map.of(), Map.of(), "", null, t, "setup"), setup);
                store.finishModelVersion("churn", 1, VersionStatus.READY, new ArtifactRef("sha256:" + "a".repeat(64),
                        3, "file:/a"), null, t, setup);
                ObjectNode move = Wire.object();
                move.put("version", 1);
                move.put("time", Wire.instantText(t));
                move.set("audit", AuditWire.write(new PendingAuditEvent(t, "me", "model_alias.set",
                        "model:churn@production", "{}")));
                String body = move.toString();
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        running.server().uri() + "/api/v1/models/churn/aliases/production"))
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                Map<String, Integer> aliases = store.getModel("churn").orElseThrow().aliases();
                if (policy.equals("default")) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
                    assertThat(r.body()).contains("\"error_code\":\"CONFLICT\"").contains("APPROVED");
                    assertThat(aliases).isEmpty();
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(aliases).containsExactly(Map.entry("production", 1));
                }
            }
        }
    }
}
