package io.acqswitch.sim;

import static io.acqswitch.sim.StubWire.connect;
import static io.acqswitch.sim.StubWire.reversal;
import static io.acqswitch.sim.StubWire.sale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.support.Await;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fault injection: withheld and late answers, dropped and refused connections, ignored reversals. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class IssuerStubFaultTest {
    private static final String PAN = "5413330089010434";
    private IssuerStub stub;

    @BeforeEach
    void start() throws Exception {
        stub = new IssuerStub("faulty-issuer", "127.0.0.1", 0, StubRules.approveAll()).start();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private void rules(String yaml) throws Exception {
        stub.setRules(StubRules.parse(yaml));
    }

    private static ISOMsg echo() {
        return TerminalMessages.networkManagement("301", StubWire.nextStan(), "SWITCH01");
    }

    @Test
    void shouldApplyDebitButNeverAnswerWhenWithheld() throws Exception {
        rules("withholdRatio: 1.0");
        ISOMsg req = sale(PAN, 2500);
        try (TerminalClient client = connect(stub, Duration.ofMillis(500))) {
            client.send(req);
            assertThrows(SocketTimeoutException.class, client::receiveFrame);
            LedgerEntry e = stub.ledger().entry(req.getString(37)).orElseThrow();
            assertEquals("00", e.responseCode());
            assertTrue(e.withheld());
            assertEquals(2500, stub.ledger().summary().netDebited());
            assertEquals("0810", client.exchange(echo()).getMTI(), "network management is still answered");
        }
    }

    @Test
    void shouldApplyAtOnceAndAnswerAfterLateAnswerDelay() throws Exception {
        rules("lateAnswerMs: 400");
        ISOMsg req = sale(PAN, 900);
        try (TerminalClient client = connect(stub, Duration.ofSeconds(5))) {
            long sent = System.nanoTime();
            client.send(req);
            waitFor(() -> stub.ledger().entry(req.getString(37)).isPresent(), 300);
            ISOMsg answer = client.receive();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertEquals("00", answer.getString(39));
            assertTrue(elapsedMs >= 400, "answered after " + elapsedMs + " ms");
        }
    }

    @Test
    void shouldDelayEveryAnswerByLatency() throws Exception {
        rules("{latencyMs: 200, latencyJitterMs: 50}");
        try (TerminalClient client = connect(stub, Duration.ofSeconds(5))) {
            long sent = System.nanoTime();
            assertEquals("00", client.exchange(echo()).getString(39));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(elapsedMs >= 200 && elapsedMs < 2000, "answered after " + elapsedMs + " ms");
        }
    }

    @Test
    void shouldCloseConnectionOnTheNthMessage() throws Exception {
        rules("dropConnectionAfter: 3");
        ISOMsg third = sale(PAN, 100);
        try (TerminalClient client = connect(stub, Duration.ofSeconds(2))) {
            assertEquals("00", client.exchange(echo()).getString(39));
            assertEquals("00", client.exchange(sale(PAN, 100)).getString(39));
            client.send(third);
            assertTrue(client.isClosedByPeer());
        }
        assertTrue(stub.ledger().entry(third.getString(37)).isPresent(), "the Nth message is applied");
        try (TerminalClient next = connect(stub, Duration.ofSeconds(2))) {
            assertEquals("00", next.exchange(echo()).getString(39), "a new connection starts counting afresh");
        }
    }

    @Test
    void shouldCloseNewConnectionsWhenRefusing() throws Exception {
        try (TerminalClient before = connect(stub, Duration.ofSeconds(2))) {
            assertEquals("00", before.exchange(echo()).getString(39), "accepted before the rule change");
            rules("refuseConnections: true");
            try (TerminalClient refused = connect(stub, Duration.ofSeconds(2))) {
                assertTrue(refused.isClosedByPeer());
            }
            assertEquals("00", before.exchange(echo()).getString(39), "established connections stay");
            rules("{}");
            try (TerminalClient accepted = connect(stub, Duration.ofSeconds(2))) {
                assertEquals("00", accepted.exchange(echo()).getString(39));
            }
        }
    }

    @Test
    void shouldLeaveFirstReversalsUnansweredAndUnappliedWhenIgnoring() throws Exception {
        ISOMsg original = sale(PAN, 4200);
        try (TerminalClient client = connect(stub, Duration.ofMillis(300))) {
            assertEquals("00", client.exchange(original).getString(39));
            rules("ignoreReversals: 2");
            for (String mti : new String[] {"0420", "0421"}) {
                client.send(reversal(mti, original));
                assertThrows(SocketTimeoutException.class, client::receiveFrame, mti + " ignored");
                LedgerEntry e = stub.ledger().entry(original.getString(37)).orElseThrow();
                assertFalse(e.reversed());
                assertEquals(0, e.reversalsReceived());
            }
            ISOMsg answer = client.exchange(reversal("0421", original));
            assertEquals("0430", answer.getMTI());
            assertEquals("00", answer.getString(39));
        }
        assertTrue(stub.ledger().entry(original.getString(37)).orElseThrow().reversed());
        assertEquals(0, stub.ledger().summary().netDebited());
    }

    private static void waitFor(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        Await.until("condition met within " + timeoutMs + " ms", condition, Duration.ofMillis(timeoutMs));
    }
}
