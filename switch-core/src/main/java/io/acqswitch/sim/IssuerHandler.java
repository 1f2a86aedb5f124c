package io.acqswitch.sim;

import io.acqswitch.iso.IsoLog;
import io.acqswitch.iso.LogText;
import io.acqswitch.net.Inbound;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer connection: hands each request to the {@link StubProcessor}, in the order received,
 * writes its answer now or later on the channel's event loop (never blocking it), and applies the
 * connection-level faults. A request that stalls its connection ({@link StubRules#stallAmountSuffixes})
 * stops reading; it and the requests held behind it are handled, in order, once the stall ends. Not
 * sharable: it counts the messages received on its connection. Any error, and any frame that is not
 * a message, closes the connection.
 */
final class IssuerHandler extends SimpleChannelInboundHandler<Inbound> {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerHandler.class);

    private final String stubName;
    private final StubProcessor processor;
    private final Supplier<ActiveRules> rules;
    private int received;
    /** Requests read while the connection is stalled, the stalling one first: handled in order when it ends. */
    private final ArrayDeque<ISOMsg> held = new ArrayDeque<>();
    private boolean stalled;

    IssuerHandler(String stubName, StubProcessor processor, Supplier<ActiveRules> rules) {
        super(Inbound.class);
        this.stubName = stubName;
        this.processor = processor;
        this.rules = rules;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Inbound in) {
        if (in instanceof Inbound.Rejected r) { // a frame that is not a message: the stub closes the connection
            LOG.warn("{}: closing {}: {} ({})", stubName, ctx.channel().remoteAddress(), r.reason().tag(), LogText.escape(r.detail(), 300));
            ctx.close();
            return;
        }
        ISOMsg request = ((Inbound.Unpacked) in).message(); // the decoder hands on nothing else
        if (stalled) { // read before reading stopped (one read may carry several frames)
            held.add(request);
            return;
        }
        handleOrStall(ctx, request);
    }

    private void handleOrStall(ChannelHandlerContext ctx, ISOMsg request) {
        StubRules r = rules.get().rules();
        if (isFinancial(request) && r.stalls(request.getString(4))) {
            stalled = true;
            held.addFirst(request);
            ctx.channel().config().setAutoRead(false);
            LOG.info("{}: {} stalls {} for {} ms", stubName, IsoLog.describe(request), ctx.channel().remoteAddress(), r.stallMs());
            ctx.channel().eventLoop().schedule(() -> endStall(ctx), r.stallMs(), TimeUnit.MILLISECONDS);
            return;
        }
        handle(ctx, request);
    }

    /** The stall is over: the stalling request, then those held behind it (one of which may stall again). */
    private void endStall(ChannelHandlerContext ctx) {
        stalled = false;
        if (!ctx.channel().isActive()) {
            held.clear();
            return;
        }
        handle(ctx, held.poll());
        while (!stalled && !held.isEmpty() && ctx.channel().isActive()) {
            handleOrStall(ctx, held.poll());
        }
        if (!stalled) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static boolean isFinancial(ISOMsg m) {
        String mti = m.getString(0);
        return mti != null && mti.length() == 4 && (mti.startsWith("01") || mti.startsWith("02"));
    }

    private void handle(ChannelHandlerContext ctx, ISOMsg request) {
        received++;
        int dropAfter = rules.get().rules().dropConnectionAfter();
        StubProcessor.Reply reply = processor.handle(request);
        LOG.debug("{} < {} -> {}", stubName, IsoLog.describe(request), IsoLog.describe(reply.answer()));
        if (dropAfter > 0 && received >= dropAfter) {
            LOG.info("{}: closing {} after {} messages (dropConnectionAfter)", stubName, ctx.channel().remoteAddress(), received);
            ctx.close();
            return;
        }
        if (reply.answer() == null) {
            return;
        }
        Channel ch = ctx.channel();
        if (reply.delayMs() <= 0) {
            write(ch, reply.answer());
        } else {
            ch.eventLoop().schedule(() -> write(ch, reply.answer()), reply.delayMs(), TimeUnit.MILLISECONDS);
        }
    }

    private static void write(Channel ch, ISOMsg answer) {
        if (ch.isActive()) {
            ch.writeAndFlush(answer).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("{}: closing {}: {}", stubName, ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
