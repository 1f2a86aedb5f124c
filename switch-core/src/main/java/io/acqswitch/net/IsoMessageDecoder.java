package io.acqswitch.net;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.Validator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Turns one frame body into an {@link Inbound}: unpack with the listener's packager (a dialect's
 * header, e.g. cup's TPDU + header, is kept on the message), classify, validate. A frame no longer
 * than the dialect's header carries no message: rejected as {@link Malformation#SHORT_FRAME}
 * (the connection is closed). Stateless, hence shared by every connection of a listener.
 */
@Sharable
final class IsoMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final IsoCodec codec;

    IsoMessageDecoder(IsoCodec codec) {
        super(ByteBuf.class);
        this.codec = codec;
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
        MessageClass cls = Classifier.classify(msg, codec.dialect());
        Validator.Problem problem = Validator.check(msg, cls, codec.dialect());
        if (problem != null) {
            out.add(new Inbound.Rejected(problem.reason(), problem.toString(), msg));
            return;
        }
        out.add(new Inbound.Accepted(TerminalRequest.of(msg, cls, codec.dialect()), bytes));
    }
}
