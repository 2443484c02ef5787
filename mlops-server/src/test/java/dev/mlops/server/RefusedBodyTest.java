package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.store.memory.InMemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests refused before their body is read (here: an unknown bearer token) never hold a server thread on the
 * body, yet a client that sends its whole body before reading gets the refusal. Real server on 127.0.0.1 with its
 * default thread pool (64) and idle timeout (60 s), raw sockets.
 */
@DisplayName("the body of a request refused before it is read")
class RefusedBodyTest {
    private static final String CAROL = "carol-token-0123456789abcdef";
    private static final String MALLORY = "mallory-token-0123456789abcdef";
    private static final int DECLARED = 177;

    @TempDir
    Path dir;

    private InMemoryStore store;
    private MlopsServer server;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), CAROL + " carol read,write\n"
                + MALLORY + " mallory read\n");
        store = new InMemoryStore();
        server = MlopsServer.builder().store(store).tokens(tokens).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        return s;
    }

    private static byte[] head(String token, int length) {
        return ("POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @Timeout(60)
    @DisplayName("100 unauthenticated clients dribbling their bodies hold no thread: a well-behaved client is served"
            + " throughout, and each dribbler is answered or cut off within a few seconds")
    void dribblersHoldNoThread() throws Exception {
        List<Socket> dribblers = new ArrayList<>();
        HttpClient good = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        List<String> goodFailures = new CopyOnWriteArrayList<>();
        try {
            long opened = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                Socket s = connect();
                dribblers.add(s);
                OutputStream out = s.getOutputStream();
                out.write(head("wrong-token-" + i + "-0123456789abcdef", DECLARED));
                out.write("{\"ru".getBytes(StandardCharsets.US_ASCII));
                out.write('n');
                out.flush();
            }
            // For 6 s: every dribbler sends one more byte every 400 ms (while its connection lasts), and the
            // well-behaved client keeps asking with a 5 s timeout.
            boolean[] ended = new boolean[dribblers.size()];
            int goodServed = 0;
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            long nextByte = System.nanoTime();
            while (System.nanoTime() < until) {
                if (System.nanoTime() >= nextByte) {
                    for (int i = 0; i < dribblers.size(); i++) {
                        if (!ended[i]) {
                            try {
                                dribblers.get(i).getOutputStream().write(' ');
                                dribblers.get(i).getOutputStream().flush();
                            } catch (IOException closedByServer) {
                                ended[i] = true;
                            }
                        }
                    }
                    nextByte = System.nanoTime() + Duration.ofMillis(400).toNanos();
                }
                try {
                    HttpResponse<String> r = good.send(HttpRequest.newBuilder(URI.create(server.uri()
                            + "/api/v1/runs/nothing")).header("Authorization", "Bearer " + CAROL)
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 404) {
                        goodServed++;
                    } else {
                        goodFailures.add("status " + r.statusCode());
                    }
                } catch (IOException e) {
                    goodFailures.add(e.toString());
                }
            }
            assertThat(goodFailures).as("the well-behaved client was served throughout").isEmpty();
            assertThat(goodServed).isGreaterThan(5);
            // Each dribbler's connection has ended by now (about 3 s after it was opened, plus slack), with the 401
            // or without a reply (the server closed a connection whose body was still arriving).
            for (Socket s : dribblers) {
                s.setSoTimeout(2000);
                String reply;
                try {
                    reply = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a dribbler's connection was still open "
                            + Duration.ofNanos(System.nanoTime() - opened).toMillis() + " ms after it was opened");
                } catch (IOException reset) {
                    reply = "";
                }
                if (!reply.isEmpty()) {
                    assertThat(reply).startsWith("HTTP/1.1 401").containsIgnoringCase("Connection: close");
                }
            }
        } finally {
            for (Socket s : dribblers) {
                s.close();
            }
        }
        assertThat(store.auditEvents(0, 1000)).allSatisfy(e -> assertThat(e.action()).isEqualTo("auth.failed"))
                .hasSize(100);
    }

    @Test
    @Timeout(60)
    @DisplayName("a principal with a valid token dribbling 100 bodies holds at most a quarter of the threads (16 of"
            + " 64): its further requests get 429 with Retry-After at once, and another principal is served"
            + " throughout")
    void authenticatedDribblersBoundedPerPrincipal() throws Exception {
        List<Socket> dribblers = new ArrayList<>();
        HttpClient good = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        List<String> goodFailures = new CopyOnWriteArrayList<>();
        int goodServed = 0;
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = connect();
                dribblers.add(s);
                OutputStream out = s.getOutputStream();
                // A search a reader may make, its body declared long and sent a byte at a time.
                out.write(("POST /api/v1/models/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + MALLORY
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long nextByte = System.nanoTime();
            while (System.nanoTime() < until) {
                if (System.nanoTime() >= nextByte) {
                    for (Socket d : dribblers) {
                        try {
                            d.getOutputStream().write(' ');
                            d.getOutputStream().flush();
                        } catch (IOException closedByServer) {
                            // answered 429 and closed: fine
                        }
                    }
                    nextByte = System.nanoTime() + Duration.ofMillis(400).toNanos();
                }
                try {
                    HttpResponse<String> r = good.send(HttpRequest.newBuilder(URI.create(server.uri()
                            + "/api/v1/runs/nothing")).header("Authorization", "Bearer " + CAROL)
                            .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 404) {
                        goodServed++;
                    } else {
                        goodFailures.add("status " + r.statusCode());
                    }
                } catch (IOException e) {
                    goodFailures.add(e.toString());
                }
            }
            assertThat(goodFailures).as("the other principal was served throughout").isEmpty();
            assertThat(goodServed).isGreaterThan(5);
            int tooMany = 0;
            for (Socket d : dribblers) {
                d.setSoTimeout(200);
                byte[] first = new byte[12];
                int n;
                try {
                    n = d.getInputStream().readNBytes(first, 0, 12);
                } catch (SocketTimeoutException stillReading) {
                    continue;   // one of the requests the server works on: its body is still arriving
                }
                if (n == 12 && new String(first, StandardCharsets.US_ASCII).equals("HTTP/1.1 429")) {
                    tooMany++;
                }
            }
            assertThat(tooMany).as("dribblers answered 429 (100 minus at most 16 in progress)")
                    .isGreaterThanOrEqualTo(84);
        } finally {
            for (Socket s : dribblers) {
                s.close();
            }
        }
    }

    /** Reads until the end of the stream, or until an exception (whose bytes so far are lost to the caller). */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            bytes.write(buffer, 0, n);
        }
        return bytes.toByteArray();
    }

    @Test
    @Timeout(30)
    @DisplayName("a client that writes its whole (large) body before reading gets the 401, and the connection,"
            + " whose body was read, serves its next request")
    void wholeBodyThenReply() throws Exception {
        int length = 2 * 1024 * 1024;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket s = connect()) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            Future<?> written = writer.submit(() -> {
                out.write(head("wrong-token-0123456789abcdef", length));
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                for (int sent = 0; sent < length; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, length - sent));
                }
                out.flush();
                return null;
            });
            written.get(10, TimeUnit.SECONDS);   // a broken pipe or reset here fails the test
            InputStream in = s.getInputStream();
            String first = readReply(in);
            assertThat(first).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("Connection: close");
            out.write(("GET /api/v1/runs/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + CAROL
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readReply(in)).startsWith("HTTP/1.1 404");
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    @DisplayName("a refused body over the size limit is not read: the refusal comes at once with Connection: close")
    void declaredTooLarge() throws Exception {
        try (Socket s = connect()) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(head("wrong-token-0123456789abcdef", Integer.MAX_VALUE));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            String reply = readReply(s.getInputStream());
            assertThat(reply).startsWith("HTTP/1.1 401").containsIgnoringCase("Connection: close");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    @Timeout(40)
    @DisplayName("an authenticated client dribbling its body (one byte every 500 ms, within the idle timeout) is"
            + " refused with 400 once the body's deadline (10 s plus 16 KiB/s) passes, and its thread freed")
    void authenticatedDribblerBounded() throws Exception {
        long deadline = ApiHandler.bodyDeadlineMillis(DECLARED);
        assertThat(deadline).isBetween(10_000L, 10_100L);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head(CAROL, DECLARED));
            out.write("{\"run".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            String reply = null;
            while (reply == null && System.nanoTime() - t0 < Duration.ofMillis(deadline + 5_000).toNanos()) {
                if (in.available() > 0) {
                    reply = readReply(in);
                    break;
                }
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException closed) {
                    s.setSoTimeout(2000);
                    reply = readReply(in);
                    break;
                }
                Thread.sleep(500);
            }
            long elapsed = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertThat(reply).as("a reply within the deadline plus 5 s").isNotNull().startsWith("HTTP/1.1 400")
                    .containsIgnoringCase("Connection: close").contains("\"field\":\"body\"")
                    .contains("did not arrive within " + deadline + " ms");
            assertThat(elapsed).isGreaterThanOrEqualTo(deadline - 1_000);
        }
        // The refusal is audited as any invalid request is, and nothing of the run is stored.
        assertThat(store.auditEvents(0, 100)).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("request.refused");
            assertThat(e.actor()).isEqualTo("carol");
            assertThat(e.data()).contains("\"field\":\"body\"");
        });
        assertThat(store.searchRuns(dev.mlops.tracking.RunQuery.all(), dev.mlops.PageRequest.first()).items())
                .isEmpty();
    }

    /** One reply with a Content-Length body: its head and body as text. */
    static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended within a reply's head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
