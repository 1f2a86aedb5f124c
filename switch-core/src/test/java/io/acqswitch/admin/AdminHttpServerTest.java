package io.acqswitch.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.acqswitch.admin.AdminHttpServer.Refusal;
import io.acqswitch.admin.AdminHttpServer.Reply;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.support.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The admin server against hostile clients, over real sockets on 127.0.0.1: unfinished requests
 * are closed at the header timeout while others are answered, concurrency beyond the cap is a 503
 * at once, state-changing requests need the token, malformed input is a 400 with one log line.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class AdminHttpServerTest {
    private static final String TOKEN = "admin-token-for-tests";
    private static final Duration HEADER_TIMEOUT = Duration.ofMillis(1500);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inSlow = new AtomicInteger();
    private AdminHttpServer server;

    /** A server with a token, a 1.5 s header timeout and 2 concurrent requests; {@code /slow} waits for {@link #release}. */
    private AdminHttpServer start() throws Exception {
        server = new AdminHttpServer(new SwitchConfig.Http("127.0.0.1", 0, TOKEN, HEADER_TIMEOUT, 2, null), new SimpleMeterRegistry());
        server.probe("/health", ex -> Reply.json(200, "{\"status\":\"UP\"}"))
                .route("/slow", ex -> {
                    inSlow.incrementAndGet();
                    try {
                        release.await(10, TimeUnit.SECONDS); // bounded: the test releases it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Reply.json(200, "{}");
                })
                .route("/state", ex -> Reply.json(200, "{\"changed\":\"" + ex.getRequestMethod() + "\"}"))
                // a route that reads a number from its query: NumberFormatException is an IllegalArgumentException
                .route("/query", ex -> Reply.json(200, "{\"n\":" + Integer.parseInt(ex.getRequestURI().getQuery()) + "}"))
                .start();
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        for (Socket s : sockets) {
            s.close();
        }
        callers.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A connection that sends {@code bytes} and then nothing more. */
    private Socket partial(String bytes) throws Exception {
        Socket s = new Socket("127.0.0.1", server.port());
        sockets.add(s);
        s.setSoTimeout((int) HEADER_TIMEOUT.multipliedBy(4).toMillis());
        OutputStream out = s.getOutputStream();
        out.write(bytes.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** What the server sent before closing {@code s} (bounded by the socket's read timeout). */
    private static String readUntilClosed(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAnswerHealthWithinASecondWhileTwoConnectionsNeverFinishTheirHeaders() throws Exception {
        start();
        Socket a = partial("GET /health HTTP/1.1\r\nHost: x\r\n");
        Socket b = partial("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        for (int i = 0; i < 3; i++) { // the unfinished ones stay open meanwhile (header timeout 1.5 s)
            long t0 = System.nanoTime();
            assertEquals(200, call("GET", "/health", null).statusCode());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1_000, "/health answered in " + ms + " ms");
        }
        long t0 = System.nanoTime();
        String toA = readUntilClosed(a);
        String toB = readUntilClosed(b);
        long closedAfterMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(toA.startsWith("HTTP/1.1 408") && toB.startsWith("HTTP/1.1 408"), toA + " / " + toB);
        assertTrue(closedAfterMs < HEADER_TIMEOUT.multipliedBy(3).toMillis(), "closed after " + closedAfterMs + " ms");
        assertEquals(2, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }

    @Test
    void shouldCloseAConnectionThatNeverSendsAByteAtTheHeaderTimeout() throws Exception {
        start();
        Socket silent = partial("");
        assertTrue(readUntilClosed(silent).startsWith("HTTP/1.1 408"));
        assertEquals(1, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }

    @Test
    void shouldKeepAnIdleKeepAliveConnectionWithoutCountingItAsARefusal() throws Exception {
        start();
        Socket s = partial("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        byte[] buf = new byte[4096];
        int n = s.getInputStream().read(buf);
        assertTrue(new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
        s.setSoTimeout((int) HEADER_TIMEOUT.multipliedBy(2).toMillis());
        try {
            assertEquals(-1, s.getInputStream().read(), "an idle kept-alive connection is not answered 408");
        } catch (SocketTimeoutException e) {
            // still open past the header timeout: idle between requests is not a slow request
        }
        assertEquals(0, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }

    @Test
    void shouldAnswer503AtOnceBeyondMaxConcurrentRequestsAndKeepAnsweringHealth() throws Exception {
        start();
        List<Future<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(callers.submit(() -> call("GET", "/slow", null)));
        }
        Await.until("both in their route", () -> inSlow.get() >= 2, Duration.ofSeconds(5));
        assertEquals(2, inSlow.get());
        long t0 = System.nanoTime();
        HttpResponse<String> third = call("GET", "/slow", null);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_000, "refused at once");
        assertEquals(503, third.statusCode(), third.body());
        assertEquals("1", third.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, call("GET", "/health", null).statusCode(), "probes have slots of their own");
        release.countDown();
        for (Future<HttpResponse<String>> f : held) {
            assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(200, call("GET", "/slow", null).statusCode(), "slots are given back");
        assertTrue(server.refusedCount(Refusal.BUSY) >= 1);
    }

    @Test
    void shouldRequireTheBearerTokenForEveryMethodButGetAndHead() throws Exception {
        start();
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> none = call(method, "/state", null);
            assertEquals(401, none.statusCode(), method);
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals(401, call(method, "/state", "wrong-token-wrong-token").statusCode(), method);
            assertEquals(200, call(method, "/state", TOKEN).statusCode(), method);
        }
        assertEquals(200, call("GET", "/state", null).statusCode());
        assertEquals(8, server.refusedCount(Refusal.UNAUTHORIZED));
    }

    @Test
    void shouldAnswerMalformedInputWith400AndOneLogLineWithoutAStackTrace() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AdminHttpServer.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            start();
            assertEquals(200, call("GET", "/query?42", null).statusCode());
            HttpResponse<String> notANumber = call("GET", "/query?forty-two", null);
            assertEquals(400, notANumber.statusCode(), notANumber.body());
            assertEquals("{\"error\":\"For input string: \\\"forty-two\\\"\"}", notANumber.body());
            assertEquals(1, captured.list.size(), "one line: " + captured.list);
            assertNull(captured.list.getFirst().getThrowableProxy(), "no stack trace");

            String garbage = readUntilClosed(partial("NOT AN HTTP REQUEST AT ALL\u0000\r\n\r\n"));
            assertTrue(garbage.startsWith("HTTP/1.1 400"), garbage);
            String badUri = readUntilClosed(partial("GET /a|b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            assertTrue(badUri.startsWith("HTTP/1.1 400"), badUri);
            String badEscape = readUntilClosed(partial("GET /query?%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            assertTrue(badEscape.startsWith("HTTP/1.1 400"), badEscape);
            assertEquals(4, server.refusedCount(Refusal.BAD_REQUEST));
            assertTrue(captured.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack trace: " + captured.list);
            assertTrue(captured.list.stream().allMatch(e -> e.getFormattedMessage().indexOf('\n') < 0));
        } finally {
            logger.detachAppender(captured);
        }
    }

    @Test
    void shouldAnswer413ToABodyOverOneMebibyte() throws Exception {
        start();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/state"))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[AdminHttpServer.MAX_BODY_BYTES + 1])).build();
        HttpResponse<String> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, resp.statusCode());
        } catch (IOException e) {
            // the server may close while the client is still writing: the count below is what matters
        }
        assertEquals(1, server.refusedCount(Refusal.TOO_LARGE));
        // time is the subject: past the header timeout the connection is gone, not refused again
        Thread.sleep(HEADER_TIMEOUT.toMillis() + 300);
        assertEquals(0, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }
}
