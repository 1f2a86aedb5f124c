package io.acqswitch.net;

import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Malformation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * The one ISO 8583 frame decoder of every side: terminal listeners, issuer links and the issuer
 * stub. Every side frames alike (docs/wire.md):
 * <pre>
 *   +--------+--------------------------------------------+
 *   | length | body: [dialect header] MTI bitmap fields   |   length = 2 bytes, big-endian,
 *   +--------+--------------------------------------------+   counts the body only
 * </pre>
 * {@link #lengthDecoder} cuts the stream into bodies; this unpacks each with the side's packager
 * into an {@link Inbound.Unpacked} (a dialect's header, e.g. cup's TPDU + header, is kept on the
 * message) or an {@link Inbound.Rejected}: an empty body ({@link Malformation#EMPTY_FRAME}), a
 * body no longer than the dialect's header ({@link Malformation#SHORT_FRAME}) or one that does not
 * unpack ({@link Malformation#UNPACK_FAILED}). What a rejection leads to is each side's own choice
 * (the terminal handler answers 30 or closes, the issuer link counts and drops, the stub closes).
 * Stateless, hence shared by every connection of a listener, link or stub.
 */
@Sharable
public final class IsoMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final IsoCodec codec;

    public IsoMessageDecoder(IsoCodec codec) {
        super(ByteBuf.class);
        this.codec = codec;
    }

    /**
     * A new frame decoder for the 2-byte length prefix (one per connection: it holds a partial
     * frame); a frame longer than {@code maxFrameBytes}, its 2-byte length included, raises
     * {@code TooLongFrameException} as soon as its length is read, and its bytes are discarded.
     */
    public static LengthFieldBasedFrameDecoder lengthDecoder(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 2, 0, 2, true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (!frame.isReadable()) {
            out.add(new Inbound.Rejected(Malformation.EMPTY_FRAME, "length prefix 0", new ISOMsg()));
            return;
        }
        int headerLength = codec.dialect().headerLength();
        if (frame.readableBytes() <= headerLength) {
            out.add(new Inbound.Rejected(Malformation.SHORT_FRAME,
                    frame.readableBytes() + " bytes, header alone is " + headerLength, new ISOMsg()));
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(frame);
        ISOMsg msg = new ISOMsg();
        try {
            codec.unpack(bytes, msg);
        } catch (ISOException e) {
            out.add(new Inbound.Rejected(Malformation.UNPACK_FAILED, e.getMessage(), msg));
            return;
        }
        out.add(new Inbound.Unpacked(msg, bytes));
    }
}
