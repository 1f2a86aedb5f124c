package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Hex;
import io.acqswitch.support.TestSwitch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The terminal wire contract over real sockets: network management answered locally, and every
 * kind of bad input answered 30 or closed, counted, without disturbing a bystander connection.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class TerminalServerTest {
    private static final String CONFIG = """
            listeners:
              - maxFrameBytes: 512
                maxConnections: 60
                idleTimeout: 3s
            issuers: []
            stubs: []
            routing: {}
            """;
    private static TestSwitch sw;
    private static final AtomicInteger STAN = new AtomicInteger(100);
    private TerminalClient bystander;

    @BeforeAll
    static void startSwitch() throws Exception {
        sw = TestSwitch.start(CONFIG, l -> l);
    }

    @AfterAll
    static void stopSwitch() {
        sw.close();
    }

    @BeforeEach
    void openBystander() throws Exception {
        bystander = sw.terminal();
        assertEchoAnswered(bystander);
    }

    @AfterEach
    void bystanderAndNewcomersStillServed() throws Exception {
        assertEchoAnswered(bystander);
        bystander.close();
        try (TerminalClient fresh = sw.terminal()) {
            assertEchoAnswered(fresh);
        }
    }

    private static String nextStan() {
        return String.format("%06d", STAN.incrementAndGet());
    }

    private static void assertEchoAnswered(TerminalClient t) throws Exception {
        String stan = nextStan();
        ISOMsg answer = t.exchange(TerminalMessages.networkManagement("301", stan, "BYSTAND1"));
        assertEquals("0810", answer.getMTI());
        assertEquals("00", answer.getString(39));
        assertEquals(stan, answer.getString(11));
    }

    private static double malformed(Malformation reason) {
        return sw.node().metrics().malformedCount(reason);
    }

    @Test
    void shouldAnswerEchoSignOnAndSignOffWith0810Approved() throws Exception {
        try (TerminalClient t = sw.terminal()) {
            for (String code : List.of("301", "001", "002")) {
                ISOMsg answer = t.exchange(TerminalMessages.networkManagement(code, "000777", "TERM0001"));
                assertEquals("0810", answer.getMTI());
                assertEquals("00", answer.getString(39));
                assertEquals("000777", answer.getString(11));
                assertEquals(code, answer.getString(70));
                assertEquals("TERM0001", answer.getString(41));
            }
        }
    }

    @Test
    void shouldAnswerHypercomNetworkMessageVectorFromPlainSocket() throws Exception {
        byte[] body = Hex.vector("iso87-0800-hpdh.hex"); // 0800, 3=920000, 11=000028, 24=004, 41=DTI00001
        try (Socket s = new Socket("127.0.0.1", sw.port())) {
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(body.length);
            out.write(body);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            // 0810, bitmap 3,11,24,39,41; 39 = "00" in ASCII
            assertEquals("0810202001000280000092000000002800043030" + "4454493030303031", Hex.of(answer));
        }
    }

    @Test
    void shouldAnswerUnknownNetworkCodeWith12() throws Exception {
        try (TerminalClient t = sw.terminal()) {
            ISOMsg answer = t.exchange(TerminalMessages.networkManagement("999", "000778", "TERM0001"));
            assertEquals("12", answer.getString(39));
        }
    }

    @Test
    void shouldCloseConnectionWhenLengthPrefixExceedsMaxFrame() throws Exception {
        double before = malformed(Malformation.FRAME_TOO_LONG);
        try (TerminalClient t = sw.terminal()) {
            t.sendRaw(new byte[] {0x02, 0x01, 0x08, 0x00}); // claims 513 bytes, limit is 512
            assertTrue(t.isClosedByPeer());
        }
        assertEquals(before + 1, malformed(Malformation.FRAME_TOO_LONG));
    }

    @Test
    void shouldCloseConnectionOnZeroLengthFrame() throws Exception {
        double before = malformed(Malformation.EMPTY_FRAME);
        try (TerminalClient t = sw.terminal()) {
            t.sendRaw(new byte[] {0x00, 0x00});
            assertTrue(t.isClosedByPeer());
        }
        assertEquals(before + 1, malformed(Malformation.EMPTY_FRAME));
    }

    @Test
    void shouldCloseConnectionWhenBitmapClaimsFieldsThatAreNotThere() throws Exception {
        double before = malformed(Malformation.UNPACK_FAILED);
        try (TerminalClient t = sw.terminal()) {
            // 0200, bitmap claims 2, 3, 4, 11 and 41; the body ends after the MTI and bitmap
            t.sendFrame(Hex.bytes("0200 7020000000800000"));
            assertTrue(t.isClosedByPeer());
        }
        assertEquals(before + 1, malformed(Malformation.UNPACK_FAILED));
    }

    @Test
    void shouldAnswer30WhenStanWasReadBeforeTheMessageBroke() throws Exception {
        double before = malformed(Malformation.UNPACK_FAILED);
        try (TerminalClient t = sw.terminal()) {
            // 0200, bitmap 3, 11, 41; 3 = 000000, 11 = 000321, then 41 (8 chars) has only 2 bytes
            t.sendFrame(Hex.bytes("0200 2020000000800000 000000 000321 5445"));
            ISOMsg answer = t.receive();
            assertEquals("0210", answer.getMTI());
            assertEquals("30", answer.getString(39));
            assertEquals("000321", answer.getString(11));
        }
        assertEquals(before + 1, malformed(Malformation.UNPACK_FAILED));
    }

    @Test
    void shouldAnswer30ForUnknownMti() throws Exception {
        double before = malformed(Malformation.UNKNOWN_MTI);
        try (TerminalClient t = sw.terminal()) {
            ISOMsg m = TerminalMessages.networkManagement("301", "000456", "TERM0001");
            m.set(0, "0600");
            ISOMsg answer = t.exchange(m);
            assertEquals("0610", answer.getMTI());
            assertEquals("30", answer.getString(39));
            assertEquals("000456", answer.getString(11));
        }
        assertEquals(before + 1, malformed(Malformation.UNKNOWN_MTI));
    }

    @Test
    void shouldAnswer30WhenAmountIsMissingFromSale() throws Exception {
        double before = malformed(Malformation.MISSING_FIELD);
        try (TerminalClient t = sw.terminal()) {
            ISOMsg sale = TerminalMessages.sale("4761739001010010", 1000, "000457", "TERM0001", "MERCHANT0000001");
            sale.unset(4);
            ISOMsg answer = t.exchange(sale);
            assertEquals("0210", answer.getMTI());
            assertEquals("30", answer.getString(39));
            assertEquals("000457", answer.getString(11));
        }
        assertEquals(before + 1, malformed(Malformation.MISSING_FIELD));
    }

    @Test
    void shouldAnswer30WhenSaleHasNeitherPanNorTrack2() throws Exception {
        try (TerminalClient t = sw.terminal()) {
            ISOMsg sale = TerminalMessages.sale("4761739001010010", 1000, "000458", "TERM0001", "MERCHANT0000001");
            sale.unset(2);
            assertEquals("30", t.exchange(sale).getString(39));
        }
    }

    @Test
    void shouldAnswer30WhenNumericFieldHoldsNonDigits() throws Exception {
        double before = malformed(Malformation.NON_NUMERIC_FIELD);
        try (TerminalClient t = sw.terminal()) {
            // 0200: 2 = 4761739001010010, 3 = 000000, 4 = 0000000010AB (BCD nibbles A, B), 11 = 000123, 41 = TERM0001
            t.sendFrame(Hex.bytes("0200 7020000000800000 16 4761739001010010 000000 0000000010AB 000123 5445524D30303031"));
            ISOMsg answer = t.receive();
            assertEquals("0210", answer.getMTI());
            assertEquals("30", answer.getString(39));
            assertEquals("000123", answer.getString(11));
        }
        assertEquals(before + 1, malformed(Malformation.NON_NUMERIC_FIELD));
    }

    @Test
    void shouldCloseConnectionThatSendsHalfAFrameAndStalls() throws Exception {
        double before = malformed(Malformation.IDLE_TIMEOUT);
        try (TerminalClient t = sw.terminal(Duration.ofMillis(500))) {
            t.sendRaw(Hex.bytes("0040 0800 8220")); // announces 64 bytes, sends 4
            boolean closed = false;
            for (int i = 0; i < 20 && !closed; i++) { // bounded: 20 x 500 ms, idle timeout is 3 s
                assertEchoAnswered(bystander); // served while the stalled connection waits for its timeout
                closed = t.isClosedByPeer();
            }
            assertTrue(closed, "stalled connection closed within 10 s");
        }
        assertTrue(malformed(Malformation.IDLE_TIMEOUT) >= before + 1);
    }

    @Test
    void shouldRejectConnectionsBeyondTheLimitAndKeepServingOthers() throws Exception {
        double before = malformed(Malformation.TOO_MANY_CONNECTIONS);
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                Socket s = new Socket("127.0.0.1", sw.port());
                s.setSoTimeout(2000);
                flood.add(s);
            }
            assertEchoAnswered(bystander); // during the flood
            int closed = 0;
            for (Socket s : flood.reversed()) {
                try {
                    if (s.getInputStream().read() == -1) {
                        closed++;
                    }
                } catch (SocketTimeoutException e) {
                    // held open: within the limit
                } catch (IOException e) {
                    closed++;
                }
                if (closed > 900) {
                    break;
                }
            }
            assertTrue(closed > 900, "connections over the limit are closed, saw " + closed);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertTrue(malformed(Malformation.TOO_MANY_CONNECTIONS) >= before + 900);
    }
}
