package io.acqswitch.sim;

import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.net.ServerSockets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An issuer host simulator: answers {@code iso87} requests over TCP or TLS (2-byte big-endian length
 * framing) as its {@link StubRules} say, and records what it applied in its {@link Ledger}.
 *
 * <p>Lifecycle: construct, {@link #start()} (binds or throws), {@link #close()}. The rules can be
 * replaced at any time from any thread ({@link #setRules}); a request is decided under the rules
 * in force when it arrives. {@link #ledger()} is thread-safe.
 */
public final class IssuerStub implements AutoCloseable {
    private final String name;
    private final String bind;
    private final int requestedPort;
    private final Ledger ledger;
    private volatile ActiveRules active;
    private SslContext tls;
    private EventLoopGroup ownBoss;
    private EventLoopGroup ownWorkers;
    private Channel serverChannel;

    /** A stub that will listen on {@code bind:port} (0 = an ephemeral port) once started. */
    public IssuerStub(String name, String bind, int port, StubRules rules) {
        this(name, bind, port, rules, Clock.systemUTC());
    }

    /** As {@link #IssuerStub(String, String, int, StubRules)}, with the ledger's timestamps from {@code clock}. */
    public IssuerStub(String name, String bind, int port, StubRules rules, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.bind = Objects.requireNonNull(bind, "bind");
        this.requestedPort = port;
        this.ledger = new Ledger(clock);
        this.active = new ActiveRules(rules);
    }

    /**
     * Serves TLS 1.3 with {@code context} (see {@code io.acqswitch.net.TlsContexts#server}) instead of
     * plain TCP; call before {@link #start}.
     */
    public IssuerStub withTls(SslContext context) {
        this.tls = context;
        return this;
    }

    /**
     * Binds on event loops of its own (one acceptor thread, Netty's default worker count); on failure
     * they are shut down again.
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     * @throws InterruptedException when interrupted while binding
     */
    public IssuerStub start() throws IOException, InterruptedException {
        ownBoss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ownWorkers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        try {
            return start(ownBoss, ownWorkers);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Binds on the caller's event loops, which {@link #close()} leaves running.
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     * @throws InterruptedException when interrupted while binding
     */
    public IssuerStub start(EventLoopGroup boss, EventLoopGroup workers) throws IOException, InterruptedException {
        StubProcessor processor = new StubProcessor(ledger, this::active);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new IssuerChannelInitializer(name, IsoCodec.of(Dialect.ISO87), processor, this::active, tls));
        serverChannel = ServerSockets.bind(bootstrap, bind, requestedPort);
        return this;
    }

    /**
     * Serves the stub's HTTP API under {@code prefix} ("" for the root) on {@code http}:
     * {@code GET ledger}, {@code GET ledger/summary}, {@code GET ledger.csv}, {@code POST ledger/clear},
     * {@code GET rules}, {@code PUT rules}. Call before {@code http} starts.
     */
    public IssuerStub mount(AdminHttpServer http, String prefix) {
        new StubHttpApi(this).mount(http, prefix);
        return this;
    }

    public String name() {
        return name;
    }

    /** The bound port (useful when constructed with 0). @throws IllegalStateException before {@link #start} */
    public int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("issuer stub " + name + " is not started");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public boolean isBound() {
        return serverChannel != null && serverChannel.isActive();
    }

    public Ledger ledger() {
        return ledger;
    }

    public StubRules rules() {
        return active.rules();
    }

    /** Replaces the rules atomically; requests already decided keep their answers and delays. */
    public void setRules(StubRules rules) {
        active = new ActiveRules(rules);
    }

    /** The card's available balance under the current rules, or empty when it has none configured. */
    public Optional<Long> availableBalance(String pan) {
        return ledger.available(pan, rules());
    }

    ActiveRules active() {
        return active;
    }

    /** Stops listening and closes its own event loops (not a caller's). Idempotent. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (ownWorkers != null) {
            ownWorkers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (ownBoss != null) {
            ownBoss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Override
    public String toString() {
        return "IssuerStub[" + name + " " + bind + ":" + (serverChannel != null ? port() : requestedPort) + "]";
    }
}
