package dev.mlops.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.StorageException;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.security.AccessPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference server: exposes one {@link MetadataStore} over the mlops REST protocol (JSON over HTTP under
 * {@code /api/v1}, see docs/protocol.md) on an embedded Jetty.
 *
 * <pre>{@code
 * try (MlopsServer server = MlopsServer.builder().store(store).port(0).build().start()) {
 *     URI uri = server.uri();   // http://127.0.0.1:<the bound port>
 * }
 * }</pre>
 *
 * <p>The server does not own the store: {@link #close()} stops serving but leaves the store open. The server keeps
 * no state of its own, so several servers may serve one shared store (PostgreSQL). Thread-safe; {@code start} and
 * {@code close} may each be called once.
 */
public final class MlopsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MlopsServer.class);
    /** The default limit of a request body: 16 MiB. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    /** The default limit of an artifact upload: 4 GiB. */
    public static final long DEFAULT_MAX_ARTIFACT_BYTES = 4L * 1024 * 1024 * 1024;

    private final MetadataStore store;
    private final String host;
    private final int port;
    private final long maxRequestBytes;
    private final Duration shutdownTimeout;
    private final Router router;
    private final Server jetty;
    private final ServerConnector connector;
    private final GracefulHandler graceful;
    private final String scheme;

    private MlopsServer(Builder b) {
        this.store = new dev.mlops.internal.store.ValidatingMetadataStore(b.store);
        this.host = b.host;
        this.port = b.port;
        this.maxRequestBytes = b.maxRequestBytes;
        this.shutdownTimeout = b.shutdownTimeout;
        ObjectMapper mapper = Wire.mapper();
        this.router = new Router(StoreRoutes.routes(store, b.artifacts));

        QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, Math.min(4, b.maxThreads));
        threads.setName("mlops-server");
        this.jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Path parameters are percent-encoded by clients and decoded per segment by the router, so an encoded
        // '/' or '.' inside a name is data, never a path separator: the ambiguity checks do not apply.
        http.setUriCompliance(UriCompliance.UNSAFE);
        if (b.keyStore != null) {
            // The server's certificate may not name the address clients use (127.0.0.1 in tests): no SNI host check.
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(b.keyStore);
            tls.setKeyStorePassword(new String(b.keyPassword));
            this.connector = new ServerConnector(jetty, tls, new HttpConnectionFactory(http));
        } else {
            this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        }
        this.scheme = b.keyStore != null ? "https" : "http";
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        jetty.addConnector(connector);
        AccessPolicy policy = b.accessPolicy != null ? b.accessPolicy
                : b.tokens != null ? b.tokens.rolePolicy() : AccessPolicy.allowAll();
        ApiHandler api = new ApiHandler(router, maxRequestBytes, b.maxArtifactBytes, mapper, store, b.tokens, policy,
                Clock.systemUTC(), b.registryPolicy, Math.max(2, b.maxThreads / 4));
        this.graceful = new GracefulHandler(api);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrorHandler(mapper, api::auditHttpRefusal));
        // close() drains the requests in flight itself (see there); Jetty's own stop then closes what is left.
        jetty.setStopTimeout(0);
        jetty.setStopAtShutdown(false);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this server
     * @throws StorageException when the port cannot be bound or the server does not start
     */
    public MlopsServer start() {
        try {
            jetty.start();
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new StorageException("the server could not start on " + host + ":" + port + ": " + e, e);
        }
        return this;
    }

    /** The port the server listens on (the one bound when the builder asked for port 0); -1 before start. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * {@code http://HOST:PORT} ({@code https://} with a key store), the base URI to give a client
     * ({@code Mlops.open(server.uri().toString())}).
     */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + h + ":" + port());
    }

    /** The method and path template of every route, e.g. {@code GET /api/v1/runs/{runId}}. */
    public List<String> routes() {
        return router.routes().stream().map(r -> r.method() + " " + Router.BASE + r.template()).toList();
    }

    /**
     * Stops accepting connections and requests, lets requests in flight finish (up to the builder's shutdown
     * timeout) and stops. Idempotent. Leaves the store open.
     */
    @Override
    public void close() {
        if (jetty.isStarted()) {
            // Stop accepting connections, answer new requests on open connections with 503, and wait until the
            // requests in flight have been answered.
            connector.shutdown();
            try {
                graceful.shutdown().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("requests still in flight after the shutdown timeout of {}; stopping anyway",
                        shutdownTimeout);
            }
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new StorageException("the server did not stop cleanly: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "MlopsServer[" + host + ":" + port() + ", store=" + store.describe() + "]";
    }

    /** Builds a {@link MlopsServer}; not thread-safe. */
    public static final class Builder {
        private MetadataStore store;
        private String host = "127.0.0.1";
        private int port = 8080;
        private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxThreads = 64;
        private Tokens tokens;
        private ArtifactStore artifacts;
        private long maxArtifactBytes = DEFAULT_MAX_ARTIFACT_BYTES;
        private KeyStore keyStore;
        private char[] keyPassword;
        private AccessPolicy accessPolicy;
        private RegistryPolicy registryPolicy = RegistryPolicy.permissive();

        private Builder() {
        }

        /** The store to serve; required. */
        public Builder store(MetadataStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The address to listen on; default {@code 127.0.0.1} (loopback only). {@code 0.0.0.0} listens on all. */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The port, 0 to 65535; 0 binds a free port, which {@link MlopsServer#port()} reports. Default 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest request body accepted, in bytes; larger ones get 413. Default 16 MiB. */
        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxRequestBytes must be positive, was " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * Also serves the artifacts of {@code artifacts} under {@code /api/v1/artifacts}, streamed both ways (never
         * whole in memory). The server does not close it. Without one, those routes do not exist.
         */
        public Builder artifacts(ArtifactStore artifacts) {
            this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
            return this;
        }

        /** The largest artifact upload accepted, in bytes; larger ones get 413 and store nothing. Default 4 GiB. */
        public Builder maxArtifactBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxArtifactBytes must be positive, was " + bytes);
            }
            this.maxArtifactBytes = bytes;
            return this;
        }

        /** How long {@link MlopsServer#close()} waits for requests in flight; default 30 s. */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must be zero or positive, was " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** How long an idle connection (or a client that stops sending mid-request) is kept; default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * The most request threads; default 64, at least 8. One principal (a token) gets at most a quarter of them at
         * once: its further requests are answered {@code 429} with {@code Retry-After: 1}, so that no one token, with
         * slow bodies or a flood of requests, can take every thread from the others.
         */
        public Builder maxThreads(int threads) {
            if (threads < 8) {
                throw new IllegalArgumentException("maxThreads must be at least 8, was " + threads);
            }
            this.maxThreads = threads;
            return this;
        }

        /**
         * Requires a bearer token on every route but the health check: the tokens are read from {@code file}, one
         * {@code TOKEN PRINCIPAL [ROLE,ROLE...]} per line ({@code #} comments and blank lines ignored, tokens of at
         * least 16 characters). A request without a known token gets 401; the attempt is audited without the token.
         * The token's principal is the actor of every audit event stored for its requests, whatever actor the client
         * sent. Without an {@link #accessPolicy}, the roles are permissions ({@code read}, {@code write},
         * {@code approve}, {@code move_alias}, {@code admin}, in any case) on every model, or {@code PERMISSION:MODEL}
         * on one model; a principal without roles may do nothing.
         *
         * @throws dev.mlops.InvalidArgumentException naming the line that is malformed (never its token)
         * @throws StorageException                   when the file cannot be read
         */
        public Builder tokens(Path file) {
            this.tokens = Tokens.read(Objects.requireNonNull(file, "file"));
            return this;
        }

        /**
         * Serves HTTPS only, with the key and certificate of {@code keyStore} (PKCS12 or JKS). The password opens the
         * store and its key; it is copied, never logged.
         *
         * @throws dev.mlops.InvalidArgumentException (field {@code keyStore}) when the file is not a key store or the
         *     password is wrong
         * @throws StorageException when the file cannot be read
         */
        public Builder tls(Path keyStore, char[] password) {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(password, "password");
            InputStream in;
            try {
                in = Files.newInputStream(keyStore);
            } catch (IOException e) {
                throw new StorageException("the key store " + keyStore + " cannot be read: "
                        + e.getClass().getSimpleName(), e);
            }
            KeyStore store;
            try (in) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(in, password);
            } catch (IOException | GeneralSecurityException e) {
                throw new dev.mlops.InvalidArgumentException("keyStore", "the key store " + keyStore
                        + " cannot be opened with this password, or is not a key store");
            }
            this.keyStore = store;
            this.keyPassword = password.clone();
            return this;
        }

        /**
         * What each token's principal may do (checked only with {@link #tokens}), by the roles the token file gives
         * it: reads need READ, writes WRITE, approvals APPROVE, alias moves MOVE_ALIAS, version deletion, audit
         * erasure and checkpoints ADMIN, on the model concerned or on all models. A refusal is 403 and is audited.
         * Default: the token file's roles read as permissions (see {@link #tokens}).
         */
        public Builder accessPolicy(AccessPolicy policy) {
            this.accessPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The governance rules the server enforces itself, so that a client cannot bypass them (by speaking HTTP
         * directly, or through an {@code Mlops} whose own policy is more lenient), with the same error codes and
         * messages as the embedded API:
         * <ul>
         *   <li>a guarded alias ({@link RegistryPolicy#guardedAliases()}) set or moved ({@code PUT}) to a version that
         *       is not {@code APPROVED} when its guard requires that, or of a model whose governance record names no
         *       business owner or no approver role when it requires that, is 409 {@code CONFLICT}, audited as
         *       {@code registry.refused}; this applies with or without tokens;</li>
         *   <li>with {@link #tokens}, a guard's roles: a principal holding none of them that sets, moves or deletes
         *       the alias gets 403 {@code PERMISSION_DENIED}, audited as {@code access.denied} (on top of the
         *       {@code MOVE_ALIAS} permission);</li>
         *   <li>with {@link #tokens}, the four-eyes rule (see {@link #fourEyes}).</li>
         * </ul>
         * A refused request stores nothing else. Default {@link RegistryPolicy#permissive()}: nothing guarded, so that
         * an embedding application keeps the rules of its own {@code Mlops}; the command line server defaults to
         * {@link RegistryPolicy#defaults()} (see {@code --registry-policy}).
         */
        public Builder registryPolicy(RegistryPolicy policy) {
            this.registryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The four-eyes rule on the approval route, as {@code RegistryPolicy.Builder.fourEyes} in the embedded API:
         * with {@link #tokens}, a principal approving (not rejecting) a version whose {@code created_by} is itself
         * gets 403 {@code PERMISSION_DENIED}, audited as {@code access.denied}, and nothing is stored. Without tokens
         * it has no effect (the server does not know who calls). Default off, as in {@code RegistryPolicy.defaults()}.
         * Whatever this says, on a server with tokens every identity field of a body (a version's or model's
         * {@code created_by}, an approval's {@code actor}, ...) is the principal's name.
         *
         * <p>The same setting as the {@link #registryPolicy}'s: this replaces the registry policy with one that has
         * its guarded aliases and this four-eyes rule (the later of the two calls wins for four-eyes).
         */
        public Builder fourEyes(boolean fourEyes) {
            RegistryPolicy.Builder policy = RegistryPolicy.builder().fourEyes(fourEyes);
            registryPolicy.guardedAliases().forEach(policy::guardAlias);
            this.registryPolicy = policy.build();
            return this;
        }

        /**
         * @throws IllegalStateException when no store was given
         * @throws dev.mlops.InvalidArgumentException when the token file has a role that is not a permission and no
         *     access policy was given
         */
        public MlopsServer build() {
            if (store == null) {
                throw new IllegalStateException("a server needs a store: call store(...) before build()");
            }
            if (tokens != null && accessPolicy == null) {
                tokens.rolePolicy();   // refuses a role that is not a permission now rather than at the first request
            }
            return new MlopsServer(this);
        }
    }
}
