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
import io.acqswitch.support.Await;
import io.acqswitch.support.ChildSwitch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kills a real switch process (SIGKILL) with transactions in flight and a reversal pending, restarts
 * it on the same data directory, and checks the issuer stub's ledger: every debit whose approval did
 * not reach its terminal is reversed, delivered approvals stand, nothing is reversed twice.
 */
@Tag("slow")
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class CrashRecoveryTest {
    private static final String PAN = "4761739001010010";

    /** Under target/ so the two processes' logs survive a failure for reading. */
    private final Path dir = Path.of("target", "crash-recovery-" + System.currentTimeMillis());

    @Test
    void shouldReverseInFlightDebitsAfterKillAndRestart() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            ChildSwitch sw = new ChildSwitch(dir, stub.port(), 30_000, yaml -> yaml);
            List<String> delivered = new ArrayList<>();
            String reversedByTerminal;
            try {
                sw.start();
                try (TerminalClient t = sw.terminal()) {
                    for (int i = 0; i < 3; i++) {
                        ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 100 + i, stan(i), "TERM0001", "MERCHANT0000001"));
                        assertEquals("00", answer.getString(39));
                        delivered.add(answer.getString(37));
                    }
                    // the issuer now debits but never answers, and ignores reversal advices
                    stub.setRules(StubRules.builder().withholdRatio(1.0).ignoreReversals(1000).build());
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
                sw.kill();
            }
            assertFalse(sw.isAlive());

            stub.setRules(StubRules.approveAll());
            try {
                sw.start(); // the restarted switch serves terminals
                awaitLedger(stub, "every undelivered debit reversed", s -> s.debitsReversed() == 6);
                Await.holds("no extra reversal", () -> stub.ledger().summary().debitsReversed() == 6, Duration.ofMillis(500));
                LedgerSummary s = stub.ledger().summary();
                assertEquals(6, s.debitsReversed());
                assertEquals(100 + 101, s.netDebited(), "only the two delivered, unreversed approvals stay debited");
                for (String rrn : delivered) {
                    assertFalse(stub.ledger().entry(rrn).orElseThrow().reversed(), rrn + " was delivered");
                }
                assertTrue(stub.ledger().entry(reversedByTerminal).orElseThrow().reversed());
            } finally {
                sw.kill();
            }
        }
    }

    /** Time is the subject: a stub that ignores the advice records nothing, so the wait itself is the fallback. */
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

    private static void awaitLedger(IssuerStub stub, String what, Predicate<LedgerSummary> ok)
            throws InterruptedException {
        Await.until(what, () -> ok.test(stub.ledger().summary()), Duration.ofSeconds(60));
    }
}
