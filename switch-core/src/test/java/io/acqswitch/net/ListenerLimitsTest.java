package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.TestSwitch;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-listener limits over real sockets: a frame that trickles in is closed at {@code frameTimeout}
 * though it never falls silent, and {@code maxConnections} counts each listener on its own.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class ListenerLimitsTest {
    private static final String CONFIG = """
            listeners:
              - name: pos
                port: 0
                maxConnections: 4
                idleTimeout: 30s
                frameTimeout: 1500ms
              - name: cup
                port: 0
                dialect: cup
                maxConnections: 3
                idleTimeout: 30s
            issuers: []
            stubs: []
            routing: {}
            """;
    private static TestSwitch sw;

    @BeforeAll
    static void startSwitch() throws Exception {
        sw = TestSwitch.start(CONFIG, l -> l);
    }

    @AfterAll
    static void stopSwitch() {
        sw.close();
    }

    private static double malformed(Malformation reason) {
        return sw.node().metrics().malformedCount(reason);
    }

    private static void assertEchoAnswered(TerminalClient t, String stan) throws Exception {
        ISOMsg answer = t.exchange(TerminalMessages.networkManagement("301", stan, "TERM0001"));
        assertEquals("0810", answer.getMTI());
        assertEquals("00", answer.getString(39));
    }

    @Test
    void shouldCloseASenderThatDribblesOneByteEveryFewHundredMillisecondsAtTheFrameTimeout() throws Exception {
        double frameTimeouts = malformed(Malformation.FRAME_TIMEOUT);
        double idleTimeouts = malformed(Malformation.IDLE_TIMEOUT);
        try (TerminalClient t = sw.terminal(Duration.ofMillis(300))) {
            t.sendRaw(new byte[] {0x00, 0x40}); // announces 64 bytes
            long started = System.nanoTime();
            boolean closed = false;
            // bounded: at most 40 bytes (never the 64 announced) at one per 300 ms read timeout, 12 s
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    t.sendRaw(new byte[] {0x30}); // never silent for longer than 300 ms
                } catch (IOException e) {
                    closed = true; // reset by the switch
                    break;
                }
                closed = t.isClosedByPeer(); // waits up to 300 ms
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(closed, "dribbling connection closed");
            assertTrue(tookMs >= 1_000 && tookMs < 6_000, "closed at the 1.5 s frame timeout, took " + tookMs + " ms");
        }
        assertEquals(frameTimeouts + 1, malformed(Malformation.FRAME_TIMEOUT));
        assertEquals(idleTimeouts, malformed(Malformation.IDLE_TIMEOUT));
    }

    @Test
    void shouldKeepServingFramesThatCompleteInTimeWhateverTheirPace() throws Exception {
        double frameTimeouts = malformed(Malformation.FRAME_TIMEOUT);
        try (TerminalClient t = sw.terminal()) {
            // 5 echoes 500 ms apart: 2.5 s on one connection, each frame whole at once
            for (int i = 0; i < 5; i++) {
                assertEchoAnswered(t, String.format("%06d", 900 + i));
                Thread.sleep(500); // time is the subject: the pace is the point, longer in all than the frame timeout
            }
        }
        assertEquals(frameTimeouts, malformed(Malformation.FRAME_TIMEOUT));
    }

    @Test
    void shouldStillAcceptOnOneListenerWhenAnotherIsFull() throws Exception {
        double rejected = malformed(Malformation.TOO_MANY_CONNECTIONS);
        int cupPort = sw.node().terminalPort(1);
        // the class shares one switch: a connection an earlier test closed may still be counted as open
        // for a moment, and a baseline read then is one too high for ever
        Await.until("earlier tests' terminal connections closed", () -> sw.node().metrics().connectionsOpen() == 0,
                Duration.ofSeconds(5));
        int openBefore = sw.node().metrics().connectionsOpen();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // fills cup (maxConnections 3); pos allows 4 of its own
                idle.add(new Socket("127.0.0.1", cupPort));
            }
            Await.until("the cup connections open", () -> sw.node().metrics().connectionsOpen() >= openBefore + 3,
                    Duration.ofSeconds(5));
            assertEquals(openBefore + 3, sw.node().metrics().connectionsOpen(), "the cup connections are accepted");

            try (Socket oneTooMany = new Socket("127.0.0.1", cupPort)) {
                oneTooMany.setSoTimeout(5_000);
                assertEquals(-1, oneTooMany.getInputStream().read(), "cup is full: a fourth connection is closed");
            }
            assertEquals(rejected + 1, malformed(Malformation.TOO_MANY_CONNECTIONS));

            try (TerminalClient a = sw.terminal(); TerminalClient b = sw.terminal()) {
                assertEchoAnswered(a, "000801"); // pos has its own count: 3 idle cup connections take none of it
                assertEchoAnswered(b, "000802");
            }
            assertEquals(rejected + 1, malformed(Malformation.TOO_MANY_CONNECTIONS));
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }
}
