package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Responses;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.security.KeyService;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.NodeLink;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestSwitch;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The forwarding end of a node link over real sockets, with the test standing in for the owner: a
 * terminal's request reaches the owner as its own bytes; the owner's answer reaches the terminal
 * and its delivery is reported back; a request whose link breaks, or whose owner cannot be
 * reached, is answered 91 at once; an answer nobody waits for any more is reported undelivered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerLinksTest {
    private EventLoopGroup group;
    private KeyService keys;
    private Path dir;
    private SwitchMetrics metrics;
    private PeerLinks links;
    private TerminalServer terminals;
    private ServerSocket owner;
    private volatile String ownerAddress;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        dir = TempFiles.newDir("peer-links");
        keys = KeyService.open(dir);
        metrics = new SwitchMetrics();
        links = new PeerLinks(1, metrics, group, Duration.ofSeconds(30));
        owner = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ownerAddress = "127.0.0.1:" + owner.getLocalPort();
        SwitchConfig cfg = ConfigLoader.parse("listeners: [{port: 0}]\nissuers: []\nstubs: []\nrouting: {}\n");
        terminals = new TerminalServer(cfg.listeners().getFirst(), TestSwitch.ISO87, metrics,
                (req, reply) -> assertTrue(links.forward(req, reply, ownerAddress)), new TerminalSecurity(keys, false, metrics),
                group, group).start();
        owner.setSoTimeout(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        links.close();
        terminals.close();
        owner.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        keys.close();
        TempFiles.delete(dir);
    }

    private TerminalClient terminal() throws Exception {
        return new TerminalClient("127.0.0.1", terminals.port(), TestSwitch.ISO87, Duration.ofSeconds(10));
    }

    private static ISOMsg sale(String stan) {
        return TerminalMessages.sale("4761739001010010", 1_000, stan, "TERM0001", "MERCHANT0000001");
    }

    /** The request the owner received, unpacked. */
    private static ISOMsg unpacked(NodeLink.Frame f) throws Exception {
        ISOMsg m = new ISOMsg();
        TestSwitch.ISO87.unpack(f.body(), m);
        return m;
    }

    @Test
    void shouldWriteTheOwnersAnswerOnTheTerminalsConnectionAndReportItsDelivery() throws Exception {
        try (TerminalClient t = terminal()) {
            t.send(sale("000001"));
            try (Socket link = owner.accept()) {
                link.setSoTimeout(10_000);
                NodeLink.Frame request = NodeLink.receive(link);
                assertEquals('Q', request.kind());
                assertEquals("pos", request.listener(), "the listener the terminal came in on");
                assertEquals("000001", unpacked(request).getString(11), "the terminal's own request");
                ISOMsg approval = Responses.answer(unpacked(request), "00");
                NodeLink.send(link, new NodeLink.Frame('A', request.correlation(), true, "", TestSwitch.ISO87.pack(approval)));
                ISOMsg answer = t.receive();
                assertEquals("0210", answer.getMTI());
                assertEquals("00", answer.getString(39));
                NodeLink.Frame delivery = NodeLink.receive(link);
                assertEquals('D', delivery.kind());
                assertEquals(request.correlation(), delivery.correlation());
                assertTrue(delivery.flag(), "the terminal's connection took it");

                // an answer to a request nobody waits for (already answered) is reported undelivered
                NodeLink.send(link, new NodeLink.Frame('A', request.correlation(), true, "", TestSwitch.ISO87.pack(approval)));
                NodeLink.Frame late = NodeLink.receive(link);
                assertEquals('D', late.kind());
                assertFalse(late.flag(), "the owner reverses what the terminal never got");
            }
        }
        assertEquals(1.0, metrics.counted("switch_cluster_forwarded"));
    }

    @Test
    void shouldAnswer91WhenTheLinkToTheOwnerBreaksWhileTheRequestWaits() throws Exception {
        try (TerminalClient t = terminal()) {
            t.send(sale("000002"));
            try (Socket link = owner.accept()) {
                assertEquals('Q', NodeLink.receive(link).kind());
            } // the owner's end closes with the request unanswered
            ISOMsg answer = t.receive();
            assertEquals("0210", answer.getMTI());
            assertEquals("000002", answer.getString(11));
            assertEquals("91", answer.getString(39), "a clear decline at once, not the terminal's own timeout");
        }
        assertEquals(1.0, metrics.counted("switch_cluster_forward_failures", "reason", "link_lost"));
    }

    @Test
    void shouldAnswer91WhenTheOwnerCannotBeReachedOrRefuses() throws Exception {
        try (TerminalClient t = terminal()) {
            t.send(sale("000003"));
            try (Socket link = owner.accept()) {
                link.setSoTimeout(10_000);
                NodeLink.Frame request = NodeLink.receive(link);
                NodeLink.send(link, new NodeLink.Frame('R', request.correlation(), false, "", new byte[0]));
                assertEquals("91", t.receive().getString(39), "refused by the owner");
            }
            int port = owner.getLocalPort();
            owner.close(); // nothing listens there any more
            ownerAddress = "127.0.0.1:" + port;
            t.send(sale("000004"));
            assertEquals("91", t.receive().getString(39), "no owner to reach");
        }
        assertEquals(1.0, metrics.counted("switch_cluster_forward_failures", "reason", "refused"));
        // the closed link may not be noticed before the next request rides on it: then it is lost with that one on it
        assertEquals(1.0, metrics.counted("switch_cluster_forward_failures", "reason", "unreachable")
                + metrics.counted("switch_cluster_forward_failures", "reason", "link_lost"));
    }
}
