package io.acqswitch.sim;

import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.LogText;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.net.IsoMessageDecoder;
import io.acqswitch.net.IsoMessageEncoder;
import io.acqswitch.net.TlsGate;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Builds an issuer stub connection's pipeline:
 * <pre>
 *   in:  [tls ─▶ tlsGate ─▶] frameDecoder (2-byte length, hard max) ─▶ isoDecoder (unpack) ─▶ issuerHandler
 *   out: frameEncoder (2-byte length) ◀─ isoEncoder (pack) ◀─ answers from issuerHandler
 * </pre>
 * With {@code refuseConnections} in force a new connection is closed before any handler is added.
 * A stub serving TLS starts with {@code tls} (TLS 1.3); {@code tlsGate} logs and closes a failed handshake.
 */
final class IssuerChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_FRAME_BYTES = 8192;
    private static final ThrottledLog TLS_FAILURES = new ThrottledLog(LoggerFactory.getLogger(IssuerChannelInitializer.class),
            Level.WARN, 10_000);

    private final String stubName;
    private final StubProcessor processor;
    private final Supplier<ActiveRules> rules;
    private final IsoMessageDecoder isoDecoder;
    private final IsoMessageEncoder isoEncoder;
    private final SslContext tls;
    private final TlsGate tlsGate;

    /** @param tls the stub's TLS context, or null for plain TCP */
    IssuerChannelInitializer(String stubName, IsoCodec codec, StubProcessor processor, Supplier<ActiveRules> rules,
                             SslContext tls) {
        this.stubName = stubName;
        this.tls = tls;
        this.tlsGate = new TlsGate((failure, ctx, detail) -> TLS_FAILURES.log(failure.tag(),
                "{}: TLS handshake from {} failed ({}): {}", stubName, ctx.channel().remoteAddress(), failure.tag(),
                LogText.escape(detail, 300)));
        this.processor = processor;
        this.rules = rules;
        this.isoDecoder = new IsoMessageDecoder(codec);
        this.isoEncoder = new IsoMessageEncoder(codec);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (rules.get().rules().refuseConnections()) {
            ch.close();
            return;
        }
        if (tls != null) {
            ch.pipeline()
                    .addLast("tls", tls.newHandler(ch.alloc()))
                    .addLast("tlsGate", tlsGate);
        }
        ch.pipeline()
                .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(MAX_FRAME_BYTES))
                .addLast("frameEncoder", IsoMessageEncoder.lengthPrepender())
                .addLast("isoDecoder", isoDecoder)
                .addLast("isoEncoder", isoEncoder)
                .addLast("issuerHandler", new IssuerHandler(stubName, processor, rules));
    }
}
