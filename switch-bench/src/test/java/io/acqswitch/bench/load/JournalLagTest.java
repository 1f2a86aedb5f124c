package io.acqswitch.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** The journal lag's quantiles come from the difference of two scrapes of the switch's lag histogram. */
class JournalLagTest {
    /** A scrape as the switch's Micrometer Prometheus registry writes it (other metrics around it). */
    private static String scrape(long le1ms, long le10ms, long le100ms, long le1s, long inf) {
        return """
                # HELP switch_journal_lag_seconds Journal lag
                # TYPE switch_journal_lag_seconds histogram
                switch_journal_lag_seconds_bucket{application="acquirer-switch",le="0.001"} %d
                switch_journal_lag_seconds_bucket{application="acquirer-switch",le="0.01"} %d
                switch_journal_lag_seconds_bucket{application="acquirer-switch",le="0.1"} %d
                switch_journal_lag_seconds_bucket{application="acquirer-switch",le="1.0"} %d
                switch_journal_lag_seconds_bucket{application="acquirer-switch",le="+Inf"} %d
                switch_journal_lag_seconds_count{application="acquirer-switch"} %d
                switch_journal_lag_seconds_sum{application="acquirer-switch"} 12.5
                switch_journal_queue_depth{application="acquirer-switch"} 3.0
                """.formatted(le1ms, le10ms, le100ms, le1s, inf, inf);
    }

    @Test
    void shouldTakeTheQuantilesOfTheWindowOnlyInterpolatingWithinABucket() {
        // before: 1000 rows, all slow (a warm-up the window must not count)
        NavigableMap<Double, Double> before = JournalLag.buckets(scrape(0, 0, 0, 1000, 1000));
        // the window adds 100 rows: 10 under 1 ms, 80 more under 10 ms, 10 more under 100 ms
        NavigableMap<Double, Double> window = JournalLag.difference(before, JournalLag.buckets(scrape(10, 90, 100, 1100, 1100)));

        assertEquals(100, JournalLag.count(window));
        assertEquals(0.0005, JournalLag.quantile(0.05, window), 1e-9); // half-way through the first bucket, from 0
        assertEquals(0.001 + 0.009 * 40 / 80, JournalLag.quantile(0.5, window), 1e-9);
        assertEquals(0.01 + 0.09 * 9 / 10, JournalLag.quantile(0.99, window), 1e-9);
    }

    @Test
    void shouldAnswerTheHighestFiniteBoundInTheInfiniteBucketAndNothingForNoRows() {
        NavigableMap<Double, Double> slow = JournalLag.buckets(scrape(0, 0, 0, 0, 10));
        assertEquals(1.0, JournalLag.quantile(0.99, slow));
        assertTrue(Double.isNaN(JournalLag.quantile(0.99, JournalLag.buckets(scrape(0, 0, 0, 0, 0)))));
    }

    @Test
    void shouldRefuseMetricsWithoutTheLagHistogram() {
        assertEquals("no switch_journal_lag_seconds_bucket in the switch's /metrics (is its journal on?)",
                assertThrows(IllegalStateException.class, () -> JournalLag.buckets("switch_journal_up 1.0\n")).getMessage());
    }
}
