package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.journal.JournalQueries;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The console's HTTP layer over a real socket, without a browser: the login (the admin token is
 * the password), the session cookie's flags, CSRF refusals and the token's refusals, all counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleHttpTest {
    private static final String TOKEN = "console-test-token-0123";
    private static Rig rig;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        rig = Rig.start(2000, yaml -> yaml.replace("http: {port: 0}", "http: {port: 0, token: " + TOKEN + "}"));
        http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        http.close();
        rig.close();
    }

    static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String cookie, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + rig.node.httpPort() + path);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Logs in as {@code who}; returns the {@code name=value} of the session cookie. */
    static String login(String who) throws Exception {
        HttpResponse<String> r = post("/console/login", null, "who=" + enc(who) + "&token=" + enc(TOKEN));
        assertEquals(303, r.statusCode(), r.body());
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    static String csrf(String page) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
        assertTrue(m.find(), "the page carries a CSRF token");
        return m.group(1);
    }

    private static double refused(String reason) {
        return rig.counted("switch_console_refusals", "reason", reason);
    }

    @Test
    void shouldSendAnOperatorWithoutASessionToTheLoginPage() throws Exception {
        HttpResponse<String> r = get("/console/live", null);
        assertEquals(303, r.statusCode());
        assertEquals("/console/login", r.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> page = get("/console/login", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("name=\"token\""), "a token is configured, so the login asks for it");
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
        HttpResponse<String> polled = http.send(HttpRequest.newBuilder(uri("/console/live/panel")).header("HX-Request", "true")
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, polled.statusCode(), "htmx's poll with no session");
        assertEquals("/console/login", polled.headers().firstValue("HX-Redirect").orElseThrow());
    }

    @Test
    void shouldRefuseAWrongTokenAndCountIt() throws Exception {
        double before = refused("login");
        HttpResponse<String> r = post("/console/login", null, "who=mallory&token=not-the-token-at-all");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("Wrong token."));
        assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), "no session for a wrong token");
        assertEquals(before + 1, refused("login"));
        assertEquals(400, post("/console/login", null, "who=&token=" + enc(TOKEN)).statusCode(), "a name is required");
    }

    @Test
    void shouldOpenAnHttpOnlySameSiteStrictSessionForTheRightToken() throws Exception {
        HttpResponse<String> r = post("/console/login", null, "who=alice&token=" + enc(TOKEN));
        assertEquals(303, r.statusCode());
        assertEquals("/console/live", r.headers().firstValue("Location").orElseThrow());
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(set.startsWith(Console.COOKIE + "="), set);
        assertTrue(set.contains("; HttpOnly"), set);
        assertTrue(set.contains("; SameSite=Strict"), set);
        assertTrue(set.contains("; Path=/console"), set);
        String cookie = set.substring(0, set.indexOf(';'));
        HttpResponse<String> live = get("/console/live", cookie);
        assertEquals(200, live.statusCode());
        assertTrue(live.body().contains("answers per second"), live.body());
        assertTrue(live.body().contains("<span id=\"who\">alice</span>"), "the operator's name is shown");
        assertEquals(200, get("/console/live/panel", cookie).statusCode());
        assertEquals(303, get("/console/live", Console.COOKIE + "=forged-session-id").statusCode(), "an unknown session id");
    }

    @Test
    void shouldRefuseAStateChangeWithoutTheSessionsCsrfToken() throws Exception {
        String cookie = login("bob");
        String token = csrf(get("/console/saf", cookie).body());
        double before = refused("csrf");
        assertEquals(403, post("/console/saf/000000000001/resolve", cookie, "note=x").statusCode(), "no CSRF token");
        assertEquals(403, post("/console/saf/000000000001/resolve", cookie, "note=x&csrf=" + token + "x").statusCode(),
                "a wrong CSRF token");
        String other = csrf(get("/console/saf", login("carol")).body());
        assertEquals(403, post("/console/logout", cookie, "csrf=" + other).statusCode(), "another session's token");
        assertEquals(before + 3, refused("csrf"));
        assertEquals(401, post("/console/logout", null, "csrf=" + token).statusCode(), "no session at all");
        HttpResponse<String> out = post("/console/logout", cookie, "csrf=" + token);
        assertEquals(303, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertEquals(303, get("/console/live", cookie).statusCode(), "the session ended with the logout");
    }

    @Test
    void shouldKeepTheBearerTokenOnEveryOtherRoute() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/ops/saf/000000000001/resolve?who=a&why=b"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), "the console's own authentication opens nothing else");
        assertEquals(401, get("/ops/transactions", null).statusCode());
    }

    @Test
    void shouldAskOnlyANameWhenNoTokenIsSetAndTheClientIsOnLoopback() throws Exception {
        try (Rig open = Rig.start(2000)) {
            URI login = URI.create("http://127.0.0.1:" + open.node.httpPort() + "/console/login");
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(login).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertFalse(page.body().contains("name=\"token\""), "no token to ask for");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(login).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("who=erin")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Set-Cookie").orElseThrow().contains("; HttpOnly"));
        }
    }

    @Test
    void shouldServeHtmxFromItsWebjar() throws Exception {
        assertNotNull(Console.class.getClassLoader().getResource(Console.HTMX_RESOURCE), "htmx.version and the webjar agree");
        HttpResponse<String> r = get("/console/static/htmx.min.js", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("htmx"), "the script itself");
        assertEquals(200, get("/console/static/console.css", null).statusCode());
    }

    @Test
    void shouldFindASaleAndExportItWithoutTheFullPan() throws Exception {
        String cookie = login("dave");
        String pan = "4761739001010010";
        String rrn;
        try (TerminalClient t = rig.terminal()) {
            rrn = t.exchange(TerminalMessages.sale(pan, 1234, "000777", "TERM0777", "M777")).getString(37);
        }
        rig.await("the sale journaled", () -> {
            try {
                return get("/console/search?rrn=" + rrn, cookie).body().contains("/console/txn/" + rrn);
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        String byCard = get("/console/search?card=0010&amount=1234&terminal=TERM0777", cookie).body();
        assertTrue(byCard.contains(rrn), byCard);
        HttpResponse<String> csv = get("/console/search?card=0010&terminal=TERM0777&format=csv", cookie);
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
        assertTrue(csv.body().startsWith(ConsolePages.CSV_HEADER), csv.body());
        assertTrue(csv.body().contains(rrn + ",") && csv.body().contains("476173******0010"), csv.body());
        String txn = get("/console/txn/" + rrn, cookie).body();
        assertTrue(txn.contains("forwarded to issuer issuer-a"), txn);
        HttpResponse<String> whole = get("/console/search?card=" + pan, cookie);
        assertEquals(400, whole.statusCode(), "a whole card number is refused");
        String inRrn = get("/console/search?rrn=" + pan, cookie).body();
        assertTrue(inRrn.contains("476173******0010"), "a card number in another field is masked");
        HttpResponse<String> asPath = get("/console/txn/" + pan, cookie);
        assertEquals(404, asPath.statusCode());
        for (String page : new String[] {byCard, csv.body(), txn, whole.body(), inRrn, asPath.body()}) {
            assertFalse(page.contains(pan), "no full PAN");
        }
    }

    @Test
    void shouldShowTheRequestAndTheAnswerFieldByFieldWithCardDataMaskedInTheJournalAndThePage() throws Exception {
        String cookie = login("erin");
        String pan = "4761739001010028";
        String track2 = pan + "=25121010000012345678";
        byte[] pinBlock = {0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, (byte) 0x81};
        ISOMsg sale = TerminalMessages.sale(pan, 4321, "000888", "TERM0888", "M888");
        sale.set(35, track2);
        sale.set(52, pinBlock);
        String rrn;
        try (TerminalClient t = rig.terminal()) {
            ISOMsg answer = t.exchange(sale);
            assertEquals("00", answer.getString(39));
            rrn = answer.getString(37);
        }
        JournalQueries queries = new JournalQueries(rig.node.journal().db());
        rig.await("both messages journaled", () -> {
            try {
                return queries.messages(rrn).size() == 2;
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        StringBuilder stored = new StringBuilder();
        try (Connection c = rig.node.journal().db().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT rrn, request_fields, answer_fields FROM transactions")) {
            while (rs.next()) {
                stored.append(rs.getString(1)).append('\n').append(rs.getString(2)).append('\n').append(rs.getString(3))
                        .append('\n');
            }
        }
        String request = queries.messages(rrn).get("request");
        assertTrue(request.startsWith("0=0200\n2=476173******0028\n"), request);
        assertTrue(request.contains("\n22=021\n") && request.contains("\n25=00\n"), "the fields the terminal sent: " + request);
        assertTrue(request.contains("\n35=<hidden, " + track2.length() + " chars>") && request.contains("\n52=<hidden, 8 bytes>"),
                request);
        String answer = queries.messages(rrn).get("answer");
        assertTrue(answer.startsWith("0=0210\n") && answer.contains("\n37=" + rrn) && answer.contains("\n39=00"), answer);
        String page = get("/console/txn/" + rrn, cookie).body();
        String requestTable = page.substring(page.indexOf("<table id=\"request\">"), page.indexOf("<table id=\"answer\">"));
        for (String[] field : new String[][] {{"2", "476173******0028"}, {"22", "021"}, {"25", "00"}, {"41", "TERM0888"},
                {"35", "&lt;hidden, 37 chars&gt;"}, {"52", "&lt;hidden, 8 bytes&gt;"}}) {
            assertTrue(requestTable.matches("(?s).*<td>" + field[0] + "</td><td>[^<]*</td><td>" + Pattern.quote(field[1]) + "</td>.*"),
                    field[0] + " in " + requestTable);
        }
        assertTrue(page.contains("<td>39</td><td>response code</td><td>00</td>"), page);
        assertFalse(page.contains("request-not-journaled") || page.contains("answer-not-journaled"), page);
        for (String text : new String[] {stored.toString(), page}) {
            assertFalse(text.contains(pan), "no full PAN");
            assertFalse(text.contains("25121010000012345678"), "no track 2");
            assertFalse(text.toUpperCase(Locale.ROOT).contains("1A2B3C4D5E6F7081"), "no PIN block");
        }
    }
}
