package io.acqswitch.route;

import io.acqswitch.config.RouteRules;
import io.acqswitch.config.RouteRules.Span;
import io.acqswitch.config.SwitchConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * An immutable BIN table: for a PAN, the issuer of the longest matching prefix or range, else the
 * default issuer. Built only through {@link #build}, which validates the routes first.
 *
 * <p>Every route is held as an inclusive range of numbers of one length n (a prefix {@code 476173}
 * is the range 476173..476173 of length 6). Per length, the ranges are sorted, merged and probed by
 * binary search; a lookup reads the PAN's digits into a {@code long} in one pass, probing each
 * length that has routes on the way, so it allocates nothing. Safe for any number of threads.
 */
public final class BinTable {
    private static final int MAX_DIGITS = RouteRules.MAX_DIGITS;

    /** The outcome of {@link #build}: a table, or every problem found. */
    public sealed interface Result {
        /** The routes are valid; {@code table} routes them. */
        record Built(BinTable table) implements Result {}

        /** The routes cannot be used; each problem reads {@code name=value: reason}. */
        record Invalid(List<String> problems) implements Result {
            public Invalid {
                problems = List.copyOf(problems);
            }
        }
    }

    private final SwitchConfig.Routing routing;
    private final String defaultIssuer;
    /** Lengths that have at least one range, longest first (for toString). */
    private final int[] lengths;
    /** Per length (index = length): sorted, disjoint ranges and their issuers; null when the length has none. */
    private final long[][] lows;
    private final long[][] highs;
    private final String[][] issuers;

    private BinTable(SwitchConfig.Routing routing, List<Span> spans) {
        this.routing = routing;
        this.defaultIssuer = routing.defaultIssuer();
        this.lows = new long[MAX_DIGITS + 1][];
        this.highs = new long[MAX_DIGITS + 1][];
        this.issuers = new String[MAX_DIGITS + 1][];
        List<Integer> present = new ArrayList<>();
        for (int len = MAX_DIGITS; len >= 1; len--) {
            final int n = len;
            List<Span> ofLength = spans.stream().filter(s -> s.length() == n)
                    .sorted(Comparator.comparingLong(Span::low)).toList();
            if (ofLength.isEmpty()) {
                continue;
            }
            present.add(len);
            // Validation left only same-issuer overlaps: merge them so the ranges are disjoint.
            List<Span> merged = new ArrayList<>();
            for (Span s : ofLength) {
                Span last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && s.low() <= last.high()) {
                    merged.set(merged.size() - 1, new Span(last.index(), n, last.low(), Math.max(last.high(), s.high()), last.issuer()));
                } else {
                    merged.add(s);
                }
            }
            lows[len] = merged.stream().mapToLong(Span::low).toArray();
            highs[len] = merged.stream().mapToLong(Span::high).toArray();
            issuers[len] = merged.stream().map(Span::issuer).toArray(String[]::new);
        }
        this.lengths = present.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Validates {@code routing} and builds its table.
     *
     * @param issuerIds the ids of the configured issuers; a route or default to any other is a problem
     * @param section   the name the problems start with, e.g. {@code "routing"} for
     *                  {@code routing.routes[2].low=5100: ...}; empty for a file holding only the section
     */
    public static Result build(SwitchConfig.Routing routing, Set<String> issuerIds, String section) {
        List<String> problems = new ArrayList<>();
        List<Span> spans = RouteRules.spans(routing, issuerIds, section, problems);
        return problems.isEmpty()
                ? new Result.Built(new BinTable(routing, spans))
                : new Result.Invalid(problems);
    }

    /**
     * The issuer for {@code pan}: the longest matching route's, else the default issuer, else
     * {@code null} (the caller answers 15). A route of length n matches when the PAN has at least n
     * digits and its first n, read as a number, lie in the route's range. A PAN that is null, empty
     * or has a non-digit anywhere matches nothing and gets {@code null}, not the default: it is not
     * a card number. Allocation-free.
     */
    public String route(CharSequence pan) {
        if (pan == null) {
            return null;
        }
        int len = pan.length();
        if (len == 0) {
            return null;
        }
        // One pass: read digits into a number and probe each length that has routes as soon as
        // that many digits are in; the last (longest) hit wins. Digits past 11 are only checked.
        String best = null;
        long head = 0;
        for (int i = 0; i < len; i++) {
            char c = pan.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            if (i < MAX_DIGITS) {
                head = head * 10 + (c - '0');
                if (lows[i + 1] != null) {
                    String issuer = probe(i + 1, head);
                    if (issuer != null) {
                        best = issuer;
                    }
                }
            }
        }
        return best != null ? best : defaultIssuer;
    }

    private String probe(int n, long value) {
        long[] lo = lows[n];
        int a = 0;
        int b = lo.length - 1;
        int found = -1;
        while (a <= b) { // the last range whose low is <= value
            int mid = (a + b) >>> 1;
            if (lo[mid] <= value) {
                found = mid;
                a = mid + 1;
            } else {
                b = mid - 1;
            }
        }
        return found >= 0 && value <= highs[n][found] ? issuers[n][found] : null;
    }

    /** The routes and default issuer this table was built from (as configured, before merging). */
    public SwitchConfig.Routing routing() {
        return routing;
    }

    /** How many routes were configured. */
    public int size() {
        return routing.routes().size();
    }

    /** The issuer for PANs no route matches, or null. */
    public String defaultIssuer() {
        return defaultIssuer;
    }

    @Override
    public String toString() {
        return "BinTable[" + size() + " routes, lengths " + Arrays.toString(lengths) + ", default " + defaultIssuer + "]";
    }
}
