package io.acqswitch.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness runs end to end and its ledger check holds; no timing is asserted (shared CI machines). */
class LoadHarnessSmokeTest {

    @Test
    @Tag("slow")
    @Timeout(60)
    void shouldCompleteBothTargetsAndPassTheLedgerCheck() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LoadOptions options = LoadOptions.parse("--rate", "50", "--connections", "2", "--warmup", "0", "--duration", "1");

        int exit = LoadHarness.run(options, new PrintStream(buf, true, StandardCharsets.UTF_8));

        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        assertTrue(out.contains("ledger[stub]: approvals received=50, approved debits=50, reversed=0 -> OK"), out);
        assertTrue(out.contains("ledger[switch]: approvals received=50, approved debits=50, reversed=0 -> OK"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("stub ") && l.contains("00=50")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("switch ") && l.contains("00=50")), out);
        assertTrue(out.contains("ratio switch/stub"), out);
    }

    @Test
    @Tag("slow")
    @Timeout(90)
    void shouldCompleteTheRelayAndJposBaselinesAndPassTheLedgerCheck() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LoadOptions options = LoadOptions.parse("--target", "all", "--rate", "50", "--connections", "2", "--warmup", "0",
                "--duration", "1");

        int exit = LoadHarness.run(options, new PrintStream(buf, true, StandardCharsets.UTF_8));

        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        for (String target : List.of("stub", "relay", "switch", "jpos")) {
            assertTrue(out.contains("ledger[" + target + "]: approvals received=50, approved debits=50, reversed=0 -> OK"), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith(target + " ") && l.contains("00=50")), out);
        }
        assertTrue(out.contains("ratio switch/relay"), out);
        assertTrue(out.contains("ratio switch/jpos"), out);
    }

    @Test
    void shouldRunEveryTargetInTurnForAll() {
        assertEquals(List.of(LoadOptions.Target.STUB, LoadOptions.Target.RELAY, LoadOptions.Target.SWITCH,
                LoadOptions.Target.JPOS), LoadOptions.parse("--target", "all").target().runs());
        assertEquals(List.of(LoadOptions.Target.JPOS), LoadOptions.parse("--target", "jpos").target().runs());
    }

    @Test
    void shouldFailTheLedgerCheckWhenDebitsAndApprovalsDiffer() {
        LedgerSummary before = new LedgerSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        LedgerSummary oneExtraDebit = new LedgerSummary(11, 11, 11_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11_000);
        LedgerSummary oneReversed = new LedgerSummary(10, 10, 10_000, 0, 1, 1_000, 0, 0, 0, 0, 0, 0, 0, 9_000);

        assertTrue(LedgerCheck.between("switch", 11, before, oneExtraDebit).ok());
        assertFalse(LedgerCheck.between("switch", 10, before, oneExtraDebit).ok());
        assertFalse(LedgerCheck.between("switch", 10, before, oneReversed).ok());
    }

    @Test
    void shouldStepTheRateUpToTheMaximum() {
        assertEquals(List.of(500, 1000, 2000, 4000, 8000), LoadHarness.steps(8000));
        assertEquals(List.of(500, 1000, 1500), LoadHarness.steps(1500));
        assertEquals(List.of(200), LoadHarness.steps(200));
    }

    @Test
    void shouldRejectUnknownOrBadOptionsNamingThem() {
        assertEquals("--nope: unknown option",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--nope", "1")).getMessage());
        assertEquals("--rate=0: must be > 0",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--rate", "0")).getMessage());
        assertEquals(Duration.ofSeconds(10).toNanos(), LoadGenerator.TIMEOUT_NANOS);
    }
}
