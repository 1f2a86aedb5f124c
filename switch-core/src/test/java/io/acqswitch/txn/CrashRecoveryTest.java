package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.LedgerSummary;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TestSwitch;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kills a real switch process (SIGKILL) with transactions in flight and a reversal pending, restarts
 * it on the same data directory, and checks the issuer stub's ledger: every debit whose approval did
 * not reach its terminal is reversed, delivered approvals stand, nothing is reversed twice.
 */
@Tag("slow")
class CrashRecoveryTest {
    private static final String PAN = "4761739001010010";

    /** Under target/ so the two processes' logs survive a failure for reading. */
    private final Path dir = Path.of("target", "crash-recovery-" + System.currentTimeMillis());
    private int httpPort;

    @Test
    void shouldReverseInFlightDebitsAfterKillAndRestart() throws Exception {
        Files.createDirectories(dir);
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            int port = freePort();
            httpPort = freePort();
            Path config = dir.resolve("switch.yaml");
            Files.writeString(config, Rig.yaml(List.of("127.0.0.1:" + stub.port()), 30_000, dir.resolve("data"))
                    .replace("listeners: [{port: 0, idleTimeout: 60s}]", "listeners: [{port: " + port + "}]")
                    .replace("http: {port: 0}", "http: {port: " + httpPort + "}"));

            Process first = startSwitch(config, "first");
            List<String> delivered = new ArrayList<>();
            String reversedByTerminal;
            try {
                awaitSwitch(port);
                try (TerminalClient t = terminal(port)) {
                    for (int i = 0; i < 3; i++) {
                        ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 100 + i, stan(i), "TERM0001", "MERCHANT0000001"));
                        assertEquals("00", answer.getString(39));
                        delivered.add(answer.getString(37));
                    }
                    // the issuer now debits but never answers, and ignores reversal advices
                    stub.setRules(new StubRules(null, null, null, null, null, null, 1.0, null, null, null, 1000));
                    ISOMsg reversal = TerminalMessages.sale(PAN, 102, stan(2), "TERM0001", "MERCHANT0000001");
                    reversal.set(0, "0400");
                    assertEquals("00", t.exchange(reversal).getString(39));
                    reversedByTerminal = delivered.remove(2);
                    for (int i = 10; i < 15; i++) {
                        t.send(TerminalMessages.sale(PAN, 1000 + i, stan(i), "TERM0002", "MERCHANT0000001"));
                    }
                }
                awaitLedger(stub, "8 debits applied", s -> s.debitsApproved() == 8);
                awaitLedger(stub, "the reversal advice was sent (and ignored)",
                        s -> stub.ledger().entry(reversedByTerminal).map(LedgerEntry::reversalsReceived).orElse(0) > 0
                                || s.debitsApproved() == 8 && waited(300));
            } finally {
                first.destroyForcibly().waitFor();
            }
            assertFalse(first.isAlive());

            stub.setRules(StubRules.approveAll());
            Process second = startSwitch(config, "second");
            try {
                awaitLedger(stub, "every undelivered debit reversed", s -> s.debitsReversed() == 6);
                Thread.sleep(500); // a wrong extra reversal would show up now
                LedgerSummary s = stub.ledger().summary();
                assertEquals(6, s.debitsReversed());
                assertEquals(100 + 101, s.netDebited(), "only the two delivered, unreversed approvals stay debited");
                for (String rrn : delivered) {
                    assertFalse(stub.ledger().entry(rrn).orElseThrow().reversed(), rrn + " was delivered");
                }
                assertTrue(stub.ledger().entry(reversedByTerminal).orElseThrow().reversed());
                awaitSwitch(port); // and the restarted switch serves terminals
            } finally {
                second.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean waited(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static String stan(int i) {
        return String.format("%06d", 500 + i);
    }

    /**
     * A free port below the kernel's ephemeral range (32768 and up here and by default), so that the
     * many outgoing connections of other tests on the machine cannot take it between this check and
     * the child switch binding it (both of its lives bind the same port).
     */
    private static int freePort() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 20000-29999 after 100 attempts");
    }

    private Process startSwitch(Path config, String name) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.acqswitch.cli.Main", "run",
                "--config", config.toString()));
        File log = dir.resolve(name + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static TerminalClient terminal(int port) throws Exception {
        return new TerminalClient("127.0.0.1", port, TestSwitch.ISO87, Duration.ofSeconds(10));
    }

    /** Waits (at most 60 s: JVM and Chronicle Map start-up) for /health to say UP, then checks an echo. */
    private void awaitSwitch(int port) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var health = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + "/health")).build();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(health, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("switch did not become healthy on port " + httpPort);
            }
            Thread.sleep(200);
        }
        try (TerminalClient t = terminal(port)) {
            assertEquals("00", t.exchange(TerminalMessages.networkManagement("301", "000001", "TERM0009")).getString(39));
        }
    }

    private static void awaitLedger(IssuerStub stub, String what, java.util.function.Predicate<LedgerSummary> ok)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ok.test(stub.ledger().summary())) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what + "; ledger " + stub.ledger().summary());
            }
            Thread.sleep(50);
        }
    }
}
