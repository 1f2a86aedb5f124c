package io.acqswitch.net;

import io.acqswitch.iso.IsoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.MessageToByteEncoder;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Packs outbound {@link ISOMsg}s with the side's packager; pre-packed {@code byte[]} bodies
 * (replayed responses) pass through as they are. Stateless. In front of the socket,
 * {@link #lengthPrepender} writes each body's 2-byte length (the framing of {@link IsoMessageDecoder}).
 */
@Sharable
public final class IsoMessageEncoder extends MessageToByteEncoder<Object> {
    private static final LengthFieldPrepender LENGTH_PREPENDER = new LengthFieldPrepender(2);
    private final IsoCodec codec;

    public IsoMessageEncoder(IsoCodec codec) {
        this.codec = codec;
    }

    /** The frame encoder: the body's length as 2 bytes, big-endian, before it (shared: it is stateless). */
    public static LengthFieldPrepender lengthPrepender() {
        return LENGTH_PREPENDER;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof ISOMsg || msg instanceof byte[];
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) throws ISOException {
        out.writeBytes(msg instanceof byte[] b ? b : codec.pack((ISOMsg) msg));
    }
}
