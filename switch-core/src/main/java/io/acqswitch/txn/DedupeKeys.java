package io.acqswitch.txn;

import io.acqswitch.iso.CupFields;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.TerminalRequest;
import org.jpos.iso.ISOMsg;

/**
 * The keys a terminal's request is found by (docs/domain.md, "Matching keys"):
 * <ul>
 *   <li>dedupe: acquirer (32) | merchant (42) | terminal (41) | STAN (11) | transmission time (7),
 *       or for cup (whose terminals send no 7) the batch 60.2;</li>
 *   <li>original: acquirer | merchant | terminal | STAN, what a reversal names (its own 11, or 90);</li>
 *   <li>fingerprint: a hash of what must not differ between a request and its repeat.</li>
 * </ul>
 * Public for {@code switch-bench}'s {@code DedupeStoreBenchmark}, which measures these very keys.
 * Pure functions; any thread.
 */
public final class DedupeKeys {
    static final String DEDUPE = "D|";
    static final String ORIGINAL = "S|";
    static final String REVERSED_FIRST = "R|";

    private DedupeKeys() {}

    /** The dedupe key of {@code r}: a fresh {@code String}, {@code D|32|42|41|11|7} (cup: 60.2 for 7). */
    public static String dedupe(TerminalRequest r) {
        ISOMsg m = r.message();
        String occasion = r.dialect() == Dialect.CUP ? CupFields.batch(m) : nullToEmpty(m.getString(7));
        return DEDUPE + terminalPart(r) + r.stan() + '|' + occasion;
    }

    static String original(TerminalRequest r, String stan) {
        return ORIGINAL + terminalPart(r) + stan;
    }

    /** The STAN of the original a reversal names: field 90's original STAN if present, else its own 11. */
    static String reversedStan(TerminalRequest r) {
        String f90 = r.message().getString(90);
        return f90 != null && f90.length() >= 10 ? f90.substring(4, 10) : r.stan();
    }

    static long fingerprint(TerminalRequest r) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, r.mti());
        h = fnv(h, r.processingCode());
        h = h * 0x100000001b3L ^ r.amount();
        h = fnv(h, r.pan());
        return fnv(h, r.message().getString(49));
    }

    /** The terminal a request comes from, {@code acquirer (32 as sent)|merchant|terminal}: what a cluster partitions by. */
    public static String terminal(TerminalRequest r) {
        return nullToEmpty(r.message().getString(32)) + '|' + r.merchantId() + '|' + r.terminalId();
    }

    private static String terminalPart(TerminalRequest r) {
        return nullToEmpty(r.message().getString(32)) + '|' + r.merchantId() + '|' + r.terminalId() + '|';
    }

    private static long fnv(long h, String s) {
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x100000001b3L;
            }
        }
        return (h ^ '|') * 0x100000001b3L;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
