package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.metrics.SwitchMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;

/** One terminal listener: a Netty server socket on the configured address and port. */
public final class TerminalServer implements AutoCloseable {
    private final SwitchConfig.Listener cfg;
    private final ServerBootstrap bootstrap;
    private Channel serverChannel;

    /** A plain-TCP listener. @throws IllegalArgumentException when {@code cfg} has {@code tls} (use the other constructor) */
    public TerminalServer(SwitchConfig.Listener cfg, IsoCodec codec, SwitchMetrics metrics, TerminalRequestSink sink,
                          TerminalSecurity security, EventLoopGroup boss, EventLoopGroup workers) {
        this(plain(cfg), codec, metrics, sink, security, null, boss, workers);
    }

    private static SwitchConfig.Listener plain(SwitchConfig.Listener cfg) {
        if (cfg.tls() != null) {
            throw new IllegalArgumentException("listener " + cfg.name() + " has tls: pass its context ("
                    + "TlsContexts.server) rather than serve it in clear");
        }
        return cfg;
    }

    /** @param tls the listener's context from {@link TlsContexts#server}, or null for plain TCP */
    public TerminalServer(SwitchConfig.Listener cfg, IsoCodec codec, SwitchMetrics metrics, TerminalRequestSink sink,
                          TerminalSecurity security, SslContext tls, EventLoopGroup boss, EventLoopGroup workers) {
        this.cfg = cfg;
        this.bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, TerminalHandler.KERNEL_SEND_BUFFER)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TerminalHandler.ANSWER_BACKLOG)
                .childHandler(new TerminalChannelInitializer(cfg, codec, metrics, sink, security, tls));
    }

    /**
     * Binds; returns once the socket is listening.
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     * @throws InterruptedException if interrupted while binding
     */
    public TerminalServer start() throws IOException, InterruptedException {
        serverChannel = ServerSockets.bind(bootstrap, cfg.bind(), cfg.port());
        return this;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public SwitchConfig.Listener config() {
        return cfg;
    }

    public boolean isBound() {
        return serverChannel != null && serverChannel.isActive();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
