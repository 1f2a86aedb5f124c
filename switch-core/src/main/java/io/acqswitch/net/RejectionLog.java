package io.acqswitch.net;

import io.acqswitch.iso.Malformation;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs rejected input at most once per reason per interval, with the count suppressed since, so a
 * storm of bad frames produces a handful of lines. Thread-safe.
 */
final class RejectionLog {
    private final Logger log;
    private final long intervalNanos;
    private final Map<Malformation, long[]> state = new EnumMap<>(Malformation.class);

    RejectionLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** @param detail must already be free of card data */
    void rejected(Malformation reason, String remote, String detail) {
        long now = System.nanoTime();
        long suppressed;
        synchronized (state) {
            long[] s = state.computeIfAbsent(reason, r -> new long[] {now - intervalNanos, 0});
            if (now - s[0] < intervalNanos) {
                s[1]++;
                return;
            }
            suppressed = s[1];
            s[0] = now;
            s[1] = 0;
        }
        log.warn("rejected terminal input reason={} remote={} detail={}{}", reason.tag(), remote, detail,
                suppressed > 0 ? " (" + suppressed + " similar rejections not logged)" : "");
    }
}
