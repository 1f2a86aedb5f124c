package io.acqswitch.metrics;

import io.acqswitch.iso.LogText;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines for events that can come in storms (malformed frames, late or unmatched issuer answers,
 * vanished terminals, a full store, batch-upload differences): at most one line per kind per
 * interval, carrying the count of lines suppressed since, so a storm produces a handful of lines
 * while the meters count every event. Thread-safe.
 *
 * <p>Kinds must come from a fixed set (a constant, or a constant and a configured id): one is
 * remembered per kind for the life of the process. Lines are escaped by the log configuration
 * ({@link EscapedMessageConverter}); terminal text in arguments is best escaped by the caller too
 * ({@link LogText#escape}), for configurations that do not use it.
 */
public final class ThrottledLog {
    /** Findings shown in one {@link #logFindings} line; the rest are counted. */
    public static final int FINDINGS_SHOWN = 3;

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
        String suppressed = admit(kind);
        if (suppressed != null) {
            log.atLevel(level).log(message + suppressed, args);
        }
    }

    /**
     * One line for the many findings of one event, e.g. the differences of one batch upload:
     * {@code message}, then {@code ": N findings: a; b; c (and N-3 more)"}, throttled under
     * {@code kind} like {@link #log}. Nothing is logged, and nothing counted, for an empty list. So
     * 1 000 uploads of 49 differences each make a line or two per interval, not 49 000 lines; the
     * findings themselves belong on the record and in the metrics, not in the log.
     *
     * @param findings each rendered with {@code toString()}; must be free of card data
     */
    public void logFindings(String kind, String message, List<?> findings, Object... args) {
        if (findings.isEmpty()) {
            return;
        }
        String suppressed = admit(kind);
        if (suppressed == null) {
            return;
        }
        int shown = Math.min(FINDINGS_SHOWN, findings.size());
        StringBuilder listed = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            listed.append(i == 0 ? "" : "; ").append(findings.get(i));
        }
        if (findings.size() > shown) {
            listed.append(" (and ").append(findings.size() - shown).append(" more)");
        }
        // the findings go in as arguments, not into the template: a brace in one must not consume an argument
        Object[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = findings.size();
        all[args.length + 1] = listed.toString();
        log.atLevel(level).log(message + ": {} " + (findings.size() == 1 ? "finding" : "findings") + ": {}" + suppressed, all);
    }

    /** The suffix to log ("" or the suppressed count) if a line of {@code kind} may go out now, else null. */
    private String admit(String kind) {
        long now = System.nanoTime();
        long suppressed;
        synchronized (state) {
            long[] s = state.computeIfAbsent(kind, k -> new long[] {now - intervalNanos, 0});
            if (now - s[0] < intervalNanos) {
                s[1]++;
                return null;
            }
            suppressed = s[1];
            s[0] = now;
            s[1] = 0;
        }
        return suppressed > 0 ? " (" + suppressed + " similar lines not logged)" : "";
    }
}
