package io.acqswitch.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.acqswitch.config.SwitchConfig.Route;
import io.acqswitch.config.SwitchConfig.Routing;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BinTableTest {
    private static final Set<String> ISSUERS = Set.of("a", "b", "c");

    static Route prefix(String p, String issuer) {
        return new Route(p, null, null, issuer);
    }

    static Route range(String low, String high, String issuer) {
        return new Route(null, low, high, issuer);
    }

    private static BinTable table(String defaultIssuer, Route... routes) {
        BinTable.Result r = BinTable.build(new Routing(List.of(routes), defaultIssuer), ISSUERS, "routing");
        return assertInstanceOf(BinTable.Result.Built.class, r, r::toString).table();
    }

    private static List<String> problems(String defaultIssuer, Route... routes) {
        BinTable.Result r = BinTable.build(new Routing(List.of(routes), defaultIssuer), ISSUERS, "routing");
        return assertInstanceOf(BinTable.Result.Invalid.class, r, r::toString).problems();
    }

    @Test
    void shouldPreferLongestMatchingPrefix() {
        BinTable t = table(null, prefix("4", "a"), prefix("476173", "b"));
        assertEquals("b", t.route("4761739001010010"));
        assertEquals("a", t.route("4111111111111111"));
        assertEquals("a", t.route("4761749001010010"));
    }

    @Test
    void shouldPreferLongerRangeOverShorterPrefix() {
        BinTable t = table(null, prefix("5", "a"), range("5100", "5199", "c"), range("51", "55", "b"));
        assertEquals("c", t.route("5150000000000000"));
        assertEquals("b", t.route("5200000000000000"));
        assertEquals("a", t.route("5600000000000000"));
    }

    @Test
    void shouldMatchRangeByLeadingDigits() {
        BinTable t = table(null, range("51", "55", "b"));
        assertEquals("b", t.route("5300000000000000"));
        assertEquals("b", t.route("5100000000000000"));
        assertEquals("b", t.route("5599999999999999"));
        assertNull(t.route("5600000000000000"));
        assertNull(t.route("5099999999999999"));
    }

    @Test
    void shouldMatchElevenDigitRoutes() {
        BinTable t = table(null, range("22210000000", "22210000009", "b"), prefix("2", "a"));
        assertEquals("b", t.route("2221000000512345"));
        assertEquals("a", t.route("2221000001012345"));
    }

    @Test
    void shouldUseDefaultIssuerWhenNothingMatches() {
        BinTable t = table("c", prefix("4", "a"));
        assertEquals("c", t.route("6011000000000004"));
        assertEquals("a", t.route("4000000000000002"));
    }

    @Test
    void shouldAnswerNullWithoutDefaultIssuer() {
        assertNull(table(null, prefix("4", "a")).route("6011000000000004"));
        assertNull(table(null).route("4000000000000002"));
    }

    @Test
    void shouldNotMatchRouteLongerThanPan() {
        BinTable t = table("c", prefix("4", "a"), prefix("476173", "b"));
        assertEquals("a", t.route("47617"));
        assertEquals("b", t.route("476173"));
        assertEquals("c", t.route("5"));
    }

    @Test
    void shouldMatchNothingForNonDigitPan() {
        BinTable t = table("c", prefix("4", "a"));
        assertNull(t.route("4111x11111111111"));
        assertNull(t.route("41111111111111 1"));
        assertNull(t.route(""));
        assertNull(t.route(null));
    }

    @Test
    void shouldKeepLeadingZerosInRoutes() {
        BinTable t = table(null, prefix("04", "a"), prefix("4", "b"));
        assertEquals("a", t.route("0412345678901"));
        assertEquals("b", t.route("4123456789012"));
    }

    @Test
    void shouldRejectOverlappingRangesToDifferentIssuers() {
        List<String> p = problems(null, range("51", "55", "b"), range("40", "49", "a"), range("55", "59", "a"));
        assertEquals(List.of("routing.routes[2].low=55: overlaps routing.routes[0] (51..55 to b) but goes to a;"
                + " equal-length routes to different issuers must not overlap"), p);
    }

    @Test
    void shouldTreatPrefixAsSingleValueRange() {
        List<String> p = problems(null, prefix("4", "a"), range("4", "4", "b"));
        assertEquals(List.of("routing.routes[1].low=4: overlaps routing.routes[0] (prefix 4 to a) but goes to b;"
                + " equal-length routes to different issuers must not overlap"), p);
    }

    @Test
    void shouldFindOverlapHiddenBehindWiderSameIssuerRange() {
        // 10..90 to a reaches furthest; 20..30 to b and 25..25 to c still overlap each other.
        List<String> p = problems(null, range("10", "90", "a"), range("20", "30", "b"), range("25", "25", "a"));
        assertEquals(2, p.size(), p::toString);
        assertTrue(p.get(0).startsWith("routing.routes[1].low=20: overlaps routing.routes[0]"), p::toString);
        assertTrue(p.get(1).startsWith("routing.routes[2].low=25: overlaps routing.routes[1]"), p::toString);
    }

    @Test
    void shouldAllowOverlappingRangesToSameIssuer() {
        BinTable t = table(null, range("51", "53", "b"), range("52", "55", "b"), prefix("54", "b"), range("56", "57", "a"));
        assertEquals("b", t.route("5100000000000000"));
        assertEquals("b", t.route("5500000000000000"));
        assertEquals("a", t.route("5600000000000000"));
    }

    @Test
    void shouldAllowDifferentLengthsToOverlap() {
        BinTable t = table(null, range("40", "49", "a"), range("400", "499", "b"));
        assertEquals("b", t.route("4500000000000000"));
    }

    @Test
    void shouldRejectLowAboveHigh() {
        assertEquals(List.of("routing.routes[0].low=55: must not be above high (51)"),
                problems(null, range("55", "51", "b")));
    }

    @Test
    void shouldRejectBadRouteShapes() {
        List<String> p = problems("nobody",
                prefix("4x", "a"),
                prefix("", "a"),
                prefix("123456789012", "a"),
                new Route("4", "40", "49", "a"),
                new Route(null, null, null, "a"),
                new Route(null, "40", null, "a"),
                range("5100", "55", "b"),
                prefix("4", "nobody"),
                prefix("5", null));
        assertEquals(List.of(
                "routing.defaultIssuer=nobody: no issuer has that id",
                "routing.routes[0].prefix=4x: must be 1 to 11 digits",
                "routing.routes[1].prefix=: must be 1 to 11 digits",
                "routing.routes[2].prefix=123456789012: must be 1 to 11 digits",
                "routing.routes[3].prefix=4: give either prefix or low and high, not both",
                "routing.routes[4].prefix=null: a route needs a prefix or a low and high",
                "routing.routes[5].high=null: low and high go together (low=40)",
                "routing.routes[6].low=5100: low and high must have the same length",
                "routing.routes[7].issuer=nobody: no issuer has that id",
                "routing.routes[8].issuer=null: no issuer has that id"), p);
    }

    @Test
    void shouldNameProblemsRelativeToSection() {
        BinTable.Result r = BinTable.build(new Routing(List.of(range("55", "51", "a")), null), ISSUERS, "");
        List<String> p = assertInstanceOf(BinTable.Result.Invalid.class, r, r::toString).problems();
        assertEquals(List.of("routes[0].low=55: must not be above high (51)"), p);
    }

    @Test
    void shouldRouteWithoutAllocating() {
        BinTable t = table("c", prefix("4", "a"), prefix("476173", "b"), range("2221", "2720", "b"), range("51", "55", "b"));
        String[] pans = {"4761739001010010", "4111111111111111", "2223000048400011", "5300000000000000", "6011000000000004"};
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        int hits = 0;
        for (int i = 0; i < 20_000; i++) { // warm up, including the measuring call itself
            hits += t.route(pans[i % pans.length]).length();
        }
        threads.getThreadAllocatedBytes(tid);
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            hits += t.route(pans[i % pans.length]).length();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(hits > 0);
        // 100k lookups; allow a little for the measuring call, far below one object per lookup
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 100000 lookups");
    }
}
