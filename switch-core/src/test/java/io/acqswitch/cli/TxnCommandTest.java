package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Http;
import io.acqswitch.support.Rig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code txn} finds the switch where {@code run} put it (the configuration and {@code --port-base},
 * an explicit {@code --url} winning), and its exit code says whether the switch did what was asked:
 * 0 done, 1 refused, 2 bad input or unreachable.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class TxnCommandTest {
    private static Rig rig;
    private static String url;
    /** An approved sale, journaled: not a reversal, so requeue and resolve must be refused. */
    private static String approved;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        rig = Rig.start(2_000);
        url = "http://127.0.0.1:" + rig.node.httpPort();
        try (TerminalClient t = rig.terminal()) {
            approved = t.exchange(TerminalMessages.sale("4761739001010010", 100, "000001", "TERM0001", "M1")).getString(37);
        }
        rig.await("the sale is journaled", () -> {
            try {
                return Http.get(rig.node.httpPort(), "/ops/transactions/" + approved).body().contains("\"APPROVED\"");
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private Path config(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "switch", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldFindTheSwitchAtTheHttpPortOfItsConfigFile() throws Exception {
        Path cfg = config("http: {port: " + rig.node.httpPort() + "}\n");
        String[] r = Cli.run("txn", "find", "--rrn", approved, "--config", cfg.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains(approved), r[1]);
    }

    @Test
    void shouldFindTheSwitchMovedByPortBase() throws Exception {
        int base = rig.node.httpPort() - 1; // http = base + 1
        String[] flag = Cli.run("txn", "find", "--rrn", approved, "--config", config("").toString(),
                "--port-base", String.valueOf(base));
        assertEquals("0", flag[0], flag[2]);
        assertTrue(flag[1].contains(approved), flag[1]);
        String[] file = Cli.run("txn", "find", "--rrn", approved, "--config", config("portBase: " + base + "\n").toString());
        assertEquals("0", file[0], file[2]);
    }

    @Test
    void shouldLetAnExplicitUrlWinOverTheConfig() throws Exception {
        int dead = closedPort();
        Path cfg = config("http: {port: " + dead + "}\n");
        String[] viaConfig = Cli.run("txn", "find", "--config", cfg.toString());
        assertEquals("2", viaConfig[0], "unreachable: " + viaConfig[2]);
        assertTrue(viaConfig[2].contains("cannot reach http://127.0.0.1:" + dead + ": "), viaConfig[2]);
        assertFalse(viaConfig[2].contains("null"), "says what failed: " + viaConfig[2]);
        assertEquals("0", Cli.run("txn", "find", "--config", cfg.toString(), "--url", url)[0]);
    }

    @Test
    void shouldExitWith2OnABadConfigFile() throws Exception {
        String[] r = Cli.run("txn", "find", "--config", config("portBase: 65534\n").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("portBase=65534: "), r[2]);
    }

    @Test
    void shouldExitWith1AndSendNothingWhenRequeueIsRefused() {
        String[] r = Cli.run("txn", "requeue", approved, "--url", url, "--who", "alice", "--why", "test");
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("is APPROVED, not a reversal") && r[2].contains("nothing sent"), r[2]);
        assertFalse(r[1].contains("queued") || r[1].contains("applied"), r[1]);
        assertEquals(0.0, rig.counted("switch_saf_commands", "action", "saf_requeue", "result", "ignored"),
                "the refused command never reached the switch");
    }

    @Test
    void shouldExitWith1AndSendNothingWhenResolveIsRefused() {
        String[] r = Cli.run("txn", "resolve", approved, "--url", url, "--who", "bob", "--why", "test");
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("is APPROVED, not a pending or expired reversal"), r[2]);
        assertEquals(0.0, rig.counted("switch_saf_commands", "action", "saf_resolve", "result", "ignored"));
    }

    @Test
    void shouldExitWith1ForAnUnknownTransaction() {
        assertEquals("1", Cli.run("txn", "show", "999999999999", "--url", url)[0]);
        String[] r = Cli.run("txn", "resolve", "999999999999", "--url", url, "--who", "bob", "--why", "test");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("HTTP 404: no transaction 999999999999"), r[2]);
    }

    @Test
    void shouldExitWith2OnAParameterTheApiRejects() {
        String[] r = Cli.run("txn", "find", "--from", "yesterday", "--url", url);
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("HTTP 400: from=yesterday"), r[2]);
    }
}
