package io.acqswitch.bench.load;

import io.acqswitch.bench.load.TxnMix.Kind;
import java.util.Map;

/**
 * What one measured run produced, at a fixed offered rate (open model) or with a fixed number of
 * requests in flight (closed loop). Latencies are in milliseconds over the requests scheduled (open)
 * or sent (closed) inside the measurement window, measured from each request's intended send time
 * (open: coordinated-omission corrected) or from when it was sent (closed: a closed loop sends
 * nothing while it waits, so there is no omission to correct).
 *
 * @param target         "stub", "relay", "switch" or "jpos"
 * @param offeredTps     the scheduled rate; 0 for a closed loop
 * @param shape          the closed loop's connections x in-flight ({@code 50x1}); null for the open model
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
 * @param cpuMicrosPerTxn  CPU time of the process that served the target (the load harness: the target's
 *                         own JVM, the stub's for stub-direct; the soak: its whole JVM) during the window,
 *                         per answer received in it; NaN when nothing was answered or it was not known
 * @param allocBytesPerTxn heap allocated by all threads of that process during the window, per answer
 *                         received in it; NaN likewise
 */
record RunResult(String target, int offeredTps, LoadOptions.Shape shape, int seconds, long scheduled, double achievedTps,
                 double p50, double p90, double p99, double p999, double max,
                 Map<String, Long> codes, long errors, long unmatched, Map<Kind, Map<String, Long>> byKind,
                 long unexpected, LedgerCheck.Expected expected, double cpuMicrosPerTxn, double allocBytesPerTxn) {

    /** {@code closed 50x1}, or {@code open 2000/s}. */
    String load() {
        return shape != null ? "closed " + shape : "open " + offeredTps + "/s";
    }

    /** Answers in the window that were approvals. */
    long approved() {
        return codes.getOrDefault("00", 0L);
    }

    /** Answers in the window of any code. */
    long answered() {
        return codes.values().stream().mapToLong(Long::longValue).sum();
    }
}
