package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.IsoLog;
import io.acqswitch.iso.TransmissionTime;
import io.acqswitch.iso.LogText;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One long-lived TCP connection to one issuer host. Signs on (0800, 70 = 001) when connected and
 * is {@link LinkState#UP} only once the sign-on is approved; echoes (70 = 301) when idle and drops
 * the connection when an echo goes unanswered; reconnects with capped exponential backoff.
 * Carries many outstanding requests, bounded by {@code maxOutstanding}.
 *
 * <p>Thread-safety: {@link #send} runs on the processor thread (it queues the request in the
 * gateway's outbox); everything else runs on the link's event loop.
 */
final class IssuerLink {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerLink.class);
    /** One line per link per minute: a wrong certificate fails every reconnect. */
    private static final ThrottledLog TLS_FAILURES = new ThrottledLog(LOG, Level.WARN, 60_000);
    private static final String SIGN_ON = "001";
    private static final String ECHO = "301";

    private final String name;
    private final int issuer;
    private final String host;
    private final int port;
    private final SwitchConfig.Issuer cfg;
    /** The longest frame from an issuer, its 2-byte length included (bodies up to 65 533 bytes). */
    private static final int MAX_FRAME_BYTES = 65_535;
    private final IsoCodec codec;
    private final IsoMessageDecoder isoDecoder;
    private final IssuerResponseSink sink;
    private final SwitchMetrics metrics;
    private final io.acqswitch.security.KeyService keys;
    private final SslContext tls;
    private final Bootstrap bootstrap;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger stan = new AtomicInteger();
    private volatile LinkState state = LinkState.DOWN;
    private volatile Channel channel;
    private long backoffMillis;
    private boolean echoPending;

    /**
     * @param keys the security module for PIN translation, or null for none (PIN blocks go as they came)
     * @param tls  the issuer's TLS context ({@link TlsContexts#client}), or null for plain TCP
     */
    IssuerLink(String name, int issuer, String hostPort, SwitchConfig.Issuer cfg, IsoCodec codec,
               IssuerResponseSink sink, SwitchMetrics metrics, EventLoopGroup group, io.acqswitch.security.KeyService keys,
               SslContext tls) {
        this.name = name;
        this.issuer = issuer;
        int colon = hostPort.lastIndexOf(':');
        this.host = hostPort.substring(0, colon);
        this.port = Integer.parseInt(hostPort.substring(colon + 1));
        this.cfg = cfg;
        this.codec = codec;
        this.isoDecoder = new IsoMessageDecoder(codec);
        this.sink = sink;
        this.metrics = metrics;
        this.keys = keys;
        this.tls = tls;
        this.backoffMillis = cfg.reconnectMin().toMillis();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new Initializer());
    }

    LinkState state() {
        return state;
    }

    int outstanding() {
        return outstanding.get();
    }

    String name() {
        return name;
    }

    void connect() {
        if (state == LinkState.CLOSED) {
            return;
        }
        state = LinkState.CONNECTING;
        bootstrap.connect(host, port).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.debug("issuer link {} connect failed: {}", name, f.cause().toString());
                lost(null);
            }
        });
    }

    /**
     * Sends a request if the link is up and below its outstanding limit.
     *
     * @return false (nothing sent) when the link is not up or is full
     */
    boolean send(ISOMsg request, io.acqswitch.pipeline.Outbox outbox) {
        Channel ch = channel;
        if (state != LinkState.UP || ch == null) {
            return false;
        }
        if (outstanding.incrementAndGet() > cfg.maxOutstanding()) {
            outstanding.decrementAndGet();
            return false;
        }
        outbox.write(ch, request, null); // written on the link's event loop when the ring batch ends
        return true;
    }

    /** A request sent on this link will get no answer any more (its deadline passed). */
    void abandon() {
        outstanding.updateAndGet(n -> n > 0 ? n - 1 : 0);
    }

    void close() {
        state = LinkState.CLOSED;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private void lost(Channel ch) {
        if (ch != null && ch != channel) {
            return;
        }
        boolean wasUp = state == LinkState.UP;
        channel = null;
        outstanding.set(0);
        if (state == LinkState.CLOSED) {
            return;
        }
        state = LinkState.DOWN;
        if (wasUp) {
            LOG.warn("issuer link {} down; reconnecting", name);
            metrics.issuerLinkDown(cfg.id());
        }
        long delay = backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, cfg.reconnectMax().toMillis());
        metrics.issuerReconnect(cfg.id());
        bootstrap.config().group().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private ISOMsg networkManagement(String code) {
        ISOMsg m = new ISOMsg("0800");
        m.set(7, TransmissionTime.now());
        m.set(11, String.format("%06d", stan.updateAndGet(n -> n >= 999_999 ? 1 : n + 1)));
        m.set(70, code);
        return m;
    }

    private final class Initializer extends ChannelInitializer<SocketChannel> {
        @Override
        protected void initChannel(SocketChannel ch) {
            if (tls != null) {
                // the sign-on written at channelActive waits in the handler until the handshake is done
                ch.pipeline()
                        .addLast("tls", TlsContexts.clientHandler(tls, ch, host, port, cfg.timeout()))
                        .addLast("tlsGate", new TlsGate((failure, ctx, detail) -> {
                            metrics.issuerTlsFailure(cfg.id());
                            TLS_FAILURES.log(name, "issuer link {} TLS handshake failed ({}): {}; reconnecting", name,
                                    failure.tag(), LogText.escape(detail, 300));
                        }));
            }
            ch.pipeline()
                    .addLast("idle", new IdleStateHandler(0, 0, cfg.echoInterval().toMillis(), TimeUnit.MILLISECONDS))
                    .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(MAX_FRAME_BYTES))
                    .addLast("frameEncoder", IsoMessageEncoder.lengthPrepender())
                    .addLast("isoDecoder", isoDecoder)
                    .addLast("isoEncoder", new IsoMessageEncoder(codec));
            if (keys != null) {
                ch.pipeline().addLast("pinTranslator", new PinTranslator(keys, cfg.id(), metrics, IssuerLink.this::answerInIssuersStead));
            }
            ch.pipeline().addLast("linkHandler", new Handler());
        }
    }

    /**
     * A request that could not be sent after all (its PIN block would not translate): answered 96 as
     * if by the issuer, on this link's event loop, so the processor declines it like any issuer 96.
     */
    private void answerInIssuersStead(ISOMsg request) {
        outstanding.updateAndGet(n -> n > 0 ? n - 1 : 0);
        ISOMsg answer = io.acqswitch.iso.Responses.answer(request, io.acqswitch.iso.ResponseCode.SYSTEM_MALFUNCTION);
        if (answer != null) {
            sink.onIssuerResponse(issuer, answer);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Inbound> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            state = LinkState.SIGNING_ON;
            echoPending = false;
            ctx.writeAndFlush(networkManagement(SIGN_ON));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Inbound in) {
            if (in instanceof Inbound.Rejected r) {
                metrics.issuerMalformed(cfg.id());
                LOG.warn("issuer link {} sent a message that does not unpack ({}): {}", name, LogText.escape(r.detail(), 300),
                        IsoLog.describe(r.partial()));
                return;
            }
            ISOMsg msg = ((Inbound.Unpacked) in).message(); // the decoder hands on nothing else
            if ("0810".equals(msg.getString(0))) {
                networkAnswer(msg);
                return;
            }
            outstanding.updateAndGet(n -> n > 0 ? n - 1 : 0);
            sink.onIssuerResponse(issuer, msg);
        }

        private void networkAnswer(ISOMsg msg) {
            echoPending = false;
            if (SIGN_ON.equals(msg.getString(70)) && state == LinkState.SIGNING_ON) {
                if ("00".equals(msg.getString(39))) {
                    state = LinkState.UP;
                    backoffMillis = cfg.reconnectMin().toMillis();
                    metrics.issuerSignOn(cfg.id());
                    metrics.issuerLinkUp(cfg.id());
                    LOG.info("issuer link {} up (signed on)", name);
                } else {
                    LOG.warn("issuer link {} sign-on refused with 39={}; reconnecting", name, msg.getString(39));
                    channel.close();
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof IdleStateEvent)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            if (echoPending) {
                metrics.issuerEchoFailure(cfg.id());
                LOG.warn("issuer link {} did not answer an echo; dropping the connection", name);
                ctx.close();
                return;
            }
            echoPending = true;
            ctx.writeAndFlush(networkManagement(ECHO));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("issuer link {} failed: {}", name, cause.toString());
            ctx.close();
        }
    }
}
