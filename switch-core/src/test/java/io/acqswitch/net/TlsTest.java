package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestCertificates;
import io.acqswitch.support.TestCertificates.Identity;
import io.acqswitch.support.TestSwitch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.net.Socket;
import java.net.SocketException;

/**
 * TLS 1.3 at every edge, over real sockets and real handshakes with certificates made at test time
 * (docs/security.md, "TLS"). One switch: a TLS listener (PEM, no client certificates), a mutual-TLS
 * listener (PKCS#12, {@code clientAuth: require}), HTTPS on the admin port with a token, and an issuer
 * link over mutual TLS to an issuer stub that serves TLS itself and requires the switch's certificate;
 * a second issuer whose stub shows a certificate the switch does not trust. The stub's ledger judges.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest {
    private static final String TOKEN = "tls-test-token-0123456789";
    private static final String PAN = "4761739001010010";
    private static final String MID = "MERCHANT0000001";
    private static final AtomicInteger STAN = new AtomicInteger(300);

    private static Identity switchId;
    private static Identity stubId;
    private static Identity terminalId;
    private static Identity strangerId;
    private static IssuerStub stub;
    private static IssuerStub strangeStub;
    private static Rig rig;

    @BeforeAll
    static void start() throws Exception {
        switchId = TestCertificates.issue("TlsTest", "switch");
        stubId = TestCertificates.issue("TlsTest", "stub");
        terminalId = TestCertificates.issue("TlsTest", "terminal");
        strangerId = TestCertificates.issue("TlsTest", "stranger");
        // the issuer host: TLS with its own certificate, and only a switch showing its certificate gets in
        stub = new IssuerStub("issuer-a", "127.0.0.1", 0, StubRules.approveAll())
                .withTls(TlsContexts.server(new SwitchConfig.Tls(stubId.certificate(), stubId.privateKey(), null, null,
                        switchId.certificate(), SwitchConfig.ClientAuth.REQUIRE), "stub.tls"))
                .start();
        strangeStub = new IssuerStub("issuer-b", "127.0.0.1", 0, StubRules.approveAll())
                .withTls(TlsContexts.server(new SwitchConfig.Tls(strangerId.certificate(), strangerId.privateKey(), null, null,
                        null, SwitchConfig.ClientAuth.NONE), "stranger.tls"))
                .start();
        Path dir = TempFiles.newDir("tls");
        List<String> hosts = List.of("127.0.0.1:" + stub.port());
        String yaml = Rig.yaml(hosts, 2_000, dir)
                .replace("http: {port: 0}", """
                        http:
                          port: 0
                          token: %s
                          tls: {certificate: %s, privateKey: %s}""".formatted(TOKEN, switchId.certificate(), switchId.privateKey()))
                .replace("listeners: [{port: 0, idleTimeout: 60s}]", """
                        listeners:
                          - {port: 0, idleTimeout: 60s, frameTimeout: 2s, tls: {certificate: %s, privateKey: %s}}
                          - name: mutual
                            port: 0
                            idleTimeout: 60s
                            tls: {keyStore: %s, password: %s, trust: %s, clientAuth: require}
                          - name: optional
                            port: 0
                            idleTimeout: 60s
                            tls: {certificate: %s, privateKey: %s, trust: %s, clientAuth: optional}""".formatted(
                        switchId.certificate(), switchId.privateKey(), switchId.p12(), TestCertificates.PASSWORD,
                        terminalId.certificate(), switchId.certificate(), switchId.privateKey(), terminalId.certificate()))
                .replace("    reconnectMax: 500ms\n", """
                            reconnectMax: 500ms
                            tls: {trust: %s, certificate: %s, privateKey: %s}
                          - id: issuer-b
                            hosts: ["127.0.0.1:%d"]
                            connections: 1
                            reconnectMin: 50ms
                            reconnectMax: 500ms
                            tls: {trust: %s}
                        """.formatted(stubId.certificate(), switchId.certificate(), switchId.privateKey(), strangeStub.port(),
                        stubId.certificate()));
        rig = Rig.start(stub, hosts, yaml, dir); // returns once a link to issuer-a signed on: over mutual TLS
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
        if (stub != null) {
            stub.close();
        }
        if (strangeStub != null) {
            strangeStub.close();
        }
    }

    private static String stan() {
        return String.format("%06d", STAN.incrementAndGet());
    }

    private static TerminalClient tlsTerminal(int listener, SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", rig.node.terminalPort(listener));
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new TerminalClient(s, TestSwitch.ISO87, Duration.ofSeconds(10));
    }

    private static double malformed(Malformation reason) {
        return rig.node.metrics().malformedCount(reason);
    }

    @Test
    void shouldApproveASaleFromATlsTerminalOverTheMutualTlsIssuerLink() throws Exception {
        try (TerminalClient t = tlsTerminal(0, TestCertificates.trustingOnly(switchId))) {
            ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 1_250, stan(), "TERMTLS1", MID));
            assertEquals("00", answer.getString(39));
            LedgerEntry e = rig.ledger(answer.getString(37)).orElseThrow();
            assertTrue(e.approved());
            assertEquals(1_250, e.amount());
            assertEquals("TERMTLS1", e.terminalId());
        }
    }

    @Test
    void shouldApproveATerminalShowingATrustedCertificateOnTheMutualListener() throws Exception {
        try (TerminalClient t = tlsTerminal(1, terminalId.sslContext(switchId))) {
            ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 700, stan(), "TERMTLS2", MID));
            assertEquals("00", answer.getString(39));
            assertTrue(rig.ledger(answer.getString(37)).orElseThrow().approved());
        }
    }

    @Test
    void shouldTakeTerminalsWithATrustedCertificateOrNoneOnTheOptionalListener() throws Exception {
        // optional: a terminal need not show a certificate. One holding only a certificate the listener does not
        // trust shows none (the listener names the issuers it trusts in its request), so it is served as one without
        for (SSLContext ctx : List.of(TestCertificates.trustingOnly(switchId), terminalId.sslContext(switchId),
                strangerId.sslContext(switchId))) {
            try (TerminalClient t = tlsTerminal(2, ctx)) {
                ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 800, stan(), "TERMTLS4", MID));
                assertEquals("00", answer.getString(39));
                assertTrue(rig.ledger(answer.getString(37)).orElseThrow().approved());
            }
        }
        double failed = malformed(Malformation.TLS_HANDSHAKE_FAILED);
        int entries = stub.ledger().entries().size();
        assertThrows(IOException.class, () -> {
            try (TerminalClient t = tlsTerminal(1, strangerId.sslContext(switchId))) {
                t.exchange(TerminalMessages.sale(PAN, 800, stan(), "TERMTLS5", MID));
            }
        }, "the same terminal on the listener that requires a trusted certificate");
        rig.await("the failed handshake counted", () -> malformed(Malformation.TLS_HANDSHAKE_FAILED) == failed + 1,
                Duration.ofSeconds(5));
        assertEquals(entries, stub.ledger().entries().size(), "nothing reached the issuer");
    }

    @Test
    void shouldRefuseTerminalsWithoutATrustedCertificateOnTheMutualListener() throws Exception {
        for (SSLContext ctx : List.of(TestCertificates.trustingOnly(switchId), strangerId.sslContext(switchId))) {
            double failed = malformed(Malformation.TLS_HANDSHAKE_FAILED);
            int entries = stub.ledger().entries().size();
            // TLS 1.3: the client's side of the handshake ends before the switch has judged its certificate,
            // so the refusal shows on the first read (an alert or the connection closed), never as an answer
            assertThrows(IOException.class, () -> {
                try (TerminalClient t = tlsTerminal(1, ctx)) {
                    t.exchange(TerminalMessages.sale(PAN, 900, stan(), "TERMTLS3", MID));
                }
            });
            rig.await("the failed handshake counted", () -> malformed(Malformation.TLS_HANDSHAKE_FAILED) == failed + 1,
                    Duration.ofSeconds(5));
            assertEquals(entries, stub.ledger().entries().size(), "nothing reached the issuer");
        }
    }

    @Test
    void shouldCloseAndCountAPlainTextTerminalOnATlsListener() throws Exception {
        double notTls = malformed(Malformation.NOT_TLS);
        int entries = stub.ledger().entries().size();
        try (TerminalClient t = rig.terminal()) { // plain TCP to the TLS listener
            t.send(TerminalMessages.sale(PAN, 500, stan(), "TERMTLS4", MID));
            assertTrue(t.isClosedByPeer(), "closed");
        }
        rig.await("the plain-text client counted", () -> malformed(Malformation.NOT_TLS) == notTls + 1, Duration.ofSeconds(5));
        assertEquals(notTls + 1, rig.counted("switch_malformed_input", "reason", "not_tls"));
        assertEquals(entries, stub.ledger().entries().size(), "nothing reached the issuer");
    }

    @Test
    void shouldCloseAndCountATerminalThatNeverFinishesItsHandshake() throws Exception {
        double timeouts = malformed(Malformation.TLS_HANDSHAKE_TIMEOUT);
        try (Socket s = new Socket("127.0.0.1", rig.node.terminalPort(0))) {
            s.setSoTimeout(8_000);
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // a TLS record's start, then nothing
            s.getOutputStream().flush();
            long started = System.nanoTime();
            try {
                assertEquals(-1, s.getInputStream().read(), "closed");
            } catch (SocketException reset) {
                // closed by the switch with a reset: closed all the same
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs >= 1_000 && tookMs < 7_000, "closed at the 2 s frame timeout, took " + tookMs + " ms");
        }
        rig.await("the handshake timeout counted", () -> malformed(Malformation.TLS_HANDSHAKE_TIMEOUT) == timeouts + 1,
                Duration.ofSeconds(5));
    }

    @Test
    void shouldServeTheAdminPortOverHttpsWithTheToken() throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + rig.node.httpPort() + "/ops/saf");
        try (HttpClient https = HttpClient.newBuilder().sslContext(TestCertificates.trustingOnly(switchId))
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> ok = https.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> noToken = https.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noToken.statusCode());
        }
    }

    @Test
    void shouldCloseAndCountAPlainHttpClientOnTheHttpsPort() throws Exception {
        double before = rig.counted("switch_http_rejected", "reason", "not_tls");
        URI uri = URI.create("http://127.0.0.1:" + rig.node.httpPort() + "/health");
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // at least once: the JDK's client may try a GET a second time on a connection closed under it
        rig.await("the plain HTTP client counted", () -> rig.counted("switch_http_rejected", "reason", "not_tls") >= before + 1,
                Duration.ofSeconds(5));
    }

    @Test
    void shouldNotSignOnToAnIssuerWhoseCertificateItDoesNotTrust() throws Exception {
        rig.await("a failed handshake with issuer-b", () -> rig.counted("switch_issuer_tls_failures", "issuer", "issuer-b") >= 1,
                Duration.ofSeconds(10));
        assertEquals(0, rig.node.issuers().linksUp(1), "no link to issuer-b is up");
        assertFalse(strangeStub.ledger().entries().size() > 0, "issuer-b received nothing");
        assertEquals(0, rig.counted("switch_issuer_tls_failures", "issuer", "issuer-a"));
    }
}
