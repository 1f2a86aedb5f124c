package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.TestCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code issuer-stub}: rules file handling and a real run on an ephemeral port. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class IssuerStubCommandTest {
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);

    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartWithInvalidRulesFile() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "withholdRatio: 7\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("issuer-stub", "--port", "0", "--http-port", "0", "--rules", rules.toString());

        assertEquals(2, code);
        assertTrue(err.toString().contains("withholdRatio=7.0: must be between 0 and 1"), err.toString());
    }

    @Test
    void shouldServeByRulesFileUntilStopped() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "{\"declineAtOrAbove\": 1000}");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(new PrintWriter(out, true));
        AtomicInteger code = new AtomicInteger(-1);
        Thread runner = new Thread(() -> code.set(cli.execute("issuer-stub", "--port", "0", "--http-port", "0",
                "--name", "cli-stub", "--rules", rules.toString())), "issuer-stub-cli");
        runner.start();
        try {
            int port = awaitPort(out);
            try (TerminalClient client = new TerminalClient("127.0.0.1", port, IsoCodec.of(Dialect.ISO87), Duration.ofSeconds(5))) {
                var sale = TerminalMessages.sale("4761739001010010", 999, "000001", "TERM0001", "MERCHANT0000001");
                assertEquals("00", client.exchange(sale).getString(39));
                sale.set(11, "000002");
                sale.set(4, "000000001000");
                assertEquals("51", client.exchange(sale).getString(39));
            }
        } finally {
            runner.interrupt();
            runner.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertFalse(runner.isAlive());
        assertFalse(out.toString().contains("4761739001010010"));
    }

    @Test
    void shouldServeOverTlsWithTheKeysOfItsTlsFileAndCloseAPlainTextClient() throws Exception {
        TestCertificates.Identity stubId = TestCertificates.issue("IssuerStubCommandTest", "stub");
        TestCertificates.Identity switchId = TestCertificates.issue("IssuerStubCommandTest", "switch");
        Path tls = dir.resolve("tls.yaml");
        Files.writeString(tls, "{keyStore: %s, password: %s, trust: %s, clientAuth: require}".formatted(
                stubId.p12(), TestCertificates.PASSWORD, switchId.certificate()));
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(new PrintWriter(out, true));
        Thread runner = new Thread(() -> cli.execute("issuer-stub", "--port", "0", "--http-port", "0", "--name", "cli-stub",
                "--tls", tls.toString()), "issuer-stub-cli");
        runner.start();
        try {
            int port = awaitPort(out);
            assertTrue(out.toString().contains("(TLS)"), out.toString());
            SSLSocket s = (SSLSocket) switchId.sslContext(stubId).getSocketFactory().createSocket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            try (TerminalClient client = new TerminalClient(s, IsoCodec.of(Dialect.ISO87), Duration.ofSeconds(10))) {
                var sale = TerminalMessages.sale("4761739001010010", 999, "000001", "TERM0001", "MERCHANT0000001");
                assertEquals("00", client.exchange(sale).getString(39), "a real handshake, then ISO 8583 inside it");
            }
            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write(ISO87.pack(TerminalMessages.sale("4761739001010010", 999, "000002",
                        "TERM0001", "MERCHANT0000001")));
                assertEquals(-1, readUntilClosed(plain), "plain text on the TLS port: closed unanswered");
            }
        } finally {
            runner.interrupt();
            runner.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertFalse(runner.isAlive());
    }

    @Test
    void shouldRefuseToStartWithATlsFileThatDoesNotHoldAKeyAndNeverShowItsPassword() throws Exception {
        TestCertificates.Identity stubId = TestCertificates.issue("IssuerStubCommandTest", "stub");
        Path wrongPassword = dir.resolve("wrong.yaml");
        Files.writeString(wrongPassword, "{keyStore: %s, password: not-the-password-42}".formatted(stubId.p12()));
        Path noKey = dir.resolve("nokey.yaml");
        Files.writeString(noKey, "{trust: %s}".formatted(stubId.certificate()));
        Path missing = dir.resolve("missing.yaml");
        Files.writeString(missing, "{keyStore: %s}".formatted(dir.resolve("absent.p12")));
        Path misspelt = dir.resolve("misspelt.yaml");
        Files.writeString(misspelt, "{keystore: %s}".formatted(stubId.p12()));

        String[] r = stubCli(wrongPassword);
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("tls.keyStore=" + stubId.p12() + ": wrong password or not a PKCS#12 file"), r[1]);
        assertFalse(r[1].contains("not-the-password-42"), r[1]);
        assertTrue(stubCli(noKey)[1].contains("tls.certificate=: a TLS server needs certificate and privateKey"));
        assertTrue(stubCli(missing)[1].contains("tls.keyStore=" + dir.resolve("absent.p12") + ": file not found"));
        r = stubCli(misspelt);
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("tls.keystore: unknown setting"), r[1]);
    }

    /** Runs {@code issuer-stub --tls file} expected to refuse: {exit code, standard error}. */
    private String[] stubCli(Path tls) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("issuer-stub", "--port", "0", "--http-port", "0", "--tls", tls.toString());
        return new String[] {String.valueOf(code), err.toString()};
    }

    /** The first byte the peer sends back, or -1 when it closes (with a FIN or a reset) instead. */
    private static int readUntilClosed(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    private static int awaitPort(StringWriter out) throws InterruptedException {
        Pattern started = Pattern.compile("issuer stub cli-stub on 127\\.0\\.0\\.1:(\\d+)");
        Matcher m = Await.until("the stub's start line", () -> started.matcher(out.toString()), Matcher::find,
                Duration.ofSeconds(10));
        return Integer.parseInt(m.group(1));
    }
}
