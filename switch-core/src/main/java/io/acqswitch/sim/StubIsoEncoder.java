package io.acqswitch.sim;

import io.acqswitch.iso.IsoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/** Packs the stub's answers. Stateless, shared. */
@Sharable
final class StubIsoEncoder extends MessageToByteEncoder<ISOMsg> {
    private final IsoCodec codec;

    StubIsoEncoder(IsoCodec codec) {
        super(ISOMsg.class);
        this.codec = codec;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ISOMsg msg, ByteBuf out) throws ISOException {
        out.writeBytes(codec.pack(msg));
    }
}
