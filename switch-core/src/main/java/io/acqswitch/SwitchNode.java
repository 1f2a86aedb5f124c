package io.acqswitch;

import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.TerminalRequestSink;
import io.acqswitch.net.TerminalServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running switch node: terminal listeners, the HTTP endpoint and everything behind them.
 * {@link #start} binds every socket or fails; {@link #close} stops in reverse order.
 */
public final class SwitchNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchNode.class);

    private final SwitchConfig cfg;
    private final SwitchMetrics metrics = new SwitchMetrics();
    private final List<TerminalServer> listeners = new ArrayList<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private AdminHttpServer http;

    public SwitchNode(SwitchConfig cfg) {
        this.cfg = cfg;
    }

    /** Starts every component; on failure closes what was started and rethrows. */
    public SwitchNode start() throws IOException, InterruptedException {
        try {
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
            TerminalRequestSink sink = SwitchNode::issuerUnavailable;
            for (SwitchConfig.Listener l : cfg.listeners()) {
                IsoCodec codec = l.packager() != null ? IsoCodec.fromXml(l.dialect(), l.packager()) : IsoCodec.of(l.dialect());
                listeners.add(new TerminalServer(l, codec, metrics, sink, boss, workers).start());
                LOG.info("terminal listener {} on {}:{} dialect={}", l.name(), l.bind(), listeners.getLast().port(),
                        l.dialect().configName());
            }
            http = new AdminHttpServer(cfg.http().bind(), cfg.http().port())
                    .route("/metrics", ex -> AdminHttpServer.Reply.text(200, metrics.scrape()))
                    .route("/health", ex -> health())
                    .start();
            LOG.info("http on {}:{} (/metrics, /health)", cfg.http().bind(), http.port());
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void issuerUnavailable(io.acqswitch.iso.TerminalRequest req, io.netty.channel.Channel ch) {
        ch.writeAndFlush(Responses.answer(req.message(), ResponseCode.ISSUER_INOPERATIVE), ch.voidPromise());
    }

    private AdminHttpServer.Reply health() {
        boolean up = !listeners.isEmpty() && listeners.stream().allMatch(TerminalServer::isBound);
        return AdminHttpServer.Reply.json(up ? 200 : 503, "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"listeners\":"
                + (up ? "\"UP\"" : "\"DOWN\"") + "}");
    }

    public SwitchMetrics metrics() {
        return metrics;
    }

    /** The bound port of the listener at {@code index} in configuration order. */
    public int terminalPort(int index) {
        return listeners.get(index).port();
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        for (TerminalServer s : listeners.reversed()) {
            s.close();
        }
        if (http != null) {
            http.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        metrics.close();
    }
}
