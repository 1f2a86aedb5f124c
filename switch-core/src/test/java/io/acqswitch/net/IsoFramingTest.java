package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * The one frame decoder and its encoder, in {@link EmbeddedChannel}s: the 2-byte length framing of
 * both dialects, frames split and joined, oversize and malformed lengths, and the terminal side's
 * answer to each (count, answer 30 or close).
 */
class IsoFramingTest {
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    private static final String PAN = "4761739001010010";

    private static EmbeddedChannel decoding(IsoCodec codec, int maxFrameBytes) {
        return new EmbeddedChannel(IsoMessageDecoder.lengthDecoder(maxFrameBytes), new IsoMessageDecoder(codec));
    }

    private static byte[] framed(byte[] body) {
        byte[] f = new byte[body.length + 2];
        f[0] = (byte) (body.length >>> 8);
        f[1] = (byte) body.length;
        System.arraycopy(body, 0, f, 2, body.length);
        return f;
    }

    private static ByteBuf buf(byte[] bytes, int from, int to) {
        return Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, from, to));
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            out.add(o);
        }
        return out;
    }

    @Test
    void shouldJoinAFrameSplitAcrossReadsIncludingItsLengthPrefix() throws Exception {
        byte[] body = ISO87.pack(TerminalMessages.sale(PAN, 1500, "000001", "TERM0001", "MERCHANT0000001"));
        byte[] frame = framed(body);
        EmbeddedChannel ch = decoding(ISO87, 8192);

        assertFalse(ch.writeInbound(buf(frame, 0, 1)), "one byte of the length is not a frame");
        assertFalse(ch.writeInbound(buf(frame, 1, 10)), "nine bytes are not the whole body");
        assertTrue(ch.writeInbound(buf(frame, 10, frame.length)));

        Inbound.Unpacked u = assertInstanceOf(Inbound.Unpacked.class, ch.readInbound());
        assertEquals("0200", u.message().getMTI());
        assertEquals("000001", u.message().getString(11));
        assertArrayEquals(body, u.body(), "the body as received, without the length");
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void shouldCutTwoFramesArrivingInOneRead() throws Exception {
        byte[] a = framed(ISO87.pack(TerminalMessages.sale(PAN, 100, "000001", "TERM0001", "MERCHANT0000001")));
        byte[] b = framed(ISO87.pack(TerminalMessages.sale(PAN, 200, "000002", "TERM0001", "MERCHANT0000001")));
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        EmbeddedChannel ch = decoding(ISO87, 8192);

        ch.writeInbound(Unpooled.wrappedBuffer(both));

        List<Object> in = drain(ch);
        assertEquals(2, in.size(), in::toString);
        assertEquals("000001", ((Inbound.Unpacked) in.get(0)).message().getString(11));
        assertEquals("000002", ((Inbound.Unpacked) in.get(1)).message().getString(11));
    }

    @Test
    void shouldReadCupFramesWhoseLengthCoversTpduAndHeader() throws Exception {
        byte[] frame = Hex.vector("cup-0800-signon-req.hex"); // with its length prefix, as a terminal sends it
        assertEquals(frame.length - 2, ((frame[0] & 0xff) << 8) | (frame[1] & 0xff), "the vector's own length prefix");
        EmbeddedChannel ch = decoding(CUP, 8192);

        ch.writeInbound(buf(frame, 0, 7)); // the length and the TPDU only
        assertNull(ch.readInbound());
        ch.writeInbound(buf(frame, 7, frame.length));

        Inbound.Unpacked u = assertInstanceOf(Inbound.Unpacked.class, ch.readInbound());
        assertEquals("0800", u.message().getMTI());
        assertArrayEquals(Arrays.copyOfRange(frame, 2, frame.length), u.body(), "TPDU and header stay in the body");
    }

    @Test
    void shouldRejectAZeroLengthAsAnEmptyFrame() {
        EmbeddedChannel ch = decoding(ISO87, 8192);

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0}));

        assertEquals(Malformation.EMPTY_FRAME, assertInstanceOf(Inbound.Rejected.class, ch.readInbound()).reason());
    }

    @Test
    void shouldRejectACupFrameNoLongerThanItsHeader() {
        EmbeddedChannel ch = decoding(CUP, 8192);
        byte[] header = Arrays.copyOfRange(Hex.vector("cup-0800-signon-req.hex"), 2, 2 + Dialect.CUP.headerLength());

        ch.writeInbound(Unpooled.wrappedBuffer(framed(header)));

        Inbound.Rejected r = assertInstanceOf(Inbound.Rejected.class, ch.readInbound());
        assertEquals(Malformation.SHORT_FRAME, r.reason());
        assertEquals("11 bytes, header alone is 11", r.detail());
    }

    @Test
    void shouldRejectABodyThatDoesNotUnpackKeepingWhatWasRead() throws Exception {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, "000042", "TERM0001", "MERCHANT0000001");
        byte[] body = ISO87.pack(sale);
        byte[] cut = Arrays.copyOf(body, body.length - 5); // the length prefix says what arrived: the message is short
        EmbeddedChannel ch = decoding(ISO87, 8192);

        ch.writeInbound(Unpooled.wrappedBuffer(framed(cut)));

        Inbound.Rejected r = assertInstanceOf(Inbound.Rejected.class, ch.readInbound());
        assertEquals(Malformation.UNPACK_FAILED, r.reason());
        assertEquals("0200", r.partial().getMTI(), "the MTI read before the problem");
    }

    @Test
    void shouldFailAnOversizeFrameAsSoonAsItsLengthIsRead() {
        EmbeddedChannel ch = decoding(ISO87, 100);

        // 0x00C8 = 200 bytes announced, over the 100 allowed; none of the body has arrived
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, (byte) 0xC8})));
        assertNull(ch.readInbound());
    }

    @Test
    void shouldCountTheLengthPrefixInTheMaximum() throws Exception {
        byte[] body = ISO87.pack(TerminalMessages.sale(PAN, 1500, "000001", "TERM0001", "MERCHANT0000001"));
        EmbeddedChannel link = decoding(ISO87, 65_535); // the issuer link's maximum

        link.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFD}), Unpooled.wrappedBuffer(body));
        assertNull(link.readInbound(), "65533 bytes announced, 65535 with the prefix: it waits for the rest");
        assertTrue(link.isOpen());

        EmbeddedChannel over = decoding(ISO87, 65_535);
        assertThrows(TooLongFrameException.class,
                () -> over.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFE})));
    }

    @Test
    void shouldWriteEachBodyAfterItsTwoByteLength() throws Exception {
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, "000001", "TERM0001", "MERCHANT0000001");
        byte[] packed = ISO87.pack(sale);
        byte[] replay = Hex.vector("cup-0810-signon-resp.hex");
        EmbeddedChannel ch = new EmbeddedChannel(IsoMessageEncoder.lengthPrepender(), new IsoMessageEncoder(ISO87));

        ch.writeOutbound(sale, replay);

        byte[] both = written(ch);
        assertArrayEquals(framed(packed), Arrays.copyOf(both, packed.length + 2));
        assertArrayEquals(framed(replay), Arrays.copyOfRange(both, packed.length + 2, both.length),
                "pre-packed bytes pass through as they are");
    }

    @Test
    void shouldRoundTripACupMessageThroughEncoderAndDecoder() throws Exception {
        byte[] frame = Hex.vector("cup-0800-signon-req.hex");
        ISOMsg request = CUP.newMessage(null);
        CUP.unpack(Arrays.copyOfRange(frame, 2, frame.length), request);
        EmbeddedChannel out = new EmbeddedChannel(IsoMessageEncoder.lengthPrepender(), new IsoMessageEncoder(CUP));
        out.writeOutbound(request);
        byte[] written = written(out);

        assertArrayEquals(frame, written, "the same bytes, length and header included");
    }

    @Test
    void shouldAnswerThirtyToATerminalMessageThatFailsValidationAndCountIt() throws Exception {
        SwitchMetrics metrics = new SwitchMetrics();
        List<String> handedOn = new ArrayList<>();
        EmbeddedChannel ch = terminal(metrics, handedOn);
        ISOMsg sale = TerminalMessages.sale(PAN, 1500, "000007", "TERM0001", "MERCHANT0000001");
        sale.unset(4); // a sale without its amount

        ch.writeInbound(Unpooled.wrappedBuffer(framed(ISO87.pack(sale))));

        byte[] answer = written(ch);
        ISOMsg a = new ISOMsg();
        ISO87.unpack(Arrays.copyOfRange(answer, 2, answer.length), a);
        assertEquals("0210", a.getMTI());
        assertEquals("30", a.getString(39));
        assertEquals(List.of(), handedOn, "nothing reaches the ring");
        assertEquals(1.0, metrics.counted("switch_malformed_input", "reason", Malformation.MISSING_FIELD.tag()));
        metrics.close();
    }

    @Test
    void shouldHandAValidTerminalRequestOnClassified() throws Exception {
        SwitchMetrics metrics = new SwitchMetrics();
        List<String> handedOn = new ArrayList<>();
        EmbeddedChannel ch = terminal(metrics, handedOn);

        ch.writeInbound(Unpooled.wrappedBuffer(framed(ISO87.pack(
                TerminalMessages.sale(PAN, 1500, "000008", "TERM0001", "MERCHANT0000001")))));

        assertEquals(List.of(MessageClass.SALE + " 000008"), handedOn);
        metrics.close();
    }

    @Test
    void shouldCloseATerminalConnectionOnAnOversizeFrameAndCountIt() {
        SwitchMetrics metrics = new SwitchMetrics();
        EmbeddedChannel ch = terminal(metrics, new ArrayList<>());

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x20, 0})); // 8192 announced, 4096 allowed

        assertFalse(ch.isOpen());
        assertEquals(1.0, metrics.counted("switch_malformed_input", "reason", Malformation.FRAME_TOO_LONG.tag()));
        metrics.close();
    }

    @Test
    void shouldCloseATerminalConnectionWhoseUnreadableFrameCannotBeAnswered() {
        SwitchMetrics metrics = new SwitchMetrics();
        EmbeddedChannel ch = terminal(metrics, new ArrayList<>());

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0})); // empty: no STAN to answer

        assertFalse(ch.isOpen());
        assertEquals(1.0, metrics.counted("switch_malformed_input", "reason", Malformation.EMPTY_FRAME.tag()));
        metrics.close();
    }

    /** A terminal connection's inbound pipeline as the listener builds it (no security handlers), 4096-byte frames. */
    private static EmbeddedChannel terminal(SwitchMetrics metrics, List<String> handedOn) {
        return new EmbeddedChannel(IsoMessageDecoder.lengthDecoder(4096), IsoMessageEncoder.lengthPrepender(),
                new IsoMessageDecoder(ISO87), new IsoMessageEncoder(ISO87), new TerminalClassifier(Dialect.ISO87),
                new TerminalHandler(Dialect.ISO87, metrics, (req, channel) -> handedOn.add(req.messageClass() + " " + req.stan())));
    }

    /** Everything written to the channel's socket side so far, in order (the prepender writes length and body apart). */
    private static byte[] written(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            all.writeBytes(b);
            b.release();
        }
        byte[] out = new byte[all.readableBytes()];
        all.readBytes(out);
        return out;
    }
}
