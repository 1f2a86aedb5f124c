package io.acqswitch.net;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.Validator;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.pipeline.Outbox;
import io.acqswitch.pipeline.ReplyAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The owner's end of the links between nodes (docs/cluster.md, "Requests at the wrong node"): it
 * accepts requests other nodes forward, hands each to the ring as if its own terminal had sent it
 * (a {@link PeerReply} as its reply address), and sends the answer back on the same link. The
 * forwarding node reports whether the terminal's connection took an approval; that report
 * completes the outbox's write promise, so the processor learns the delivery outcome exactly as for
 * a local terminal, and an approval never confirmed (the link closed first) counts as undelivered.
 * Until {@link #serve} (the ring not running yet) every request is refused: the sender answers 91.
 */
public final class PeerServer implements AutoCloseable {
    private static final ThrottledLog REFUSALS = new ThrottledLog(LoggerFactory.getLogger(PeerServer.class), Level.WARN, 10_000);
    /** Longest frame on a link: the 2-byte length's limit. */
    static final int MAX_FRAME = 65_535 + 2;

    private final String host;
    private final int port;
    private final int nodeId;
    private final Map<String, IsoCodec> codecs;
    private final SwitchMetrics metrics;
    private final ServerBootstrap bootstrap;
    private final PeerFrame.Codec frames = new PeerFrame.Codec();
    private volatile TerminalRequestSink sink;
    private Channel serverChannel;

    /**
     * A request forwarded by another node, as the processor addresses its answers: the link, and the
     * forwarding node's number for it. The answer is packed here with the codec of the terminal's listener.
     */
    record PeerReply(Channel channel, long correlation, IsoCodec codec) implements ReplyAddress {
        @Override
        public Object envelope(Object answer) {
            return new Addressed(correlation, codec, answer);
        }
    }

    /** An answer on its way to a terminal of another node. */
    private record Addressed(long correlation, IsoCodec codec, Object answer) {}

    /**
     * @param hostPort {@code cluster.peerListen}: bound, and advertised with the port bound
     * @param codecs   the codec of every terminal listener by name: a forwarded request names its listener
     */
    public PeerServer(String hostPort, int nodeId, Map<String, IsoCodec> codecs, SwitchMetrics metrics, EventLoopGroup boss,
                      EventLoopGroup workers) {
        int colon = hostPort.lastIndexOf(':');
        this.host = hostPort.substring(0, colon);
        this.port = Integer.parseInt(hostPort.substring(colon + 1));
        this.nodeId = nodeId;
        this.codecs = Map.copyOf(codecs);
        this.metrics = metrics;
        this.bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(MAX_FRAME))
                                .addLast("frameEncoder", IsoMessageEncoder.lengthPrepender())
                                .addLast("peerFrames", frames)
                                .addLast("owner", new Owner());
                    }
                });
    }

    /** Binds; returns once listening. @throws IOException when it cannot listen */
    public PeerServer start() throws IOException, InterruptedException {
        serverChannel = ServerSockets.bind(bootstrap, host, port);
        return this;
    }

    /** {@code host:port} the other nodes reach this one on (the port bound, when configured as 0). */
    public String advertised() {
        return host + ":" + ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** From now on forwarded requests go to {@code sink} (the ring's hand-off). */
    public void serve(TerminalRequestSink sink) {
        this.sink = sink;
    }

    @Override
    public void close() {
        sink = null;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** One link from a forwarding node; its state is touched on the link's event loop only. */
    private final class Owner extends ChannelDuplexHandler {
        /** Correlation → the outbox's promise of an approval whose delivery the forwarding node is to confirm. */
        private final Map<Long, ChannelPromise> awaiting = new HashMap<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            PeerFrame f = (PeerFrame) msg;
            switch (f.kind()) {
                case PeerFrame.REQUEST -> request(ctx, f);
                case PeerFrame.DELIVERY -> {
                    ChannelPromise p = awaiting.remove(f.correlation());
                    if (p != null && f.flag()) {
                        p.trySuccess();
                    } else if (p != null) {
                        p.tryFailure(new IOException("node " + f.node() + ": the terminal's connection did not take the answer"));
                    }
                }
                default -> throw new IllegalStateException("a node link frame of kind " + (char) f.kind() + " from node " + f.node());
            }
        }

        private void request(ChannelHandlerContext ctx, PeerFrame f) {
            TerminalRequestSink to = sink;
            IsoCodec codec = codecs.get(f.listener());
            String refused = to == null ? "not serving yet" : codec == null ? "no terminal listener named " + f.listener() : null;
            TerminalRequest req = null;
            if (refused == null) {
                ISOMsg m = new ISOMsg();
                try {
                    codec.unpack(f.body(), m);
                    MessageClass cls = Classifier.classify(m, codec.dialect());
                    Validator.Problem problem = Validator.check(m, cls, codec.dialect());
                    if (problem != null) {
                        refused = problem.reason().tag();
                    } else {
                        req = TerminalRequest.of(m, cls, codec.dialect());
                    }
                } catch (ISOException e) {
                    refused = "does not unpack";
                }
            }
            if (req == null) {
                REFUSALS.log("refused", "a request forwarded by node {} refused: {}", f.node(), refused);
                metrics.count("switch_cluster_peer_requests", "result", "refused");
                ctx.writeAndFlush(PeerFrame.refused(nodeId, f.correlation()), ctx.voidPromise());
                return;
            }
            metrics.count("switch_cluster_peer_requests", "result", "accepted");
            to.accept(req, new PeerReply(ctx.channel(), f.correlation(), codec));
        }

        /** An answer from the outbox (or the hand-off): packed, and, when its delivery matters, awaited. */
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof Addressed a)) {
                ctx.write(msg, promise);
                return;
            }
            byte[] body;
            try {
                Object made = Outbox.made(a.answer());
                body = made instanceof byte[] b ? b : a.codec().pack((ISOMsg) made);
            } catch (ISOException | RuntimeException e) {
                promise.tryFailure(e); // not sent: an approval counts as undelivered
                return;
            }
            boolean tracked = !promise.isVoid();
            if (!tracked) {
                ctx.write(PeerFrame.answer(nodeId, a.correlation(), false, body), promise);
                return;
            }
            awaiting.put(a.correlation(), promise);
            ctx.write(PeerFrame.answer(nodeId, a.correlation(), true, body)).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    ChannelPromise p = awaiting.remove(a.correlation());
                    if (p != null) {
                        p.tryFailure(w.cause());
                    }
                }
            });
        }

        /** The link is gone: no approval still awaited was confirmed, so each counts as undelivered (and is reversed). */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            IOException gone = new IOException("the link to the forwarding node closed before it confirmed the delivery");
            for (ChannelPromise p : List.copyOf(awaiting.values())) {
                p.tryFailure(gone);
            }
            awaiting.clear();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            REFUSALS.log("link", "a node link from {} failed; closing it: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
