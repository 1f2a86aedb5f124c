package io.acqswitch.bench.load;

import java.util.Locale;

/**
 * One interval of a soak run: what the terminals saw during it and the state of the process at its
 * end. Latencies are in milliseconds from each request's intended send time to its answer
 * (coordinated-omission corrected), over the answers read during the interval.
 *
 * @param elapsedSeconds  end of the interval, seconds since the first request was due
 * @param seconds         length of the interval
 * @param phase           {@code warmup} (began inside the warm-up), {@code load}, or {@code drain} (the last
 *                        sample: after the last request was due, connections closing); only {@code load}
 *                        samples enter the verdict
 * @param answers         answers read in the interval
 * @param achievedTps     {@code answers / seconds}
 * @param p50             latency percentiles and maximum of the interval, ms (0 when nothing was answered)
 * @param errors          requests that became errors in the interval (not sent, or unanswered after 10 s)
 * @param notApproved     answers other than {@code 00}
 * @param heapUsedMb      heap in use at the end of the interval
 * @param heapAfterGcMb   heap in use right after the most recent collection (-1 before the first)
 * @param gcCount         collections in the interval (every collector the JVM reports)
 * @param gcMillis        their accumulated time in the interval
 * @param fds             open file descriptors of the process ({@code /proc/self/fd}; -1 elsewhere)
 * @param storeRecords    records in the switch's store
 * @param storeDiskMb     disk blocks of the store's files (Chronicle Map files are sparse: blocks, not length)
 * @param journalDiskMb   disk blocks of the embedded journal database
 * @param journalBacklog  changes the journal has accepted but not yet written
 * @param journalOldestS  age of the oldest of them, seconds
 * @param load1           the machine's 1-minute load average ({@code /proc/loadavg}; -1 elsewhere): the
 *                        machine is shared, and other work shows up as latency
 */
record SoakSample(double elapsedSeconds, double seconds, String phase, long answers, double achievedTps,
                  double p50, double p99, double max, long errors, long notApproved,
                  double heapUsedMb, double heapAfterGcMb, long gcCount, long gcMillis, long fds,
                  long storeRecords, double storeDiskMb, double journalDiskMb, long journalBacklog, double journalOldestS,
                  double load1) {

    static final String CSV_HEADER = "elapsed_s,interval_s,phase,answers,achieved_tps,p50_ms,p99_ms,max_ms,errors,"
            + "not_approved,heap_used_mb,heap_after_gc_mb,gc_count,gc_ms,open_fds,store_records,store_disk_mb,"
            + "journal_disk_mb,journal_backlog,journal_oldest_pending_s,load1";

    String csv() {
        return String.format(Locale.ROOT, "%.1f,%.2f,%s,%d,%.1f,%.3f,%.3f,%.3f,%d,%d,%.1f,%.1f,%d,%d,%d,%d,%.1f,%.1f,%d,%.1f,%.2f",
                elapsedSeconds, seconds, phase, answers, achievedTps, p50, p99, max, errors, notApproved, heapUsedMb,
                heapAfterGcMb, gcCount, gcMillis, fds, storeRecords, storeDiskMb, journalDiskMb, journalBacklog,
                journalOldestS, load1);
    }

    /** One console line per sample. */
    String line() {
        return String.format(Locale.ROOT,
                "t=%6.0fs %7.1f tps p50 %7.3f p99 %8.3f max %8.3f ms err %d heap %6.1f (after GC %6.1f) MB gc %d/%d ms"
                        + " fds %d store %d rec %.1f MB journal %.1f MB backlog %d load %.2f %s",
                elapsedSeconds, achievedTps, p50, p99, max, errors, heapUsedMb, heapAfterGcMb, gcCount, gcMillis, fds,
                storeRecords, storeDiskMb, journalDiskMb, journalBacklog, load1, phase);
    }
}
