package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.memory.InMemoryStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HTTPS: a server with a key store, a client that trusts its certificate")
class TlsTest {
    private static final char[] PASSWORD = "test-pass-123".toCharArray();

    @TempDir
    static Path dir;

    private static Path keyStore;

    /** A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool. */
    @BeforeAll
    static void makeKeyStore() throws Exception {
        keyStore = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "mlops", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass",
                new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    private static OkHttpClient trusting(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
        return new OkHttpClient.Builder().sslSocketFactory(ctx.getSocketFactory(), tm).build();
    }

    @Test
    @DisplayName("the store works over https; plain http to the port and an untrusting client fail with STORAGE")
    void https() throws Exception {
        try (InMemoryStore backend = new InMemoryStore();
                MlopsServer server = MlopsServer.builder().store(backend).port(0).tls(keyStore, PASSWORD).build()
                        .start()) {
            assertThat(server.uri().getScheme()).isEqualTo("https");
            try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString())
                    .client(trusting(keyStore)).build()) {
                remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
                assertThat(remote.getRun(runId(1))).isPresent();
            }
            try (RemoteMetadataStore untrusting = RemoteMetadataStore.builder(server.uri().toString())
                    .maxRetries(0).build()) {
                assertThatThrownBy(() -> untrusting.getRun(runId(1))).isInstanceOf(StorageException.class)
                        .hasCauseInstanceOf(SSLHandshakeException.class);
            }
            try (RemoteMetadataStore plain = RemoteMetadataStore.builder("http://127.0.0.1:" + server.port())
                    .maxRetries(0).build()) {
                assertThatThrownBy(() -> plain.getRun(runId(1))).isInstanceOf(StorageException.class);
            }
            assertThat(backend.getRun(runId(1))).isPresent();
        }
    }

    @Test
    @DisplayName("a wrong key store password or a file that is no key store is refused, naming keyStore")
    void badKeyStore() throws Exception {
        assertThatThrownBy(() -> MlopsServer.builder().tls(keyStore, "wrong".toCharArray()))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("keyStore"))
                .hasMessageNotContaining("wrong");
        Path notAStore = Files.writeString(dir.resolve("x.p12"), "hello");
        assertThatThrownBy(() -> MlopsServer.builder().tls(notAStore, PASSWORD))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MlopsServer.builder().tls(dir.resolve("missing.p12"), PASSWORD))
                .isInstanceOf(StorageException.class);
    }
}
