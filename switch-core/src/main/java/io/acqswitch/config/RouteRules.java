package io.acqswitch.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The one place BIN routes are checked, for start-up ({@link ConfigValidator}) and for reloads
 * ({@code route.Router}) alike, turning each valid route into a numeric {@link Span} that
 * {@code route.BinTable} builds its table from. Each problem reads {@code name=value: reason}.
 */
public final class RouteRules {
    /** Longest prefix or range bound, in digits (11 fits a {@code long} with room, and covers 8-digit BINs and more). */
    public static final int MAX_DIGITS = 11;

    private RouteRules() {}

    /**
     * One valid route as an inclusive range of numbers of {@code length} digits (a prefix
     * {@code 476173} is 476173..476173 of length 6); {@code index} is its place in the config.
     */
    public record Span(int index, int length, long low, long high, String issuer) {}

    /**
     * The valid routes of {@code routing} as numeric spans; every problem found is added to {@code problems}.
     *
     * @param issuerIds the ids of the configured issuers; a route or default to any other is a problem
     * @param section   the name the problems start with, e.g. {@code "routing"} for
     *                  {@code routing.routes[2].low=5100: ...}; empty for a file holding only the section
     */
    public static List<Span> spans(SwitchConfig.Routing routing, Set<String> issuerIds, String section,
            List<String> problems) {
        String at = section == null || section.isEmpty() ? "" : section + ".";
        if (routing.defaultIssuer() != null && !issuerIds.contains(routing.defaultIssuer())) {
            problems.add(at + "defaultIssuer=" + routing.defaultIssuer() + ": no issuer has that id");
        }
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < routing.routes().size(); i++) {
            Span span = span(at + "routes[" + i + "]", i, routing.routes().get(i), issuerIds, problems);
            if (span != null) {
                spans.add(span);
            }
        }
        overlaps(at, routing, spans, problems);
        return spans;
    }

    private static Span span(String n, int index, SwitchConfig.Route r, Set<String> issuerIds,
            List<String> problems) {
        if (r == null) {
            problems.add(n + "=null: empty route (give prefix or low and high, and issuer)");
            return null;
        }
        if (r.issuer() == null || !issuerIds.contains(r.issuer())) {
            problems.add(n + ".issuer=" + r.issuer() + ": no issuer has that id");
        }
        boolean range = r.low() != null || r.high() != null;
        if (r.prefix() != null && range) {
            problems.add(n + ".prefix=" + r.prefix() + ": give either prefix or low and high, not both");
            return null;
        }
        if (r.prefix() == null && !range) {
            problems.add(n + ".prefix=null: a route needs a prefix or a low and high");
            return null;
        }
        if (r.prefix() != null) {
            if (!digits(n + ".prefix", r.prefix(), problems)) {
                return null;
            }
            long p = Long.parseLong(r.prefix());
            return new Span(index, r.prefix().length(), p, p, r.issuer());
        }
        if (r.low() == null || r.high() == null) {
            problems.add(r.low() == null
                    ? n + ".low=null: low and high go together (high=" + r.high() + ")"
                    : n + ".high=null: low and high go together (low=" + r.low() + ")");
            return null;
        }
        boolean ok = digits(n + ".low", r.low(), problems);
        ok &= digits(n + ".high", r.high(), problems);
        if (!ok) {
            return null;
        }
        if (r.low().length() != r.high().length()) {
            problems.add(n + ".low=" + r.low() + ": low and high must have the same length");
            return null;
        }
        long low = Long.parseLong(r.low());
        long high = Long.parseLong(r.high());
        if (low > high) {
            problems.add(n + ".low=" + r.low() + ": must not be above high (" + r.high() + ")");
            return null;
        }
        return new Span(index, r.low().length(), low, high, r.issuer());
    }

    private static boolean digits(String name, String value, List<String> problems) {
        boolean ok = !value.isEmpty() && value.length() <= MAX_DIGITS;
        for (int i = 0; ok && i < value.length(); i++) {
            ok = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        if (!ok) {
            problems.add(name + "=" + value + ": must be 1 to " + MAX_DIGITS + " digits");
        }
        return ok;
    }

    /**
     * Reports every route that overlaps an equal-length route to another issuer (same-issuer overlaps
     * are fine: the table merges them). Per length, a sweep in order of {@code low} keeps the
     * reaching-furthest span so far and the reaching-furthest one of any other issuer: a span
     * conflicts with some earlier span exactly when one of those two belongs to another issuer and
     * reaches it. O(n log n), so large BIN files validate quickly.
     */
    private static void overlaps(String at, SwitchConfig.Routing routing, List<Span> spans,
            List<String> problems) {
        List<Span> sorted = spans.stream()
                .sorted(Comparator.comparingInt(Span::length).thenComparingLong(Span::low)
                        .thenComparingInt(Span::index))
                .toList();
        List<int[]> pairs = new ArrayList<>();
        Span best = null;
        Span other = null; // furthest-reaching span whose issuer differs from best's
        for (Span s : sorted) {
            if (best != null && best.length() != s.length()) {
                best = null;
                other = null;
            }
            if (best != null) {
                Span rival = !same(best, s) ? best : other;
                if (rival != null && rival.high() >= s.low()) {
                    pairs.add(new int[] {Math.min(rival.index(), s.index()), Math.max(rival.index(), s.index())});
                }
            }
            if (best == null) {
                best = s;
            } else if (same(best, s)) {
                if (s.high() > best.high()) {
                    best = s;
                }
            } else if (s.high() > best.high()) {
                other = best;
                best = s;
            } else if (other == null || s.high() > other.high()) {
                other = s;
            }
        }
        pairs.sort(Comparator.<int[]>comparingInt(p -> p[1]).thenComparingInt(p -> p[0]));
        for (int[] p : pairs) {
            SwitchConfig.Route earlier = routing.routes().get(p[0]);
            SwitchConfig.Route later = routing.routes().get(p[1]);
            String field = later.prefix() != null ? ".prefix=" + later.prefix() : ".low=" + later.low();
            problems.add(at + "routes[" + p[1] + "]" + field + ": overlaps " + at + "routes[" + p[0] + "] ("
                    + describe(earlier) + ") but goes to " + later.issuer()
                    + "; equal-length routes to different issuers must not overlap");
        }
    }

    private static boolean same(Span a, Span b) {
        return a.issuer() == null ? b.issuer() == null : a.issuer().equals(b.issuer());
    }

    private static String describe(SwitchConfig.Route r) {
        return (r.prefix() != null ? "prefix " + r.prefix() : r.low() + ".." + r.high()) + " to " + r.issuer();
    }
}
