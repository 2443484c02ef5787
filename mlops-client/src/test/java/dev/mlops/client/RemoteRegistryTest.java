package dev.mlops.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.registry.ModelResolver;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.ResolvedModel;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tck.TckData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the model registry through Mlops over a remote store and remote artifacts")
class RemoteRegistryTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a version uploaded over HTTP resolves by alias; cached answers need no request, even with the"
            + " server gone")
    void registerUploadResolve() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        OkHttpClient counting = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
            requests.incrementAndGet();
            return chain.proceed(chain.request());
        }).build();
        InMemoryStore backend = new InMemoryStore();
        LocalArtifactStore bytes = new LocalArtifactStore(dir.resolve("artifacts"));
        MlopsServer server = MlopsServer.builder().store(backend).artifacts(bytes).port(0).build().start();
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).client(counting)
                .maxRetries(0).build();
                Mlops mlops = Mlops.builder().store(remote).artifactStore(remote.artifactStore()).actor("alice")
                        .build()) {
            mlops.registry().createModel("churn", "churn model", java.util.Map.of());
            byte[] weights = "weights-1".getBytes(StandardCharsets.UTF_8);
            String digest = "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(weights));
            ModelVersion v1 = mlops.registry().newVersion("churn").signature(TckData.SIGNATURE)
                    .expectedDigest(digest).upload(new ByteArrayInputStream(weights));
            mlops.registry().setAlias("churn", "prod", v1.version());
            assertThat(bytes.stat(v1.digest())).as("the bytes are on the server").isPresent();

            ModelResolver resolver = mlops.registry().resolver(Duration.ofHours(1), Duration.ofHours(1));
            ResolvedModel first = resolver.resolve("churn@prod");
            assertThat(first.version().version()).isEqualTo(1);
            try (InputStream in = mlops.artifacts().open(first.artifact().digest())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("weights-1");
            }

            int before = requests.get();
            assertThat(before).as("requests counted").isPositive();
            assertThat(resolver.resolve("churn@prod")).isEqualTo(first);
            assertThat(requests.get()).as("HTTP requests for a cached answer").isEqualTo(before);

            server.close();
            assertThat(resolver.resolve("churn@prod").version()).as("served from the cache, server gone")
                    .isEqualTo(first.version());
        } finally {
            server.close();
            bytes.close();
            backend.close();
        }
    }

    @Test
    @DisplayName("a registration without an idempotency key whose reply is lost is retried and registers one version")
    void lostReplyOfAVersionCreateRegistersOnce() throws Exception {
        AtomicInteger versionPosts = new AtomicInteger();
        // After the server has answered the first POST of a version, the reply is lost on its way back.
        OkHttpClient lossy = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
            okhttp3.Response response = chain.proceed(chain.request());
            if (chain.request().method().equals("POST")
                    && chain.request().url().encodedPath().endsWith("/models/churn/versions")
                    && versionPosts.incrementAndGet() == 1) {
                response.close();
                throw new java.io.IOException("reply lost (test)");
            }
            return response;
        }).build();
        InMemoryStore backend = new InMemoryStore();
        LocalArtifactStore bytes = new LocalArtifactStore(dir.resolve("artifacts"));
        MlopsServer server = MlopsServer.builder().store(backend).artifacts(bytes).port(0).build().start();
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).client(lossy)
                .maxRetries(2).retryDelays(Duration.ofMillis(1), Duration.ofMillis(5)).build();
                Mlops mlops = Mlops.builder().store(remote).artifactStore(remote.artifactStore()).actor("alice")
                        .build()) {
            mlops.registry().createModel("churn", "churn model", java.util.Map.of());
            byte[] weights = "weights-1".getBytes(StandardCharsets.UTF_8);
            String digest = "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(weights));
            ModelVersion v = mlops.registry().newVersion("churn").signature(TckData.SIGNATURE)
                    .expectedDigest(digest).upload(new ByteArrayInputStream(weights));

            assertThat(versionPosts.get()).as("the create was sent twice: once lost, once retried").isEqualTo(2);
            assertThat(v.version()).isEqualTo(1);
            assertThat(backend.getModel("churn").orElseThrow().latestVersion()).as("versions stored").isEqualTo(1);
            assertThat(backend.getModelVersion("churn", 1).orElseThrow().status().name()).isEqualTo("READY");
            assertThat(backend.auditEvents(0, 1000).stream()
                    .filter(e -> e.action().equals("model_version.register")).count())
                    .as("register events").isEqualTo(1);
        } finally {
            server.close();
            bytes.close();
            backend.close();
        }
    }
}
