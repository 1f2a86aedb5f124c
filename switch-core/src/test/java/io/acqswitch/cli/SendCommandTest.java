package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.support.Cli;
import io.acqswitch.support.TestSwitch;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's terminal client against a running switch. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class SendCommandTest {
    private static TestSwitch sw;

    @BeforeAll
    static void start() throws Exception {
        sw = TestSwitch.start("issuers: []\nstubs: []\nrouting: {}\n", l -> l);
    }

    @AfterAll
    static void stop() {
        sw.close();
    }

    @Test
    void shouldPrintApprovedSignOnAnswer() {
        String[] r = Cli.run("send", "--port", String.valueOf(sw.port()), "--mti", "0800", "--network-code", "001",
                "--stan", "000042");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("< 0810 ["), r[1]);
        assertTrue(r[1].contains("11=000042") && r[1].contains("39=00") && r[1].contains("70=001"), r[1]);
    }

    @Test
    void shouldPrintMaskedPanOnly() {
        String[] r = Cli.run("send", "--port", String.valueOf(sw.port()), "--sale", "--pan", "4761739001010010",
                "--amount", "1234");
        assertTrue(r[1].contains("2=476173******0010"), r[1]);
        assertTrue(!r[1].contains("4761739001010010"), r[1]);
        assertTrue(r[1].contains("< 0210 ["), r[1]);
    }

    @Test
    void shouldSignOnToACupListener() throws Exception {
        try (TestSwitch cup = TestSwitch.start("issuers: []\nstubs: []\nrouting: {}\nlisteners: [{dialect: cup}]\n", l -> l)) {
            String[] r = Cli.run("send", "--port", String.valueOf(cup.port()), "--dialect", "cup", "--network-code", "003",
                    "--batch", "000042");
            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(r[1].contains("< 0810 ["), r[1]);
            assertTrue(r[1].contains("60=<11 chars>") && r[1].contains("39=00"), r[1]); // private fields: length only
        }
    }

    @Test
    void shouldExitWith2WhenNoSwitchListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String[] r = Cli.run("send", "--port", String.valueOf(port), "--timeout", "1s");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("no answer from 127.0.0.1:" + port), r[2]);
    }

    @Test
    void shouldRefuseAPanThatIsNot12To19DigitsWithoutSendingIt() {
        double before = sw.node().metrics().counted("switch_terminal_requests", "class", "sale");
        String[] r = Cli.run("send", "--port", String.valueOf(sw.port()), "--sale", "--pan", "1234");
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("--pan: a card number is 12 to 19 digits; this one has 4 characters"), r[2]);
        assertTrue(!r[1].contains("1234") && !r[2].contains("1234"), "the PAN is not echoed");
        assertEquals(before, sw.node().metrics().counted("switch_terminal_requests", "class", "sale"), "nothing sent");
    }

    @Test
    void shouldFindTheTerminalPortInTheConfigFileOrByPortBase(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("switch.yaml");
        Files.writeString(cfg, "listeners: [{port: " + sw.port() + "}]\n");
        String[] r = Cli.run("send", "--config", cfg.toString());
        assertEquals("0", r[0], r[2]);
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "");
        r = Cli.run("send", "--config", empty.toString(), "--port-base", String.valueOf(sw.port())); // listener = base
        assertEquals("0", r[0], r[2]);
    }
}
