package dev.mlops.client;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.ArtifactStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;

/**
 * The artifact store of a remote server ({@code /api/v1/artifacts}), streamed both ways: an upload is read from the
 * caller's stream as it is sent (chunked, sent once: it is never retried, since the stream cannot be read again), and
 * a download is handed to the caller as the bytes arrive, its SHA-256 computed on the way and checked at the end, so
 * that a changed or truncated artifact fails with {@link IntegrityException} or {@link StorageException}, never
 * passes as complete. Thread-safe; made by {@link RemoteMetadataStore#artifactStore()}, closed with it.
 */
final class RemoteArtifactStore implements ArtifactStore {
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");

    private final Transport transport;
    private final Supplier<String> describe;
    private final Runnable checkOpen;

    RemoteArtifactStore(Transport transport, Supplier<String> describe, Runnable checkOpen) {
        this.transport = transport;
        this.describe = describe;
        this.checkOpen = checkOpen;
    }

    @Override
    public ArtifactRef put(InputStream content, String expectedDigest) {
        checkOpen.run();
        Objects.requireNonNull(content, "content");
        okhttp3.HttpUrl.Builder url = transport.url("artifacts");
        if (expectedDigest != null) {
            url.addQueryParameter("expected_digest", expectedDigest);
        }
        // The digest of what was sent, once all of it was: a server refuses bytes that miss the expected digest
        // as the request's fault (400, field expectedDigest), which this store's contract makes INTEGRITY.
        String[] sent = new String[1];
        RequestBody body = new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTETS;
            }

            @Override
            public boolean isOneShot() {
                return true;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                MessageDigest sha256 = newSha256();
                java.io.OutputStream out = sink.outputStream();
                byte[] buffer = new byte[8192];
                for (int n; (n = content.read(buffer)) >= 0; ) {
                    sha256.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                sent[0] = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            }
        };
        Request request = new Request.Builder().url(url.build()).post(body).build();
        try (Response response = transport.client().newCall(request).execute()) {
            byte[] bytes = response.body().bytes();
            if (!response.isSuccessful()) {
                dev.mlops.MlopsException error = transport.error("POST /api/v1/artifacts", response.code(), bytes);
                if (expectedDigest != null && error instanceof InvalidArgumentException
                        && sent[0] != null && !sent[0].equals(expectedDigest)) {
                    IntegrityException mismatch = new IntegrityException("artifact digest mismatch: expected "
                            + expectedDigest + ", the bytes have " + sent[0] + "; nothing was stored");
                    mismatch.addSuppressed(error);
                    throw mismatch;
                }
                throw error;
            }
            return readRef(bytes);
        } catch (IOException e) {
            throw new StorageException("POST /api/v1/artifacts failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    @Override
    public InputStream open(String digest) {
        checkOpen.run();
        String d = Transport.param("digest", digest);
        Request request = new Request.Builder().url(transport.url("artifacts", d).build()).get()
                .tag(RetryInterceptor.Retryable.class, RetryInterceptor.Retryable.YES).build();
        Response response;
        try {
            response = transport.client().newCall(request).execute();
        } catch (IOException e) {
            throw new StorageException("GET /api/v1/artifacts/... failed: " + e.getClass().getSimpleName(), e);
        }
        if (!response.isSuccessful()) {
            try (response) {
                throw transport.error("GET /api/v1/artifacts/...", response.code(), response.body().bytes());
            } catch (IOException e) {
                throw new StorageException("GET /api/v1/artifacts/... failed: " + e.getClass().getSimpleName(), e);
            }
        }
        return new VerifyingStream(response, digest);
    }

    @Override
    public Optional<ArtifactRef> stat(String digest) {
        checkOpen.run();
        return transport.call("GET", "artifacts", Transport.param("digest", digest), "stat").retryable()
                .sendOptional().map(n -> readRef(Wire.toBytes(n)));
    }

    private ArtifactRef readRef(byte[] bytes) {
        try {
            return RegistryWire.readArtifact(Wire.parse(bytes), "");
        } catch (InvalidArgumentException e) {
            throw new StorageException(describe() + " sent an artifact reference this client cannot read: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "artifacts of the " + describe.get();
    }

    /** Nothing to release: the store's HTTP client belongs to its {@link RemoteMetadataStore}. */
    @Override
    public void close() {
    }

    /** The body of a download, hashed as it is read and checked against the digest at its end. */
    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static final class VerifyingStream extends FilterInputStream {
        private final Response response;
        private final String expected;
        private final MessageDigest sha256;
        private boolean checked;

        VerifyingStream(Response response, String expected) {
            super(body(response).byteStream());
            this.response = response;
            this.expected = expected;
            this.sha256 = newSha256();
        }

        private static ResponseBody body(Response response) {
            return response.body();
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                verify();
            } else {
                sha256.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                verify();
            } else {
                sha256.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void verify() {
            if (checked) {
                return;
            }
            checked = true;
            String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(expected)) {
                throw new IntegrityException("artifact " + expected + " arrived with digest " + actual);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                response.close();
            }
        }
    }
}
