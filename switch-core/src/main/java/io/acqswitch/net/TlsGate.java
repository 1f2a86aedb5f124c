package io.acqswitch.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Sits right after {@code tls} ({@code tlsGate}): a connection whose TLS handshake fails is reported
 * once with its {@link Failure}, and closed. TLS exceptions stop here: {@link NotSslRecordException}'s
 * message holds a hex dump of what the peer sent (it may be a plain-text card number), so no handler
 * further on ever logs it. A peer that closes in mid-handshake is not a failure (a port probe).
 * Stateless: {@code @Sharable}.
 */
@ChannelHandler.Sharable
public final class TlsGate extends ChannelInboundHandlerAdapter {
    /** Why a handshake failed; the lower-case name is the metrics tag {@code reason}. */
    public enum Failure {
        /** The peer's first bytes are no TLS record (a plain-text client on a TLS port). */
        NOT_TLS,
        /** The handshake did not finish within its time (the listener's {@code frameTimeout}). */
        TLS_HANDSHAKE_TIMEOUT,
        /** Anything else: no or an untrusted client certificate, no common cipher or version, a bad certificate. */
        TLS_HANDSHAKE_FAILED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Told of each failed handshake, on the connection's event loop. */
    @FunctionalInterface
    public interface Listener {
        /** @param detail why, free of anything the peer sent: fit for a log line */
        void failed(Failure failure, ChannelHandlerContext ctx, String detail);
    }

    private final Listener listener;

    public TlsGate(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            Throwable cause = done.cause();
            if (!(cause instanceof ClosedChannelException)) {
                Failure f = classify(cause);
                listener.failed(f, ctx, f == Failure.NOT_TLS ? "not a TLS record" : String.valueOf(cause.getMessage()));
            }
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable tlsCause = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tlsCause instanceof SSLException) {
            ctx.close(); // counted through the handshake's completion event, or a broken record after it
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    static Failure classify(Throwable cause) {
        if (cause instanceof NotSslRecordException) {
            return Failure.NOT_TLS;
        }
        if (cause instanceof SslHandshakeTimeoutException) {
            return Failure.TLS_HANDSHAKE_TIMEOUT;
        }
        return Failure.TLS_HANDSHAKE_FAILED;
    }
}
