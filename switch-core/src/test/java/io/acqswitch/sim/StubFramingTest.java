package io.acqswitch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.net.IsoMessageDecoder;
import io.acqswitch.net.IsoMessageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.util.Arrays;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * The stub's connection on the shared frame decoder, in an {@link EmbeddedChannel}: a request is
 * answered; a frame that is not a message, or one over its 8192 bytes, closes the connection.
 */
class StubFramingTest {
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    private final ActiveRules active = new ActiveRules(StubRules.approveAll());

    private EmbeddedChannel stubConnection() {
        StubProcessor processor = new StubProcessor(new Ledger(Clock.systemUTC()), () -> active);
        return new EmbeddedChannel(IsoMessageDecoder.lengthDecoder(IssuerChannelInitializer.MAX_FRAME_BYTES),
                IsoMessageEncoder.lengthPrepender(), new IsoMessageDecoder(ISO87), new IsoMessageEncoder(ISO87),
                new IssuerHandler("stub", processor, () -> active));
    }

    private static ByteBuf framed(byte[] body) {
        return Unpooled.buffer().writeShort(body.length).writeBytes(body);
    }

    @Test
    void shouldAnswerARequestSplitAcrossReads() throws Exception {
        EmbeddedChannel ch = stubConnection();
        ByteBuf frame = framed(ISO87.pack(TerminalMessages.sale("4761739001010010", 1500, "000001", "TERM0001",
                "MERCHANT0000001")));

        ch.writeInbound(frame.readRetainedSlice(5));
        ch.writeInbound(frame);

        ByteBuf length = ch.readOutbound();
        ByteBuf body = ch.readOutbound();
        assertEquals(body.readableBytes(), length.readUnsignedShort());
        ISOMsg answer = new ISOMsg();
        byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        ISO87.unpack(bytes, answer);
        assertEquals("0210", answer.getMTI());
        assertEquals("00", answer.getString(39));
        assertTrue(ch.isOpen());
        length.release();
        body.release();
    }

    @Test
    void shouldCloseOnAnEmptyFrame() {
        EmbeddedChannel ch = stubConnection();

        ch.writeInbound(framed(new byte[0]));

        assertFalse(ch.isOpen());
    }

    @Test
    void shouldCloseOnAFrameThatDoesNotUnpack() throws Exception {
        EmbeddedChannel ch = stubConnection();
        byte[] body = ISO87.pack(TerminalMessages.sale("4761739001010010", 1500, "000002", "TERM0001", "MERCHANT0000001"));

        ch.writeInbound(framed(Arrays.copyOf(body, body.length - 5)));

        assertFalse(ch.isOpen());
    }

    @Test
    void shouldCloseOnAFrameOverItsMaximum() {
        EmbeddedChannel ch = stubConnection();

        ch.writeInbound(Unpooled.buffer().writeShort(IssuerChannelInitializer.MAX_FRAME_BYTES));

        assertFalse(ch.isOpen());
    }
}
