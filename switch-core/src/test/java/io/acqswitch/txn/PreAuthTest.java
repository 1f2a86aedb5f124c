package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.RigTest;
import java.time.Duration;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** Pre-authorization (预授权), its completion (预授权完成) and their voids, judged by the stub's ledger. */
class PreAuthTest extends RigTest {
    private static final String PAN = "4761739001010010";
    private static final String TID = "TERM0007";
    private static final String MID = "MERCHANT0000007";
    private ISOMsg preAuth(long amount) throws Exception {
        ISOMsg a = t.exchange(TerminalMessages.preAuth(PAN, amount, stan(), TID, MID));
        assertEquals("0110", a.getMTI());
        assertEquals("00", a.getString(39));
        return a;
    }

    private ISOMsg followUp(String mti, String proc, ISOMsg original, long amount) throws Exception {
        return t.exchange(TerminalMessages.preAuthFollowUp(mti, proc, PAN, amount, original.getString(37),
                original.getString(38), stan(), TID, MID));
    }

    private long net() {
        return rig.stub.ledger().summary().netDebited();
    }

    @Test
    void shouldCaptureTheHoldWithACompletionWithinTolerance() throws Exception {
        ISOMsg auth = preAuth(1000);
        assertEquals(1000, net(), "the issuer holds the authorized amount");
        ISOMsg completion = followUp("0200", "000000", auth, 1150); // +15 %
        assertEquals("00", completion.getString(39));
        assertEquals(1150, net(), "hold released, completion debited");
        assertEquals("22", followUp("0200", "000000", auth, 100).getString(39), "already completed");
    }

    @Test
    void shouldCaptureTheHoldWithACompletionAdvice() throws Exception {
        ISOMsg auth = preAuth(900);
        ISOMsg advice = followUp("0220", "000000", auth, 880);
        assertEquals("0230", advice.getMTI());
        assertEquals("00", advice.getString(39));
        assertEquals(880, net(), "hold released, the completed amount debited");
        assertEquals("00", followUp("0200", "200000", advice, 880).getString(39), "and it can be voided");
        rig.await("advice reversed", () -> net() == 0, Duration.ofSeconds(10));
    }

    @Test
    void shouldAnswer13ForCompletionAboveTolerance() throws Exception {
        ISOMsg auth = preAuth(1000);
        assertEquals("13", followUp("0200", "000000", auth, 1151).getString(39));
        assertEquals("00", followUp("0200", "000000", auth, 900).getString(39), "the refusal claimed nothing");
    }

    @Test
    void shouldAnswer25ForCompletionOfUnknownPreAuth() throws Exception {
        ISOMsg auth = preAuth(500);
        auth.set(37, "999999999999");
        assertEquals("25", followUp("0200", "000000", auth, 500).getString(39));
    }

    @Test
    void shouldReleaseTheHoldWhenThePreAuthIsVoided() throws Exception {
        ISOMsg auth = preAuth(700);
        assertEquals("00", followUp("0100", "200000", auth, 700).getString(39));
        rig.await("hold released", () -> net() == 0, Duration.ofSeconds(10));
        assertEquals("22", followUp("0200", "000000", auth, 700).getString(39), "a voided pre-auth cannot be completed");
    }

    @Test
    void shouldReverseTheCompletionWhenItIsVoided() throws Exception {
        ISOMsg auth = preAuth(800);
        ISOMsg completion = followUp("0200", "000000", auth, 800);
        assertEquals("00", completion.getString(39));
        assertEquals("00", followUp("0200", "200000", completion, 800).getString(39));
        rig.await("completion reversed", () -> rig.ledger(completion.getString(37)).map(LedgerEntry::reversed)
                .orElse(false), Duration.ofSeconds(10));
        assertEquals(0, net());
    }
}
