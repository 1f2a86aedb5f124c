package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Malformation;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Builds a terminal connection's pipeline:
 * <pre>
 *   in:  [tls ─▶ tlsGate ─▶] idle ─▶ frameTimeout ─▶ frameDecoder (2-byte length, hard max) ─▶ isoDecoder (unpack) ─▶ classifier (classify, validate) ─▶ terminalHandler
 *   out: frameEncoder (2-byte length) ◀─ isoEncoder (pack) ◀─ writes from terminalHandler or the processor
 * </pre>
 * A dialect with a header (cup: TPDU + header) is framed by the same handlers: the header is the
 * first bytes of the body, unpacked onto the message and packed back with the answer.
 * Connections over the listener's limit ({@code maxConnections}, counted per listener) are closed
 * before any handler is added. {@code idle} closes a silent connection; {@code frameTimeout} one
 * whose frame takes too long however its bytes trickle in.
 * {@link TerminalSecurity} then adds its two handlers (sign-on keys and MAC check in, MAC on answers out).
 * On a listener with {@code tls}, {@code tls} (TLS 1.3, handshake within {@code frameTimeout}) comes
 * first and everything after it sees clear bytes; {@code tlsGate} closes and counts a failed handshake
 * ({@code not_tls}, {@code tls_handshake_timeout}, {@code tls_handshake_failed}).
 */
final class TerminalChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final ThrottledLog FULL = new ThrottledLog(LoggerFactory.getLogger(TerminalChannelInitializer.class),
            Level.WARN, 10_000);
    /** The name of the listener a terminal connection came in on: a request forwarded to another node names it. */
    static final AttributeKey<String> LISTENER = AttributeKey.valueOf("acqswitch.listener");
    private final SwitchConfig.Listener cfg;
    private final IsoCodec codec;
    private final SwitchMetrics metrics;
    private final TerminalRequestSink sink;
    private final TerminalSecurity security;
    private final SslContext tls;
    private final TlsGate tlsGate;
    private final IsoMessageDecoder isoDecoder;
    private final TerminalClassifier classifier;
    private final IsoMessageEncoder isoEncoder;
    private final LengthFieldPrepender frameEncoder = IsoMessageEncoder.lengthPrepender();
    /** Connections of this listener open now (one initializer per listener). */
    private final AtomicInteger open = new AtomicInteger();

    /** @param tls the listener's TLS context, or null for plain TCP */
    TerminalChannelInitializer(SwitchConfig.Listener cfg, IsoCodec codec, SwitchMetrics metrics, TerminalRequestSink sink,
                               TerminalSecurity security, SslContext tls) {
        this.cfg = cfg;
        this.tls = tls;
        this.tlsGate = tls == null ? null : new TlsGate((failure, ctx, detail) -> {
            Malformation reason = Malformation.valueOf(failure.name());
            metrics.malformed(reason);
            TerminalHandler.rejected(reason, ctx, detail);
        });
        this.security = security;
        this.codec = codec;
        this.metrics = metrics;
        this.sink = sink;
        this.isoDecoder = new IsoMessageDecoder(codec);
        this.classifier = new TerminalClassifier(codec.dialect());
        this.isoEncoder = new IsoMessageEncoder(codec);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // this listener's own count: idle connections on one listener must not lock terminals out of another
        if (open.incrementAndGet() > cfg.maxConnections()) {
            open.decrementAndGet();
            metrics.malformed(Malformation.TOO_MANY_CONNECTIONS);
            metrics.connectionRejected();
            FULL.log("full-" + cfg.name(), "listener {} at maxConnections={}: closed a new connection from {}", cfg.name(),
                    cfg.maxConnections(), ch.remoteAddress());
            ch.close();
            return;
        }
        metrics.connectionOpened();
        ch.attr(LISTENER).set(cfg.name());
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            metrics.connectionClosed();
        });
        if (tls != null) {
            ch.pipeline()
                    .addLast("tls", TlsContexts.serverHandler(tls, ch, cfg.frameTimeout()))
                    .addLast("tlsGate", tlsGate);
        }
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(cfg.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frameTimeout", new FrameTimeoutHandler(cfg.frameTimeout()))
                .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(cfg.maxFrameBytes()))
                .addLast("frameEncoder", frameEncoder)
                .addLast("isoDecoder", isoDecoder)
                .addLast("classifier", classifier)
                .addLast("isoEncoder", isoEncoder)
                .addLast("terminalHandler", new TerminalHandler(codec.dialect(), metrics, sink));
        security.install(ch.pipeline(), codec, cfg);
    }
}
