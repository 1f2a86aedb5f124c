package io.acqswitch.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches the byte stream ahead of the frame decoder and tells {@link TerminalHandler} (a
 * {@link #FRAME_TIMEOUT} user event) when a frame, its 2-byte length prefix and body, is not complete
 * within the timeout of its first byte. The idle timeout only sees silence, so a peer that sends one
 * byte every few seconds would otherwise hold the connection (and its partial frame) for ever.
 *
 * <p>It follows the framing the frame decoder uses (2-byte big-endian length, then that many bytes)
 * by counting, never copying, and passes every buffer on untouched. One timer at a time: it is set
 * at a frame's first byte and, when it fires, re-set for whatever is left of the frame then in
 * progress, so a connection answering thousands of frames a second schedules a task per timeout,
 * not per frame. While the switch itself has stopped reading (a slow reader's back-pressure), the
 * frame's clock is restarted: the delay is not the peer's. One instance per connection; event-loop
 * thread only.
 */
final class FrameTimeoutHandler extends ChannelInboundHandlerAdapter {
    /** The user event fired when a frame has taken too long; the terminal handler counts it and closes. */
    static final Object FRAME_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "FRAME_TIMEOUT";
        }
    };

    private final long timeoutNanos;
    /** Length-prefix bytes of the current frame seen so far (0, 1 or 2). */
    private int prefixSeen;
    private int prefixHigh;
    /** Body bytes of the current frame still to come, once its prefix is complete. */
    private int remaining;
    private boolean inFrame;
    private long frameStartedAt;
    private ScheduledFuture<?> timer;

    FrameTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            follow(ctx, buf);
        }
        ctx.fireChannelRead(msg);
    }

    private void follow(ChannelHandlerContext ctx, ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        long now = 0;
        while (i < end) {
            if (!inFrame) {
                inFrame = true;
                prefixSeen = 0;
                frameStartedAt = now == 0 ? (now = System.nanoTime()) : now;
                arm(ctx, timeoutNanos);
            }
            if (prefixSeen < 2) {
                int b = buf.getUnsignedByte(i++);
                if (prefixSeen++ == 0) {
                    prefixHigh = b;
                } else {
                    remaining = prefixHigh << 8 | b;
                    inFrame = remaining > 0; // a zero length is a whole (empty) frame: the decoder rejects it
                }
                continue;
            }
            int take = Math.min(remaining, end - i);
            i += take;
            remaining -= take;
            inFrame = remaining > 0;
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!inFrame || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (!ctx.channel().config().isAutoRead()) {
            frameStartedAt = now; // the switch is not reading (back-pressure): the frame's clock starts again
        }
        long left = frameStartedAt + timeoutNanos - now;
        if (left > 0) {
            arm(ctx, left);
            return;
        }
        ctx.fireUserEventTriggered(FRAME_TIMEOUT);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
