package io.acqswitch.net;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.pipeline.ReplyAddress;
import io.micrometer.core.instrument.Counter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jpos.iso.ISOException;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The forwarding end of the links between nodes (docs/cluster.md, "Requests at the wrong node"):
 * a request of a partition another node owns goes to that node over one link per owner (opened on
 * first use, again after it closes); the owner's answer is written on the terminal's connection,
 * which never moves, and for an approval the write's outcome goes back to the owner, which
 * reverses an approval the terminal did not get. A request that gets no answer (the owner
 * unreachable or refusing, the link lost, no answer within the bound) is answered 91 here, counted
 * in {@code switch_cluster_forward_failures}; a late answer to it is reported undelivered, so the
 * owner reverses whatever it approved. Thread-safe: {@link #forward} runs on the processor's
 * thread, everything else on the links' event loops.
 */
public final class PeerLinks implements AutoCloseable {
    private static final ThrottledLog FAILURES = new ThrottledLog(LoggerFactory.getLogger(PeerLinks.class), Level.WARN, 10_000);
    private static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("acqswitch.peerConnection");

    private final int nodeId;
    private final SwitchMetrics metrics;
    private final Duration answerTimeout;
    private final Counter forwarded;
    private final Bootstrap bootstrap;
    private final PeerFrame.Codec frames = new PeerFrame.Codec();
    private final Map<String, Connection> links = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private volatile boolean closed;

    /** A request handed to an owner and not yet answered. */
    private record Forwarded(TerminalRequest request, ReplyAddress terminal, ScheduledFuture<?> timeout) {}

    /** One connection to an owner, and the requests it carries. */
    private final class Connection {
        final String address;
        final Map<Long, Forwarded> pending = new ConcurrentHashMap<>();
        final ChannelFuture connected;

        /** Opens the link; its close answers 91 whatever still waits on it. */
        Connection(String address) {
            this.address = address;
            int colon = address.lastIndexOf(':');
            connected = bootstrap.clone().attr(CONNECTION, this)
                    .connect(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            connected.channel().closeFuture().addListener(f -> {
                links.remove(address, this);
                String reason = connected.isSuccess() ? "link_lost" : "unreachable";
                for (Long correlation : List.copyOf(pending.keySet())) {
                    fail(correlation, reason);
                }
            });
        }

        /** The request of {@code correlation} is answered 91 here, if it still waits. */
        void fail(long correlation, String reason) {
            Forwarded f = pending.remove(correlation);
            if (f == null) {
                return;
            }
            f.timeout().cancel(false);
            metrics.count("switch_cluster_forward_failures", "reason", reason);
            FAILURES.log(reason, "a request forwarded to the owner at {} answered 91 here ({}): {}", address, reason, f.request());
            Channel t = f.terminal().channel();
            t.writeAndFlush(Responses.answer(f.request().message(), ResponseCode.ISSUER_INOPERATIVE), t.voidPromise());
            metrics.response(f.request().messageClass(), ResponseCode.ISSUER_INOPERATIVE);
        }
    }

    /** @param answerTimeout how long a forwarded request waits for its owner's answer before it is answered 91 here */
    public PeerLinks(int nodeId, SwitchMetrics metrics, EventLoopGroup workers, Duration answerTimeout) {
        this.nodeId = nodeId;
        this.metrics = metrics;
        this.answerTimeout = answerTimeout;
        this.forwarded = Counter.builder("switch_cluster_forwarded")
                .description("Requests forwarded to the node that owns their partition").register(metrics.registry());
        this.bootstrap = new Bootstrap()
                .group(workers)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(PeerServer.MAX_FRAME))
                                .addLast("frameEncoder", IsoMessageEncoder.lengthPrepender())
                                .addLast("peerFrames", frames)
                                .addLast("forwarder", new Answers());
                    }
                });
    }

    /**
     * Hands {@code req} to the node at {@code owner}; never waits (the link is opened, and the
     * request packed and written, on the link's event loop).
     *
     * @return false when {@code req} came from another node already (it does not travel twice: the
     *         caller answers 91) or from no terminal listener
     */
    public boolean forward(TerminalRequest req, ReplyAddress terminal, String owner) {
        String listener = terminal instanceof PeerServer.PeerReply ? null
                : terminal.channel().attr(TerminalChannelInitializer.LISTENER).get();
        if (listener == null || closed) {
            return false;
        }
        Connection c = link(owner);
        Channel ch = c.connected.channel();
        long correlation = correlations.incrementAndGet();
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> c.fail(correlation, "timeout"), answerTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        c.pending.put(correlation, new Forwarded(req, terminal, timeout));
        forwarded.increment();
        c.connected.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                c.fail(correlation, "unreachable");
                return;
            }
            byte[] body;
            try {
                body = req.message().pack(); // with the packager of the listener it came in on
            } catch (ISOException e) {
                c.fail(correlation, "unpackable");
                return;
            }
            ch.writeAndFlush(PeerFrame.request(nodeId, correlation, listener, body)).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    c.fail(correlation, "link_lost");
                }
            });
        });
        if (ch.closeFuture().isDone()) { // closed before the request was recorded: its close listener missed it
            ch.eventLoop().execute(() -> c.fail(correlation, "link_lost"));
        }
        return true;
    }

    /** The link to {@code owner}: the open one, or a new one when there is none or it closed. */
    private Connection link(String owner) {
        Connection c = links.get(owner);
        if (c != null && !c.connected.channel().closeFuture().isDone()) {
            return c;
        }
        if (c != null) {
            links.remove(owner, c);
        }
        Connection fresh = new Connection(owner);
        Connection earlier = links.putIfAbsent(owner, fresh);
        if (earlier == null) {
            return fresh;
        }
        fresh.connected.channel().close(); // another thread opened one meanwhile
        return earlier;
    }

    /** Each owner's address this node has a link to, {@code up} or {@code connecting} ({@code /health}); any thread. */
    public Map<String, String> health() {
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<String, Connection> e : new TreeMap<>(links).entrySet()) {
            h.put(e.getKey(), e.getValue().connected.channel().isActive() ? "up" : "connecting");
        }
        return h;
    }

    /** Closes every link: requests still waiting are answered 91. */
    @Override
    public void close() {
        closed = true;
        for (Connection c : List.copyOf(links.values())) {
            c.connected.channel().close().syncUninterruptibly();
        }
    }

    /** Owners' frames on one link: answers written to their terminals, refusals answered 91. Event loop. */
    private final class Answers extends SimpleChannelInboundHandler<PeerFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PeerFrame f) {
            Connection c = ctx.channel().attr(CONNECTION).get();
            switch (f.kind()) {
                case PeerFrame.ANSWER -> answer(ctx.channel(), c, f);
                case PeerFrame.REFUSED -> c.fail(f.correlation(), "refused");
                default -> throw new IllegalStateException("a node link frame of kind " + (char) f.kind() + " from node " + f.node());
            }
        }

        private void answer(Channel link, Connection c, PeerFrame f) {
            Forwarded waiting = c.pending.remove(f.correlation());
            if (waiting == null) { // answered 91 here already: the terminal never gets this one
                if (f.flag()) {
                    link.writeAndFlush(PeerFrame.delivery(nodeId, f.correlation(), false), link.voidPromise());
                }
                return;
            }
            waiting.timeout().cancel(false);
            Channel t = waiting.terminal().channel();
            if (!f.flag()) {
                t.writeAndFlush(f.body(), t.voidPromise());
                return;
            }
            t.writeAndFlush(f.body()).addListener((ChannelFutureListener) w -> link.writeAndFlush(
                    PeerFrame.delivery(nodeId, f.correlation(), w.isSuccess()), link.voidPromise()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            FAILURES.log("link", "the node link to {} failed; closing it: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
