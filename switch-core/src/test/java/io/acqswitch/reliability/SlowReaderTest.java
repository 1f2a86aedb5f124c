package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.LedgerSummary;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.RigTest;
import io.acqswitch.support.TestSwitch;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A terminal that pipelines requests but does not read its answers: once a connection's unread
 * answers pass the write buffer's high-water mark the switch stops reading that connection (TCP
 * pushes back on the terminal) instead of queueing without bound, counts it, keeps serving other
 * terminals, and resumes as soon as the reader drains: every request answered once, debited once.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class SlowReaderTest extends RigTest {
    private static final int REQUESTS = 3000;
    private static final String PAN = "4761739001010010";

    @Override
    protected String configure(String yaml) {
        return yaml.replace("timeout: 400ms", "timeout: 10000ms"); // a burst of thousands on 2 busy cores
    }

    @Test
    void shouldPauseASlowReaderWithoutLosingItsAnswersOrStallingOthers() throws Exception {
        ExecutorService sender = Executors.newSingleThreadExecutor();
        int approved = 0;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connecting: the window the switch may fill
            s.connect(new InetSocketAddress("127.0.0.1", rig.node.terminalPort(0)), 5_000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            Future<?> sending = sender.submit(() -> {
                for (int i = 1; i <= REQUESTS; i++) { // blocks while the switch is not reading: that is the point
                    out.write(FrameFuzzer.frame(TerminalMessages.sale(PAN, 100, String.format("%06d", i), "SLOW0001",
                            "MERCHANT0000001")));
                }
                out.flush();
                return null;
            });
            rig.await("the slow reader noticed", () -> rig.node.metrics().malformedCount(Malformation.SLOW_READER) >= 1,
                    Duration.ofSeconds(30));

            for (int i = 0; i < 5; i++) {
                ISOMsg answer = t.exchange(TerminalMessages.sale(PAN, 200, stan(), "TERM0001", "MERCHANT0000001"));
                assertEquals("00", answer.getString(39), "another terminal is served meanwhile");
            }

            DataInputStream in = new DataInputStream(s.getInputStream());
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < REQUESTS; i++) {
                byte[] body = new byte[in.readUnsignedShort()];
                in.readFully(body);
                ISOMsg answer = TestSwitch.ISO87.newMessage(null);
                TestSwitch.ISO87.unpack(body, answer);
                assertTrue(answered.add(answer.getString(11)), "answered once: " + answer.getString(11));
                if ("00".equals(answer.getString(39))) {
                    approved++;
                }
            }
            sending.get(30, TimeUnit.SECONDS);
            assertEquals(REQUESTS, answered.size(), "every request answered once reading resumed");
        } finally {
            sender.shutdownNow();
        }
        assertTrue(approved > REQUESTS / 2, "mostly approved: " + approved);
        long standing = approved + 5;
        rig.await("the SAF drained", () -> rig.node.processor().safDepth() == 0, Duration.ofSeconds(20));
        LedgerSummary ledger = rig.stub.ledger().summary();
        assertEquals(standing, ledger.debitsApproved() - ledger.debitsReversed(),
                "a debit stands for every approval the terminals read, and only for those: " + ledger);
        assertEquals(0.0, rig.counted("switch_processor_errors"));
    }
}
