package io.acqswitch.txn;

import static io.acqswitch.txn.ProcessorHarness.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.sim.TerminalMessages;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deadlines and SAF retries run on the monotonic clock: the wall clock stepped by an hour either
 * way, with requests in flight and reversals queued, fires no deadline early or late, sends no
 * retry early or late and expires nothing. (The subject is time; the clock is the manual one.)
 */
@Timeout(10)
class ProcessorClockTest {
    private static final Duration TICK = Duration.ofMillis(100);
    private static final String PAN = "4761739001010010";

    private final ProcessorHarness h = new ProcessorHarness();
    private final List<EmbeddedChannel> terminals = new ArrayList<>();

    ProcessorClockTest() throws Exception {
    }

    @AfterEach
    void close() {
        terminals.forEach(EmbeddedChannel::finishAndReleaseAll);
        h.close();
    }

    /** A sale from a terminal of its own; returns that terminal. */
    private EmbeddedChannel sale(int n) {
        EmbeddedChannel t = new EmbeddedChannel();
        terminals.add(t);
        h.request(t, TerminalMessages.sale(PAN, 100 + n, String.format("%06d", n), "T000000" + n, "M00000000000001"));
        return t;
    }

    @Test
    void shouldFireEveryDeadlineOnTimeWhateverTheWallClockDoes() {
        // elapsed (monotonic) ms at which each sale was forwarded, and at which its 68 came
        Map<EmbeddedChannel, Long> sentAt = new HashMap<>();
        Map<EmbeddedChannel, Long> timedOutAt = new HashMap<>();
        long elapsed = 0;
        long timeout = ProcessorHarness.TIMEOUT.toMillis();
        for (int step = 0; step <= 250; step++) { // 25 s of ticks, 100 ms apart
            if (step % 20 == 0 && step <= 100) { // a sale every 2 s for 10 s
                sentAt.put(sale(step / 20 + 1), elapsed);
            }
            if (step == 30) {
                h.clock.stepWall(Duration.ofHours(1)); // three sales in flight
            }
            if (step == 70) {
                h.clock.stepWall(Duration.ofHours(-1));
            }
            if (step == 90) {
                h.clock.stepWall(Duration.ofHours(-1));
            }
            h.advanceAndTick(TICK);
            elapsed += TICK.toMillis();
            for (EmbeddedChannel t : sentAt.keySet()) {
                ISOMsg a = answer(t);
                if (a != null) {
                    assertEquals(Dialect.ISO87.timeoutCode(), a.getString(39));
                    assertNull(timedOutAt.put(t, elapsed), "answered once");
                }
            }
        }
        assertEquals(6, sentAt.size());
        for (Map.Entry<EmbeddedChannel, Long> e : sentAt.entrySet()) {
            long waited = timedOutAt.get(e.getKey()) - e.getValue();
            assertTrue(waited >= timeout && waited < timeout + TICK.toMillis(),
                    "timed out after " + waited + " ms, its deadline is " + timeout + " ms (ticks " + TICK.toMillis() + " ms)");
        }
        assertEquals(0, h.processor.inFlight());
    }

    @Test
    void shouldNotTimeOutWhenTheWallClockJumpsAheadOfTheDeadline() {
        EmbeddedChannel t = sale(1);
        h.clock.stepWall(Duration.ofHours(1));
        h.tick();
        assertNull(t.readOutbound(), "an hour of wall time is no time at all for the deadline");
        assertEquals(1, h.processor.inFlight());
        h.issuerAnswers(h.issuers.last(), "00");
        assertEquals("00", answer(t).getString(39), "the issuer's answer still counts");
    }

    @Test
    void shouldRetryAndExpireReversalsOnTheMonotonicClock() {
        sale(1);
        String rrn = h.issuers.last().getString(37);
        h.advanceAndTick(ProcessorHarness.TIMEOUT); // timed out: reversal queued
        h.tick();
        assertEquals(1, h.issuers.sent("0420").size());

        h.clock.stepWall(Duration.ofHours(2)); // past the SAF expiry (1 h) on the wall clock
        h.tick();
        assertFalse(h.stored(rrn).safExpired, "not expired by a wall-clock step");
        assertTrue(h.issuers.sent("0421").isEmpty(), "nor repeated early");

        h.clock.stepWall(Duration.ofHours(-3));
        h.advanceAndTick(ProcessorHarness.FIRST_RETRY.minusMillis(1));
        assertTrue(h.issuers.sent("0421").isEmpty(), "not before firstRetry");
        h.advanceAndTick(Duration.ofMillis(1));
        assertEquals(1, h.issuers.sent("0421").size(), "repeated at firstRetry, wall clock an hour back or not");

        h.advanceAndTick(ProcessorHarness.SAF_EXPIRY);
        assertTrue(h.stored(rrn).safExpired, "expired once an hour has really passed");
    }
}
