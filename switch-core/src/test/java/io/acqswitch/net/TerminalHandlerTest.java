package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.sim.TerminalMessages;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The terminal side past the framing, in an {@link EmbeddedChannel}: the classifier and the terminal
 * handler as the listener chains them, fed unpacked messages (the frame decoder's output), answers
 * read as messages. What is answered here, what is handed on and with which class, what is
 * rejected, counted and closed, and the back-pressure on a terminal that does not read.
 */
class TerminalHandlerTest {
    private static final String PAN = "4761739001010010";
    private static final String TID = "TERM0001";
    private static final String MID = "MERCHANT0000001";

    private final SwitchMetrics metrics = new SwitchMetrics();
    private final List<String> handedOn = new ArrayList<>();
    private final List<Channel> replyTo = new ArrayList<>();
    private final EmbeddedChannel ch = new EmbeddedChannel(new TerminalClassifier(Dialect.ISO87),
            new TerminalHandler(Dialect.ISO87, metrics, (req, channel) -> {
                handedOn.add(req.messageClass() + " " + req.stan());
                replyTo.add(channel.channel());
            }));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
        metrics.close();
    }

    private void receive(ISOMsg m) {
        ch.writeInbound(new Inbound.Unpacked(m, new byte[0]));
    }

    /** The handler's own answer to {@code m}, which must not have been handed on to the ring. */
    private ISOMsg answeredHere(ISOMsg m) {
        receive(m);
        ISOMsg answer = assertInstanceOf(ISOMsg.class, ch.readOutbound());
        assertEquals(List.of(), handedOn, "answered here, never handed on");
        return answer;
    }

    private double malformed(Malformation reason) {
        return metrics.counted("switch_malformed_input", "reason", reason.tag());
    }

    @Test
    void shouldAnswerAnEchoItselfAndHandNothingOn() throws Exception {
        ISOMsg answer = answeredHere(TerminalMessages.networkManagement("301", "000011", TID));

        assertEquals("0810 00 000011", answer.getMTI() + " " + answer.getString(39) + " " + answer.getString(11),
                "MTI, approved, the terminal's STAN echoed");
        assertTrue(ch.isOpen());
    }

    @Test
    void shouldAnswerTwelveToANetworkManagementCodeItDoesNotKnow() throws Exception {
        ISOMsg answer = answeredHere(TerminalMessages.networkManagement("999", "000012", TID));

        assertEquals("0810 12", answer.getMTI() + " " + answer.getString(39));
    }

    @Test
    void shouldHandEachRequestOnWithItsClassAndItsConnection() throws Exception {
        ISOMsg reversal = TerminalMessages.sale(PAN, 100, "000026", TID, MID);
        reversal.setMTI("0400");
        ISOMsg settlement = new ISOMsg("0500");
        settlement.set(11, "000027");
        settlement.set(41, TID);
        settlement.set(48, "0".repeat(62)); // the terminal's totals: nothing in this batch
        settlement.set(60, "00" + "000001" + "201"); // batch 000001

        receive(TerminalMessages.sale(PAN, 100, "000021", TID, MID));
        receive(TerminalMessages.voidOf(PAN, 100, "612345000001", "123456", "000022", TID, MID));
        receive(TerminalMessages.refundOf(PAN, 100, "612345000001", "000023", TID, MID));
        receive(TerminalMessages.preAuth(PAN, 100, "000024", TID, MID));
        receive(TerminalMessages.preAuthFollowUp("0200", "000000", PAN, 100, "612345000002", "654321", "000025", TID, MID));
        receive(reversal);
        receive(settlement);

        assertEquals(List.of(MessageClass.SALE + " 000021", MessageClass.VOID + " 000022", MessageClass.REFUND + " 000023",
                MessageClass.PRE_AUTH + " 000024", MessageClass.COMPLETION + " 000025", MessageClass.REVERSAL + " 000026",
                MessageClass.SETTLEMENT + " 000027"), handedOn);
        assertTrue(replyTo.stream().allMatch(c -> c == ch), "each carries its own connection to answer on");
        assertNull(ch.readOutbound(), "the handler answers none of them itself");
    }

    @Test
    void shouldAnswerThirtyWithTheStanToAProcessingCodeItDoesNotKnowAndCountIt() throws Exception {
        ISOMsg answer = answeredHere(TerminalMessages.financial("0200", "990000", PAN, 100, "000031", TID, MID));

        assertEquals("0210 30 000031", answer.getMTI() + " " + answer.getString(39) + " " + answer.getString(11));
        assertEquals(1.0, malformed(Malformation.UNKNOWN_MTI));
        assertTrue(ch.isOpen(), "an answered rejection keeps the connection");
    }

    @Test
    void shouldPassTheDecodersRejectionThroughTheClassifierAndCloseWhenThereIsNoStanToAnswer() {
        ISOMsg partial = new ISOMsg("0200"); // the unpacker read the MTI, then failed
        ch.writeInbound(new Inbound.Rejected(Malformation.UNPACK_FAILED, "truncated field 11", partial));

        assertNull(ch.readOutbound(), "nothing to answer a message without its STAN");
        assertFalse(ch.isOpen());
        assertEquals(1.0, malformed(Malformation.UNPACK_FAILED));
        assertEquals(List.of(), handedOn);
    }

    @Test
    void shouldCloseAnIdleConnectionAndCountIt() {
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertFalse(ch.isOpen());
        assertEquals(1.0, malformed(Malformation.IDLE_TIMEOUT));
    }

    @Test
    void shouldCloseAConnectionWhoseFrameTookTooLongAndCountIt() {
        ch.pipeline().fireUserEventTriggered(FrameTimeoutHandler.FRAME_TIMEOUT);

        assertFalse(ch.isOpen());
        assertEquals(1.0, malformed(Malformation.FRAME_TIMEOUT));
    }

    @Test
    void shouldStopReadingFromATerminalThatLeavesItsAnswersUnreadAndReadAgainOnceTheyDrain() {
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        assertTrue(ch.config().isAutoRead());

        ch.write(Unpooled.wrappedBuffer(new byte[64])); // answers queued, not yet taken by the socket
        assertFalse(ch.isWritable());
        assertFalse(ch.config().isAutoRead(), "its requests are no longer read");
        assertEquals(1.0, malformed(Malformation.SLOW_READER));

        ch.flush(); // the socket took them
        ch.runPendingTasks();
        assertTrue(ch.isWritable());
        assertTrue(ch.config().isAutoRead(), "reading again");
        assertTrue(ch.isOpen(), "back-pressure, not a close");
        assertEquals(1.0, malformed(Malformation.SLOW_READER), "counted once per stall");
    }
}
