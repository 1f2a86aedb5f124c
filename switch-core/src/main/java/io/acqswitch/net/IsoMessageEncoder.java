package io.acqswitch.net;

import io.acqswitch.iso.IsoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Packs outbound {@link ISOMsg}s with the listener's packager; pre-packed {@code byte[]} bodies
 * (replayed responses) pass through as they are. Stateless.
 */
@Sharable
public final class IsoMessageEncoder extends MessageToByteEncoder<Object> {
    private final IsoCodec codec;

    public IsoMessageEncoder(IsoCodec codec) {
        this.codec = codec;
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
