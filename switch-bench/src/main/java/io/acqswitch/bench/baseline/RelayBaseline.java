package io.acqswitch.bench.baseline;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling: a zero-logic relay. Each terminal connection gets one connection of its own to the
 * issuer, opened on the same event loop; whole frames (2-byte big-endian length prefix kept) are
 * piped both ways without being parsed. Whatever a switch does on top of this costs time.
 *
 * <pre>
 *   terminal ─▶ frameDecoder ─▶ pipe ─▶ issuer socket
 *   terminal ◀─ pipe ◀─ frameDecoder ◀─ issuer socket
 * </pre>
 *
 * <p>Lifecycle: {@link #start()} binds its 127.0.0.1 port (ephemeral unless given), {@link #close()}
 * stops. Its event loops are its own: one acceptor, Netty's default worker count.
 */
public final class RelayBaseline implements AutoCloseable {
    private static final int MAX_FRAME_BYTES = 8192;

    private final String issuerHost;
    private final int issuerPort;
    private final int listenPort;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel server;

    /** A relay on an ephemeral port. */
    public RelayBaseline(String issuerHost, int issuerPort) {
        this(issuerHost, issuerPort, 0);
    }

    /** @param listenPort the terminals' port on 127.0.0.1; 0 = ephemeral (see {@link #port()}) */
    public RelayBaseline(String issuerHost, int issuerPort, int listenPort) {
        this.issuerHost = issuerHost;
        this.issuerPort = issuerPort;
        this.listenPort = listenPort;
    }

    /** @throws InterruptedException when interrupted while binding */
    public RelayBaseline start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // until the issuer side is connected
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel terminal) {
                        terminal.pipeline()
                                .addLast("frameDecoder", frameDecoder())
                                .addLast("terminalPipe", new TerminalPipe(issuerHost, issuerPort));
                    }
                })
                .bind("127.0.0.1", listenPort).sync().channel();
        return this;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Frames kept whole, prefix included: the relay forwards exactly the bytes it read. */
    private static LengthFieldBasedFrameDecoder frameDecoder() {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 2, 0, 0);
    }

    /** Terminal side of one pair: connects its issuer side on activation, then forwards frames. */
    private static final class TerminalPipe extends ChannelInboundHandlerAdapter {
        private final String host;
        private final int port;
        private Channel issuer;

        TerminalPipe(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel terminal = ctx.channel();
            new Bootstrap().group(terminal.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("frameDecoder", frameDecoder()).addLast("issuerPipe", new Pipe(terminal));
                        }
                    })
                    .connect(host, port).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            issuer = f.channel();
                            terminal.config().setAutoRead(true);
                            terminal.read();
                        } else {
                            terminal.close();
                        }
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object frame) {
            issuer.writeAndFlush(frame, issuer.voidPromise());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (issuer != null) {
                issuer.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Issuer side of one pair: every frame goes back to the terminal it belongs to. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel terminal;

        Pipe(Channel terminal) {
            this.terminal = terminal;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object frame) {
            terminal.writeAndFlush((ByteBuf) frame, terminal.voidPromise());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            terminal.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
