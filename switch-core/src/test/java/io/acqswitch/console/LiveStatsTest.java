package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import java.util.List;

/** The Live page's rate, approval share and sparkline, from one-second samples on an injected clock. */
class LiveStatsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong(0);
    private final LiveStats live = new LiveStats(registry, now::get);

    private void answer(String code, int n) {
        registry.counter("switch_terminal_responses", "class", "sale", "code", code).increment(n);
    }

    private void secondPasses() {
        now.addAndGet(1000);
        live.sample();
    }

    @Test
    void shouldShowNothingBeforeTwoSamples() {
        live.sample();
        LiveStats.Snapshot s = live.snapshot();
        assertEquals(0.0, s.tps());
        assertEquals(-1.0, s.approvalPercent(), "no answers: no share");
    }

    @Test
    void shouldRateTheLastFiveSecondsAndShareTheLastMinute() {
        live.sample();
        for (int i = 0; i < 60; i++) { // a minute at 10 a second, 8 approved
            answer("00", 8);
            answer("05", 2);
            secondPasses();
        }
        for (int i = 0; i < 5; i++) { // then five seconds at 40 a second, all approved
            answer("00", 40);
            secondPasses();
        }
        LiveStats.Snapshot s = live.snapshot();
        assertEquals(40.0, s.tps(), 1e-9);
        assertEquals(100.0 * (55 * 8 + 200) / (55 * 10 + 200), s.approvalPercent(), 1e-9);
        assertEquals(480 + 200, s.answersByCode().get("00"));
        assertEquals(120, s.answersByCode().get("05"));
    }

    @Test
    void shouldDrawOnePointPerTenSecondsOfTheLastTenMinutes() {
        live.sample();
        for (int i = 0; i < 30; i++) {
            answer("00", i < 10 ? 1 : 3);
            secondPasses();
        }
        assertEquals(List.of(1.0, 3.0, 3.0), live.snapshot().sparkline());
        for (int i = 0; i < 2 * LiveStats.KEEP_SECONDS; i++) {
            secondPasses();
        }
        assertEquals(LiveStats.KEEP_SECONDS / LiveStats.BUCKET_SECONDS, live.snapshot().sparkline().size(), "bounded");
    }
}
