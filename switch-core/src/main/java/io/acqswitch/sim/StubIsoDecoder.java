package io.acqswitch.sim;

import io.acqswitch.iso.IsoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Unpacks one frame body into an {@link ISOMsg}. A body that does not unpack raises
 * {@link CorruptedFrameException}, on which the stub closes the connection. Stateless, shared.
 */
@Sharable
final class StubIsoDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final IsoCodec codec;

    StubIsoDecoder(IsoCodec codec) {
        super(ByteBuf.class);
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (!frame.isReadable()) {
            throw new CorruptedFrameException("empty frame");
        }
        ISOMsg msg = codec.newMessage(null);
        try {
            codec.unpack(ByteBufUtil.getBytes(frame), msg);
        } catch (ISOException e) {
            throw new CorruptedFrameException("message does not unpack: " + e.getMessage(), e);
        }
        out.add(msg);
    }
}
