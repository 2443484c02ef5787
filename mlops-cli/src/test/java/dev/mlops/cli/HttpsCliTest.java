package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.internal.StoreResolver;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.ActiveRun;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against an {@code https://} server with a self-signed certificate (made with the JDK's keytool).
 * The CLI uses the JVM's default trust, so the certificate is trusted the standard way, with
 * {@code -Djavax.net.ssl.trustStore}: those commands run in a child JVM started with that property, because the JVM
 * reads it once. Without it the certificate is not trusted and the command fails with exit 5, naming the server.
 */
@DisplayName("mlops commands with --store https://... and a certificate trusted through javax.net.ssl.trustStore")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsCliTest {
    private static final String PASSWORD = "test-pass-123";
    private static final String TRUST_PASSWORD = "trust-pass-456";
    private static final ObjectMapper JSON = new ObjectMapper();

    Path dir;
    Path trustStore;
    MetadataStore backend;
    LocalArtifactStore artifacts;
    MlopsServer server;
    String url;
    String runId;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Path keyStore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "mlops", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        // the client side holds only the server's certificate, as a user would import it
        Path certificate = dir.resolve("server.crt");
        keytool("-exportcert", "-rfc", "-alias", "mlops", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-file", certificate.toString());
        trustStore = dir.resolve("trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "mlops-server", "-file", certificate.toString(), "-keystore",
                trustStore.toString(), "-storetype", "PKCS12", "-storepass", TRUST_PASSWORD);

        backend = StoreResolver.open("sqlite:" + dir.resolve("server.db"), true);
        artifacts = new LocalArtifactStore(dir.resolve("server-artifacts"));
        server = MlopsServer.builder().store(backend).artifacts(artifacts).host("127.0.0.1").port(0)
                .tls(keyStore, PASSWORD.toCharArray()).build().start();
        url = server.uri().toString();
        assertThat(url).startsWith("https://127.0.0.1:");
        // a run for runs list, logged through the library with a client that trusts the same trust store
        RemoteMetadataStore store = RemoteMetadataStore.builder(url).client(trusting(trustStore)).build();
        try (store; Mlops mlops = Mlops.builder().store(store).artifactStore(store.artifactStore()).actor("seeder")
                .build(); ActiveRun run = mlops.tracking().start("tls-job")) {
            runId = run.id();
        }
    }

    private static OkHttpClient trusting(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, TRUST_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        return new OkHttpClient.Builder().sslSocketFactory(ctx.getSocketFactory(), tm).build();
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
            if (artifacts != null) {
                artifacts.close();
            }
        }
    }

    @Test
    @DisplayName("with the certificate in javax.net.ssl.trustStore: datasets add registers on the server, runs list"
            + " succeeds")
    void trusted() throws Exception {
        Path csv = Files.writeString(dir.resolve("d.csv"), "a,b\n1,x\n2,y\n3,z\n");
        Child add = child(true, "datasets", "add", csv.toString(), "--name", "tls-data", "--json");
        assertThat(add.exitCode()).as(add.output()).isZero();
        JsonNode added = JSON.readTree(add.output());
        assertThat(added.get("created").asBoolean()).isTrue();
        assertThat(added.get("rows").asInt()).isEqualTo(3);
        assertThat(added.get("version").asText()).isEqualTo(TestServer.sha256(Files.readAllBytes(csv)));
        assertThat(backend.listDatasets("tls-data", dev.mlops.PageRequest.first(10)).items())
                .as("stored on the server").hasSize(1);

        Child list = child(true, "runs", "list", "--json");
        assertThat(list.exitCode()).as(list.output()).isZero();
        assertThat(JSON.readTree(list.output()).findValuesAsText("id")).as(list.output()).containsExactly(runId);
    }

    @Test
    @DisplayName("without the trust store property the certificate is not trusted: exit 5, a message naming the"
            + " server's URL, nothing stored")
    void untrusted() throws Exception {
        Child list = child(false, "runs", "list");
        assertThat(list.exitCode()).as(list.output()).isEqualTo(5);
        assertThat(list.output()).contains("the certificate of the server at " + url + " is not trusted",
                "SSLHandshakeException")
                .doesNotContain("\tat ", "Exception in thread");

        Path csv = Files.writeString(dir.resolve("u.csv"), "a\n1\n");
        TestServer.Result add = TestServer.run(Map.of(), "datasets", "add", csv.toString(), "--name", "untrusted",
                "--store", url, "--json");
        assertThat(add.exitCode()).as(add.err()).isEqualTo(5);
        assertThat(add.json().get("error_code").asText()).isEqualTo("STORAGE");
        assertThat(add.json().get("message").asText())
                .contains("the certificate of the server at " + url + " is not trusted");
        assertThat(backend.listDatasets("untrusted", dev.mlops.PageRequest.first(10)).items()).isEmpty();
    }

    /** What a child JVM running the command line printed (stdout and stderr together) and returned. */
    record Child(int exitCode, String output) {
    }

    /** Runs {@code mlops ARGS --store URL} in a child JVM, with the trust store property when {@code trust}. */
    private Child child(boolean trust, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        if (trust) {
            command.addAll(List.of("-Djavax.net.ssl.trustStore=" + trustStore,
                    "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--store", url));
        Path log = Files.createTempFile(dir, "child", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("MLOPS_TOKEN");
        Process p = builder.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done).as("the child JVM finished in time").isTrue();
        return new Child(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
