package io.acqswitch.net;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.Validator;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * A terminal's unpacked message ({@link Inbound.Unpacked}) classified and validated: an
 * {@link Inbound.Accepted} request, or an {@link Inbound.Rejected} naming the problem. Rejections of
 * the decoder pass through. Stateless, shared by every connection of a listener.
 */
@Sharable
final class TerminalClassifier extends MessageToMessageDecoder<Inbound.Unpacked> {
    private final Dialect dialect;

    TerminalClassifier(Dialect dialect) {
        super(Inbound.Unpacked.class);
        this.dialect = dialect;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Inbound.Unpacked in, List<Object> out) {
        MessageClass cls = Classifier.classify(in.message(), dialect);
        Validator.Problem problem = Validator.check(in.message(), cls, dialect);
        out.add(problem != null
                ? new Inbound.Rejected(problem.reason(), problem.toString(), in.message())
                : new Inbound.Accepted(TerminalRequest.of(in.message(), cls, dialect), in.body()));
    }
}
