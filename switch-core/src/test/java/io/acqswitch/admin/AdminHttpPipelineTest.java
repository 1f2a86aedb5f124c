package io.acqswitch.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.admin.AdminHttpServer.Refusal;
import io.acqswitch.admin.AdminHttpServer.Reply;
import io.acqswitch.config.SwitchConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin port's hardening in {@link EmbeddedChannel}s with a frozen clock: the header timeout
 * (to the nanosecond, however the bytes trickle in) and the cap on concurrent requests. The server
 * is built as in production (it binds 127.0.0.1 on a free port, unused here); its connection
 * handlers are driven directly. The same rules over real sockets: {@link AdminHttpServerTest}.
 */
class AdminHttpPipelineTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private AdminHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new AdminHttpServer(new SwitchConfig.Http("127.0.0.1", 0, "token-0123", HEADER_TIMEOUT, 1, null),
                new SimpleMeterRegistry());
        server.route("/slow", ex -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS); // held until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.json(200, "{}");
        });
        server.probe("/health", ex -> Reply.json(200, "{\"status\":\"UP\"}"));
    }

    /**
     * The channels are left as they are: a route's thread may still hand its answer to a channel's
     * event loop, which, embedded, is not to be run from two threads at once.
     */
    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.close();
    }

    /** A new connection, its clock frozen, the first request's header clock started (it is active). */
    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel() { // active, no handlers yet; addressed as a socket is
            @Override
            protected SocketAddress localAddress0() {
                return new InetSocketAddress("127.0.0.1", 8080);
            }

            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40_000);
            }
        };
        ch.freezeTime();
        server.addHttpHandlers(ch);
        ch.pipeline().fireChannelActive(); // as a connection's pipeline sees it when it opens
        return ch;
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    private static void pass(EmbeddedChannel ch, Duration d) {
        ch.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }

    /** What the server wrote to the connection so far. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void shouldAnswer408AndCloseWhenAConnectionSendsNothingWithinTheHeaderTimeout() throws Exception {
        EmbeddedChannel ch = connect();

        pass(ch, HEADER_TIMEOUT.minusNanos(1));
        assertEquals("", written(ch));
        assertTrue(ch.isOpen(), "not a nanosecond early");

        pass(ch, Duration.ofNanos(1));
        assertTrue(written(ch).startsWith("HTTP/1.1 408"));
        assertFalse(ch.isOpen());
        assertEquals(1, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }

    @Test
    void shouldNotRestartTheHeaderClockForBytesThatTrickleIn() throws Exception {
        EmbeddedChannel ch = connect();
        String request = "GET /health HTTP/1.1\r\nHost: x\r\n"; // never finished

        for (int i = 0; i < request.length() && ch.isOpen(); i++) {
            send(ch, request.substring(i, i + 1));
            pass(ch, Duration.ofSeconds(1));
        }

        assertFalse(ch.isOpen(), "closed at the header timeout although a byte came every second");
        assertTrue(written(ch).startsWith("HTTP/1.1 408"));
        assertEquals(1, server.refusedCount(Refusal.HEADER_TIMEOUT));
    }

    @Test
    void shouldAnswer503AtOnceBeyondTheCapWhileProbesKeepTheirOwnSlots() throws Exception {
        EmbeddedChannel first = connect();
        send(first, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); // takes the one operations slot and is held
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the first request reached its route");

        EmbeddedChannel second = connect();
        send(second, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");

        String refused = written(second);
        assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
        assertTrue(refused.toLowerCase(Locale.ROOT).contains("retry-after: 1"), refused);
        assertEquals(1, server.refusedCount(Refusal.BUSY));
        assertTrue(second.isOpen(), "a kept-alive connection may try again");
        assertEquals("", written(first), "the held request is not answered yet");

        EmbeddedChannel probe = connect();
        send(probe, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, server.refusedCount(Refusal.BUSY), "the probe was not refused: it has slots of its own");
    }

    @Test
    void shouldAnswer400ToHeadersOverTheirCap() throws Exception {
        EmbeddedChannel ch = connect();

        send(ch, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");

        String answer = written(ch);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertEquals(1, server.refusedCount(Refusal.BAD_REQUEST));
    }
}
