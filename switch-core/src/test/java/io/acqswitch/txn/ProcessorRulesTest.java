package io.acqswitch.txn;

import static io.acqswitch.txn.ProcessorHarness.answer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.sim.TerminalMessages;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The processor's rules, one by one, on the processor alone ({@link ProcessorHarness}): a manual
 * clock, a fake issuer side, terminals as {@link EmbeddedChannel}s. The issuer's side of each rule
 * is what the switch sent it; the terminal's side is what was written to its channel.
 */
@Timeout(10)
class ProcessorRulesTest {
    private static final String PAN = "4761739001010010";
    private static final String TID = "T0000001";
    private static final String MID = "M00000000000001";

    private final ProcessorHarness h = new ProcessorHarness();
    private final EmbeddedChannel terminal = new EmbeddedChannel();
    private int stan;

    ProcessorRulesTest() throws Exception {
    }

    @AfterEach
    void close() {
        terminal.finishAndReleaseAll();
        h.close();
    }

    private String nextStan() {
        return String.format("%06d", ++stan);
    }

    /** A sale the issuer approves and whose answer reaches the terminal: its RRN. */
    private String approvedSale(long amount) {
        ISOMsg sale = TerminalMessages.sale(PAN, amount, nextStan(), TID, MID);
        h.request(terminal, sale);
        ISOMsg forwarded = h.issuers.last();
        h.issuerAnswers(forwarded, "00");
        ISOMsg a = answer(terminal);
        assertEquals("00", a.getString(39));
        h.delivered(a.getString(37), true);
        return a.getString(37);
    }

    @Test
    void shouldReplayOriginalResponseForDuplicateWithoutForwardingItAgain() {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, nextStan(), TID, MID);
        h.request(terminal, sale);
        h.issuerAnswers(h.issuers.last(), "00");
        Object first = terminal.readOutbound();
        h.request(terminal, (ISOMsg) sale.clone());
        Object replay = terminal.readOutbound();

        assertEquals(1, h.issuers.sent("0200").size(), "the repeat never reached the issuer");
        assertArrayEquals((byte[]) first, (byte[]) replay, "the repeat is answered with the original's answer");
        assertEquals(1.0, h.counted("switch_duplicates", "kind", "replayed"));
    }

    @Test
    void shouldAnswerARepeatOfARequestACrashCutOffWithTheTimeoutCodeNotAnEmptyFrame() {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, nextStan(), TID, MID);
        h.request(terminal, sale); // forwarded; the switch dies before the issuer answers
        assertNull(terminal.readOutbound());
        h.restart(); // recovery puts the forwarded sale into reversal: it has no answer to replay

        h.request(terminal, (ISOMsg) sale.clone());

        assertEquals(Dialect.ISO87.timeoutCode(), answer(terminal).getString(39), "failed, as the reversal says");
        assertEquals(1, h.issuers.sent("0200").size(), "the repeat never reached the issuer");
        assertEquals(1.0, h.counted("switch_duplicates", "kind", "replayed"));
    }

    @Test
    void shouldAnswerEveryTerminalThatRepeatedARequestStillInFlight() {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, nextStan(), TID, MID);
        EmbeddedChannel second = new EmbeddedChannel();
        h.request(terminal, sale);
        h.request(second, (ISOMsg) sale.clone());
        assertNull(terminal.readOutbound(), "nobody is answered before the issuer");
        h.issuerAnswers(h.issuers.last(), "00");

        assertEquals(1, h.issuers.sent("0200").size());
        assertEquals("00", answer(terminal).getString(39));
        assertEquals("00", answer(second).getString(39));
        second.finishAndReleaseAll();
    }

    @Test
    void shouldAnswer94ForARepeatWithDifferentContent() {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, nextStan(), TID, MID);
        h.request(terminal, sale);
        h.issuerAnswers(h.issuers.last(), "00");
        answer(terminal);
        ISOMsg altered = (ISOMsg) sale.clone(); // same terminal, STAN and field 7: the same request's key
        altered.set(4, String.format("%012d", 9900));

        h.request(terminal, altered);

        assertEquals(ResponseCode.DUPLICATE_TRANSMISSION, answer(terminal).getString(39));
        assertEquals(1, h.issuers.sent("0200").size());
        assertEquals(1.0, h.counted("switch_duplicates", "kind", "mismatch"));
    }

    @Test
    void shouldQueueAReversalInTheSafWhenTheIssuerTimesOut() {
        h.request(terminal, TerminalMessages.sale(PAN, 2500, nextStan(), TID, MID));
        String rrn = h.issuers.last().getString(37);

        h.advanceAndTick(ProcessorHarness.TIMEOUT.minusMillis(1));
        assertNull(terminal.readOutbound(), "not before the deadline");
        h.advanceAndTick(Duration.ofMillis(1));

        assertEquals(Dialect.ISO87.timeoutCode(), answer(terminal).getString(39));
        TxnRecord r = h.stored(rrn);
        assertEquals(TxnState.REVERSAL_PENDING, r.state, "persisted as pending before the terminal was told");
        assertEquals(ReversalReasons.ISSUER_TIMEOUT, r.reversalReason);
        assertEquals(1, h.issuers.sent("0420").size(), "the advice goes out in the same tick");
        assertEquals(2, h.issuers.abandoned, "the request's issuer slot is freed, and the advice holds none");
        assertEquals(rrn, h.issuers.sent("0420").getFirst().getString(37));
        h.advanceAndTick(ProcessorHarness.FIRST_RETRY);
        assertEquals(1, h.issuers.sent("0421").size(), "repeated after firstRetry without an 0430");

        ISOMsg ack = (ISOMsg) h.issuers.sent("0421").getFirst().clone();
        ack.set(0, "0430");
        ack.set(39, "00");
        h.issuerSends(ack);
        assertEquals(TxnState.REVERSED, h.stored(rrn).state);
        h.advanceAndTick(Duration.ofSeconds(30));
        assertEquals(2, h.issuers.sent("0420").size() + h.issuers.sent("0421").size(), "nothing more once acknowledged");
    }

    @Test
    void shouldNotSendAReversalWhileItsIssuerHasNoLinkUp() {
        h.request(terminal, TerminalMessages.sale(PAN, 2500, nextStan(), TID, MID));
        h.issuers.linksUp = 0;
        h.advanceAndTick(ProcessorHarness.TIMEOUT);
        h.advanceAndTick(Duration.ofSeconds(5));
        assertTrue(h.issuers.sent("0420").isEmpty());
        h.issuers.linksUp = 1;
        h.tick();
        assertEquals(1, h.issuers.sent("0420").size());
    }

    @Test
    void shouldSendATimedOutRequestsAdviceOnTheLinkItsOriginalWentOn() {
        h.issuers.links = 3;
        h.request(terminal, TerminalMessages.sale(PAN, 2500, nextStan(), TID, MID));
        ISOMsg first = h.issuers.last();
        h.request(terminal, TerminalMessages.sale(PAN, 2600, nextStan(), TID, MID)); // moves the round-robin on
        ISOMsg second = h.issuers.last();
        assertTrue(h.issuers.linkOf(first) != h.issuers.linkOf(second), "the two sales left on two links");

        h.advanceAndTick(ProcessorHarness.TIMEOUT);
        assertEquals(2, h.issuers.sent("0420").size());
        for (ISOMsg advice : h.issuers.sent("0420")) {
            ISOMsg original = advice.getString(37).equals(first.getString(37)) ? first : second;
            assertEquals(h.issuers.linkOf(original), h.issuers.linkOf(advice),
                    "the 0420 follows its original on one connection, so the issuer cannot see it first");
        }
        h.advanceAndTick(ProcessorHarness.FIRST_RETRY);
        for (ISOMsg repeat : h.issuers.sent("0421")) {
            ISOMsg original = repeat.getString(37).equals(first.getString(37)) ? first : second;
            assertEquals(h.issuers.linkOf(original), h.issuers.linkOf(repeat), "and so does its 0421");
        }
    }

    @Test
    void shouldHoldAnAdviceWhileItsOriginalsLinkIsFullAndUseAnotherOnceThatLinkIsDown() {
        h.issuers.links = 2;
        h.request(terminal, TerminalMessages.sale(PAN, 2500, nextStan(), TID, MID));
        ISOMsg sale = h.issuers.last();
        int link = h.issuers.linkOf(sale);
        h.issuers.full.add(link);

        h.advanceAndTick(ProcessorHarness.TIMEOUT);
        h.advanceAndTick(Duration.ofSeconds(2));
        assertTrue(h.issuers.sent("0420").isEmpty(), "not overtaking on the other link while the original's is up");

        h.issuers.down.add(link); // that connection is gone, and the original with it or before it
        h.tick();
        assertEquals(1, h.issuers.sent("0420").size());
        assertEquals(1 - link, h.issuers.linkOf(h.issuers.sent("0420").getFirst()), "then any link up");
    }

    @Test
    void shouldKeepReversingWhenALateApprovalComesAfterTheTimeout() {
        h.request(terminal, TerminalMessages.sale(PAN, 2500, nextStan(), TID, MID));
        ISOMsg forwarded = h.issuers.last();
        String rrn = forwarded.getString(37);
        h.advanceAndTick(ProcessorHarness.TIMEOUT);
        assertEquals(Dialect.ISO87.timeoutCode(), answer(terminal).getString(39));

        h.issuerAnswers(forwarded, "00");

        assertNull(terminal.readOutbound(), "the terminal is not told of the late approval");
        assertEquals(TxnState.REVERSAL_PENDING, h.stored(rrn).state, "its reversal stays queued");
        assertEquals(1.0, h.counted("switch_late_responses", "issuer", "issuer-a"));
        h.tick();
        assertEquals(1, h.issuers.sent("0420").size(), "and is sent");
    }

    @Test
    void shouldReverseAnApprovalTheTerminalsSocketDidNotTake() {
        h.request(terminal, TerminalMessages.sale(PAN, 4000, nextStan(), TID, MID));
        h.issuerAnswers(h.issuers.last(), "00");
        String rrn = answer(terminal).getString(37);

        h.delivered(rrn, false);

        TxnRecord r = h.stored(rrn);
        assertEquals(TxnState.REVERSAL_PENDING, r.state);
        assertEquals(ReversalReasons.UNDELIVERABLE, r.reversalReason);
        h.tick();
        assertEquals(1, h.issuers.sent("0420").size());
    }

    @Test
    void shouldMarkADeliveredApprovalAndNotReverseIt() {
        String rrn = approvedSale(4000);
        TxnRecord r = h.stored(rrn);
        assertTrue(r.delivered);
        assertEquals(TxnState.APPROVED, r.state);
        h.advanceAndTick(Duration.ofMinutes(1));
        assertTrue(h.issuers.sent("0420").isEmpty());
    }

    @Test
    void shouldRecordADeliveryThatComesBackAfterTheTerminalReversedTheSale() {
        ISOMsg sale = TerminalMessages.sale(PAN, 4000, nextStan(), TID, MID);
        h.request(terminal, sale);
        h.issuerAnswers(h.issuers.last(), "00");
        String rrn = answer(terminal).getString(37);
        ISOMsg reversal = (ISOMsg) sale.clone();
        reversal.set(0, "0400");
        h.request(terminal, reversal);
        assertEquals("00", answer(terminal).getString(39));

        h.delivered(rrn, true); // the approval's write outcome comes after the 0400

        TxnRecord r = h.stored(rrn);
        assertEquals(TxnState.REVERSAL_PENDING, r.state, "the reversal stands");
        assertEquals(ReversalReasons.TERMINAL_REVERSAL, r.reversalReason);
        assertTrue(r.delivered);
    }

    @Test
    void shouldVoidByQueueingTheOriginalsReversalAndForwardingNothingElse() {
        String sale = approvedSale(3000);
        int forwardedBefore = h.issuers.sent.size();

        h.request(terminal, TerminalMessages.voidOf(PAN, 3000, sale, "A1B2C3", nextStan(), TID, MID));

        assertEquals("00", answer(terminal).getString(39));
        assertEquals(forwardedBefore, h.issuers.sent.size(), "the void itself is decided by the switch");
        TxnRecord original = h.stored(sale);
        assertEquals(TxnState.REVERSAL_PENDING, original.state);
        assertEquals(ReversalReasons.VOID, original.reversalReason);
        h.tick();
        assertEquals(sale, h.issuers.sent("0420").getFirst().getString(37));
    }

    @Test
    void shouldRefuseAVoidOfTheWrongAmountOrAVoidOfAVoidedSale() {
        String sale = approvedSale(3000);
        h.request(terminal, TerminalMessages.voidOf(PAN, 2999, sale, "A1B2C3", nextStan(), TID, MID));
        assertEquals(ResponseCode.ORIGINAL_AMOUNT_INCORRECT, answer(terminal).getString(39));
        assertEquals(TxnState.APPROVED, h.stored(sale).state, "the original is untouched");

        h.request(terminal, TerminalMessages.voidOf(PAN, 3000, sale, "A1B2C3", nextStan(), TID, MID));
        assertEquals("00", answer(terminal).getString(39));
        h.request(terminal, TerminalMessages.voidOf(PAN, 3000, sale, "A1B2C3", nextStan(), TID, MID));
        assertEquals(ResponseCode.SUSPECTED_MALFUNCTION, answer(terminal).getString(39), "voided already");
    }

    @Test
    void shouldForwardARefundWithinWhatIsLeftAndRefuseOneBeyondIt() {
        String sale = approvedSale(5000);
        h.request(terminal, TerminalMessages.refundOf(PAN, 3000, sale, nextStan(), TID, MID));
        ISOMsg refund = h.issuers.last();
        assertEquals("0220", refund.getString(0));
        assertTrue(refund.hasField(90), "it names the sale it credits");
        assertEquals(3000, h.stored(sale).refundedAmount, "claimed before it left");

        h.request(terminal, TerminalMessages.refundOf(PAN, 2001, sale, nextStan(), TID, MID));
        assertEquals(ResponseCode.EXCEEDS_LIMIT, answer(terminal).getString(39));
        assertEquals(1, h.issuers.sent("0220").size(), "the second never left");

        h.issuerAnswers(refund, "05");
        assertEquals("05", answer(terminal).getString(39));
        assertEquals(0, h.stored(sale).refundedAmount, "a declined refund gives its claim back");
    }

    @Test
    void shouldCompleteAPreAuthorizationOnceOnly() {
        h.request(terminal, TerminalMessages.preAuth(PAN, 10_000, nextStan(), TID, MID));
        h.issuerAnswers(h.issuers.last(), "00");
        ISOMsg approved = answer(terminal);
        String preAuth = approved.getString(37);
        h.delivered(preAuth, true);

        h.request(terminal, TerminalMessages.preAuthFollowUp("0200", "000000", PAN, 9_000, preAuth,
                approved.getString(38), nextStan(), TID, MID));
        ISOMsg completion = h.issuers.last();
        assertEquals("0200", completion.getString(0));
        assertEquals(completion.getString(37), h.stored(preAuth).completedBy);

        h.request(terminal, TerminalMessages.preAuthFollowUp("0200", "000000", PAN, 9_000, preAuth,
                approved.getString(38), nextStan(), TID, MID));
        assertEquals(ResponseCode.SUSPECTED_MALFUNCTION, answer(terminal).getString(39), "captured already");

        h.issuerAnswers(completion, "00");
        assertEquals("00", answer(terminal).getString(39));
    }

    @Test
    void shouldReverseAnApprovalWhoseTerminalReversalCameFirst() {
        String s = nextStan();
        ISOMsg sale = TerminalMessages.sale(PAN, 700, s, TID, MID);
        h.request(terminal, sale);
        ISOMsg forwarded = h.issuers.last();
        ISOMsg reversal = (ISOMsg) sale.clone();
        reversal.set(0, "0400");
        h.request(terminal, reversal);
        assertEquals("00", answer(terminal).getString(39), "the 0400 is answered at once");

        h.issuerAnswers(forwarded, "00");

        assertEquals(Dialect.ISO87.timeoutCode(), answer(terminal).getString(39), "the terminal never learns approved");
        TxnRecord r = h.stored(forwarded.getString(37));
        assertEquals(TxnState.REVERSAL_PENDING, r.state);
        assertEquals(ReversalReasons.TERMINAL_REVERSED_EARLY, r.reversalReason);
        assertFalse(r.delivered);
    }
}
