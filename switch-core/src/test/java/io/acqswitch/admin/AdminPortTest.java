package io.acqswitch.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.support.TestSwitch;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile findings on the admin port of a running switch (embedded stub, journal, token set):
 * unfinished requests do not block {@code /health}, {@code /metrics} or {@code /ops}, and every
 * state-changing endpoint needs the token.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class AdminPortTest {
    private static final String TOKEN = "admin-port-token-for-tests";
    private static final String CONFIG = """
            http: {token: %s, headerTimeout: 2s}
            listeners: [{}]
            issuers: []
            stubs: [{name: issuer-a, port: 0}]
            routing: {}
            """.formatted(TOKEN);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static TestSwitch sw;

    @BeforeAll
    static void startSwitch() throws Exception {
        sw = TestSwitch.start(CONFIG, l -> l);
    }

    @AfterAll
    static void stopSwitch() {
        sw.close();
    }

    private static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sw.node().httpPort() + path))
                .timeout(Duration.ofSeconds(30)) // the answers' speed is asserted where it is the subject, not here
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double refused(String reason) {
        return sw.node().metrics().counted("switch_http_rejected", "reason", reason);
    }

    @Test
    void shouldAnswerHealthMetricsAndOpsWithinSecondsWhileTwoConnectionsNeverFinishTheirHeaders() throws Exception {
        double timeouts = refused("header_timeout");
        try (Socket a = new Socket("127.0.0.1", sw.node().httpPort()); Socket b = new Socket("127.0.0.1", sw.node().httpPort())) {
            for (Socket s : new Socket[] {a, b}) {
                OutputStream out = s.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // no blank line: never ends
                out.flush();
            }
            for (String path : List.of("/health", "/metrics", "/ops/saf")) {
                long t0 = System.nanoTime();
                int status = call("GET", path, null, TOKEN).statusCode();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(status == 200 || status == 503, path + " answered " + status); // 503: journal still starting
                assertTrue(ms < 3_000, path + " answered in " + ms + " ms");
            }
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            assertTrue(new String(a.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408"));
            assertTrue(new String(b.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408"));
        }
        assertEquals(timeouts + 2, refused("header_timeout"));
    }

    @Test
    void shouldRequireTheTokenForStubRulesLedgerClearRoutesReloadAndSafActions() throws Exception {
        double unauthorized = refused("unauthorized");
        String rulesBefore = call("GET", "/stubs/issuer-a/rules", null, null).body();
        List<String[]> changes = List.of(
                new String[] {"PUT", "/stubs/issuer-a/rules", "{\"declineAtOrAbove\": 1}"},
                new String[] {"POST", "/stubs/issuer-a/ledger/clear", null},
                new String[] {"POST", "/routes/reload", null},
                new String[] {"POST", "/ops/saf/000000000001/requeue?who=mallory&why=test", null});
        for (String[] c : changes) {
            HttpResponse<String> none = call(c[0], c[1], c[2], null);
            assertEquals(401, none.statusCode(), c[0] + " " + c[1] + ": " + none.body());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals(401, call(c[0], c[1], c[2], "wrong-token-wrong-token").statusCode(), c[0] + " " + c[1]);
        }
        assertEquals(rulesBefore, call("GET", "/stubs/issuer-a/rules", null, null).body(), "the rules did not change");
        assertEquals(unauthorized + 8, refused("unauthorized"));

        for (String[] c : changes) { // with the token each reaches its route: 200, 422 (no routes file), 202
            assertNotEquals(401, call(c[0], c[1], c[2], TOKEN).statusCode(), c[0] + " " + c[1]);
        }
        assertEquals(200, call("PUT", "/stubs/issuer-a/rules", "{}", TOKEN).statusCode());
        for (String path : List.of("/health", "/metrics", "/routes", "/stubs/issuer-a/ledger/summary", "/stubs/issuer-a/rules")) {
            assertNotEquals(401, call("GET", path, null, null).statusCode(), "reads need no token: " + path);
        }
    }
}
