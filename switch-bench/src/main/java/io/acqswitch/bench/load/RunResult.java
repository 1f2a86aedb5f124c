package io.acqswitch.bench.load;

import io.acqswitch.bench.load.TxnMix.Kind;
import java.util.Map;

/**
 * What one measured run at a fixed offered rate produced. Latencies are in milliseconds, measured
 * from each request's intended send time (coordinated-omission corrected), over the requests
 * scheduled inside the measurement window.
 *
 * @param target         "stub", "relay", "switch" or "jpos"
 * @param offeredTps     the scheduled rate
 * @param seconds        the measurement window
 * @param scheduled      requests scheduled in the window
 * @param achievedTps    answers received inside the window, per second
 * @param p50            latency percentiles and maximum, ms
 * @param codes          answers to requests scheduled in the window, by field 39
 * @param errors         requests of the whole run (warm-up included) not answered within the timeout,
 *                       not sent (connection down or, one connection per transaction, not connected), or answered with something that did not unpack
 * @param unmatched      answers whose STAN matched no outstanding request (late or foreign)
 * @param byKind         answers to requests scheduled in the window, by what was sent, then by field 39
 *                       (timeouts are left out of the latency percentiles: theirs is the issuer deadline)
 * @param unexpected     of those, answers other than the one their kind must get ({@link Kind#expects})
 * @param expected       what the ledgers must show after the whole run, warm-up included
 * @param cpuMicrosPerTxn  CPU time of the whole process (simulator, stub and target together) during
 *                         the window, per answer received in it; NaN when nothing was answered
 * @param allocBytesPerTxn heap allocated by all threads of the process during the window, per
 *                         answer received in it; NaN when nothing was answered
 */
record RunResult(String target, int offeredTps, int seconds, long scheduled, double achievedTps,
                 double p50, double p90, double p99, double p999, double max,
                 Map<String, Long> codes, long errors, long unmatched, Map<Kind, Map<String, Long>> byKind,
                 long unexpected, LedgerCheck.Expected expected, double cpuMicrosPerTxn, double allocBytesPerTxn) {

    /** Answers in the window that were approvals. */
    long approved() {
        return codes.getOrDefault("00", 0L);
    }

    /** Answers in the window of any code. */
    long answered() {
        return codes.values().stream().mapToLong(Long::longValue).sum();
    }
}
