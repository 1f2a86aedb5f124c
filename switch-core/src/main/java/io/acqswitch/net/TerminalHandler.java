package io.acqswitch.net;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoLog;
import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.LogText;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The last handler of a terminal connection: answers network management itself, answers rejected
 * input with 30 (or closes the connection when the message cannot be identified), and hands every
 * other request to the {@link TerminalRequestSink}. One instance per connection.
 */
final class TerminalHandler extends SimpleChannelInboundHandler<Inbound> {
    /**
     * Answers waiting for a terminal that does not read them: above 64 KiB (a few hundred answers)
     * the connection turns unwritable and the switch stops reading its requests (TCP pushes back on
     * the terminal); below 32 KiB it reads again. A peer that never drains is closed by the idle
     * timeout, which runs while nothing is read; its undelivered approvals are then reversed.
     */
    static final WriteBufferWaterMark ANSWER_BACKLOG = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /**
     * The kernel's send buffer per terminal connection (Linux doubles it): a terminal has a few
     * answers in flight at most, so this bounds what thousands of connections hold in the kernel
     * and lets the back-pressure above see a peer that stopped reading.
     */
    static final int KERNEL_SEND_BUFFER = 32 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TerminalHandler.class);
    private static final ThrottledLog REJECTIONS = new ThrottledLog(LOG, Level.WARN, 10_000);

    private final Dialect dialect;
    private final SwitchMetrics metrics;
    private final TerminalRequestSink sink;

    TerminalHandler(Dialect dialect, SwitchMetrics metrics, TerminalRequestSink sink) {
        this.dialect = dialect;
        this.metrics = metrics;
        this.sink = sink;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Inbound in) {
        switch (in) {
            case Inbound.Accepted a -> accepted(ctx, a.request());
            case Inbound.Rejected r -> rejected(ctx, r);
            case Inbound.Unpacked u -> throw new IllegalStateException("the classifier comes before this handler");
        }
    }

    private void accepted(ChannelHandlerContext ctx, TerminalRequest req) {
        metrics.request(req.messageClass());
        if (req.messageClass() == MessageClass.NETWORK_MANAGEMENT) {
            ISOMsg answer = NetworkManagement.answer(req);
            ctx.writeAndFlush(answer, ctx.voidPromise());
            metrics.response(req.messageClass(), answer.getString(39));
            return;
        }
        sink.accept(req, ctx.channel());
    }

    private void rejected(ChannelHandlerContext ctx, Inbound.Rejected r) {
        metrics.malformed(r.reason());
        rejected(r.reason(), ctx, r.detail() + " " + IsoLog.describe(r.partial()));
        ISOMsg partial = r.partial();
        ISOMsg answer = partial.hasField(11) ? Responses.answer(partial, ResponseCode.FORMAT_ERROR) : null;
        if (answer == null) {
            ctx.close();
            return;
        }
        metrics.response(Classifier.classify(partial, dialect), ResponseCode.FORMAT_ERROR);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (!writable) {
            metrics.malformed(Malformation.SLOW_READER);
            rejected(Malformation.SLOW_READER, ctx, "answers not read (over " + ANSWER_BACKLOG.high()
                    + " bytes waiting): reading its requests paused until it catches up");
        }
        ctx.channel().config().setAutoRead(writable);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            metrics.malformed(Malformation.IDLE_TIMEOUT);
            rejected(Malformation.IDLE_TIMEOUT, ctx, "no complete frame within the idle timeout");
            ctx.close();
            return;
        }
        if (evt == FrameTimeoutHandler.FRAME_TIMEOUT) {
            metrics.malformed(Malformation.FRAME_TIMEOUT);
            rejected(Malformation.FRAME_TIMEOUT, ctx, "a frame not complete within the frame timeout of its first byte");
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * @param detail must already be free of card data; it may hold text the terminal sent (an
     *               unpacker's complaint), so it is escaped and cut here
     */
    static void rejected(Malformation reason, ChannelHandlerContext ctx, String detail) {
        REJECTIONS.log(reason.tag(), "rejected terminal input reason={} remote={} detail={}", reason.tag(),
                ctx.channel().remoteAddress(), LogText.escape(detail, 2000));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            metrics.malformed(Malformation.FRAME_TOO_LONG);
            rejected(Malformation.FRAME_TOO_LONG, ctx, cause.getMessage());
        } else if (!(cause instanceof IOException)) {
            LOG.error("terminal connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
