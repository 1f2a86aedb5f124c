package io.acqswitch.metrics;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines for events that can come in storms (malformed frames, late or unmatched issuer answers,
 * vanished terminals, a full store): at most one line per kind per interval, carrying the count of
 * lines suppressed since, so a storm produces a handful of lines while the meters count every event.
 * Thread-safe.
 */
public final class ThrottledLog {
    private final Logger log;
    private final Level level;
    private final long intervalNanos;
    private final Map<String, long[]> state = new HashMap<>();

    public ThrottledLog(Logger log, Level level, long intervalMillis) {
        this.log = log;
        this.level = level;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /**
     * Logs {@code message} (SLF4J {@code {}} placeholders) unless a line of the same {@code kind} was
     * logged within the interval. Arguments must already be free of card data.
     */
    public void log(String kind, String message, Object... args) {
        long now = System.nanoTime();
        long suppressed;
        synchronized (state) {
            long[] s = state.computeIfAbsent(kind, k -> new long[] {now - intervalNanos, 0});
            if (now - s[0] < intervalNanos) {
                s[1]++;
                return;
            }
            suppressed = s[1];
            s[0] = now;
            s[1] = 0;
        }
        String line = suppressed > 0 ? message + " (" + suppressed + " similar lines not logged)" : message;
        log.atLevel(level).log(line, args);
    }
}
