package io.acqswitch.console;

import com.sun.net.httpserver.HttpExchange;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.admin.AdminHttpServer.Reply;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.admin.OpsApi;
import io.acqswitch.iso.LogText;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.regex.Pattern;
import io.acqswitch.iso.CardData;

/**
 * The operations console at {@code /console} on the admin port (docs/console.md): pages rendered
 * on the server from templates compiled at build time, htmx (served from its webjar) for the Live
 * page's refresh.
 * <ul>
 *   <li><b>Login.</b> The operator gives a name (the audit's "who") and the admin token
 *       ({@code http.token}) as the password; a match opens a session: an {@code HttpOnly},
 *       {@code SameSite=Strict} cookie. With no token configured the admin port is on loopback
 *       only (configuration validation), and the console then asks for the name alone and refuses
 *       every client that is not on a loopback address.</li>
 *   <li><b>CSRF.</b> Every POST but the login carries the session's own CSRF token in a form field;
 *       a missing or wrong one is refused (403) before anything happens.</li>
 *   <li><b>Refusals</b> are counted in {@code switch_console_refusals_total{reason}} (login, csrf,
 *       not_loopback, sessions_full); a wrong token is also a 401 of the admin server's own count.</li>
 *   <li><b>Audit.</b> Log-ins, log-outs, SAF requeues and resolves and reconciliation runs are
 *       written to {@code console_audit} with who, when, what and the note.</li>
 * </ul>
 * Runs on the admin server's handler threads; the Live figures are sampled once a second on a
 * thread of the console's own ({@link #start}, {@link #close}).
 */
public final class Console implements AutoCloseable {
    /** Where the console is mounted. */
    public static final String PREFIX = "/console";
    /** The htmx webjar's version: {@code htmx.version} in the parent pom (ConsoleHttpTest checks the file is there). */
    static final String HTMX_VERSION = "2.0.4";
    static final String HTMX_RESOURCE = "META-INF/resources/webjars/htmx.org/" + HTMX_VERSION + "/dist/htmx.min.js";
    static final String COOKIE = "acqconsole";
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    private static final String HTML = "text/html; charset=utf-8";
    /** A run of digits as long as a card number (an RRN, 12 digits, stays readable). */
    private static final Pattern CARD_LIKE = Pattern.compile("\\d{13,}");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** What the Live page reads besides the meters: SAF depth, and links up per issuer id. */
    public record Sources(MeterRegistry registry, IntSupplier safDepth, Supplier<Map<String, Integer>> linksUp) {}

    private final byte[] token;
    private final OpsApi.SafCommands commands;
    private final Sources sources;
    private final LongSupplier clock;
    private final Sessions sessions;
    private final ConsolePages pages;
    private final ConsoleAudit audit;
    private final LiveStats live;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final String htmx;
    private final String css;
    private ScheduledExecutorService sampler;

    /**
     * @param token    {@code http.token}, or null/blank: then loopback clients only, no password
     * @param commands hands SAF requeue/resolve to the processor (the operations API's own)
     * @param clock    epoch milliseconds (sessions, the audit, the Live samples)
     */
    public Console(JournalDb journal, String token, OpsApi.SafCommands commands, Sources sources, LongSupplier clock) {
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.commands = commands;
        this.sources = sources;
        this.clock = clock;
        this.sessions = new Sessions(clock);
        this.pages = new ConsolePages(new JournalQueries(journal));
        this.audit = new ConsoleAudit(journal);
        this.live = new LiveStats(sources.registry(), clock);
        this.htmx = resource(HTMX_RESOURCE);
        this.css = resource("console/console.css");
        for (String reason : List.of("login", "csrf", "not_loopback", "sessions_full")) {
            sources.registry().counter("switch_console_refusals", "reason", reason); // shown at 0 from the start
        }
    }

    /** Mounts the console on {@code http} at {@link #PREFIX} and starts sampling the Live figures. */
    public Console start(AdminHttpServer http) {
        http.session(PREFIX, this::handle);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-live");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    private void sample() {
        try {
            live.sample();
        } catch (RuntimeException e) { // never let the schedule die
            LOG.warn("console live sample failed: {}", LogText.escape(e.toString(), 300));
        }
    }

    // ---- dispatch -----------------------------------------------------------------------------

    Reply handle(HttpExchange ex) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        String rest = ex.getRequestURI().getPath().substring(PREFIX.length());
        String method = ex.getRequestMethod();
        boolean post = method.equals("POST");
        if (!post && !method.equals("GET") && !method.equals("HEAD")) {
            return Reply.text(405, "GET or POST");
        }
        if (token == null && !ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            refusals("not_loopback");
            return Reply.text(403, "no http.token is set: the console serves loopback clients only");
        }
        if (rest.startsWith("/static/")) {
            h.set("Cache-Control", "max-age=3600");
            return switch (rest) {
                case "/static/htmx.min.js" -> new Reply(200, "text/javascript; charset=utf-8", htmx);
                case "/static/console.css" -> new Reply(200, "text/css; charset=utf-8", css);
                default -> Reply.text(404, "not found");
            };
        }
        h.set("Cache-Control", "no-store");
        Map<String, String> form = post ? Forms.body(ex.getRequestHeaders().getFirst("Content-Type"),
                ex.getRequestBody().readAllBytes()) : Map.of();
        if (rest.equals("/login")) {
            return post ? login(ex, form) : render(200, "console/login.jte", new Views.Login(null, token != null, ""));
        }
        Optional<Sessions.Session> found = sessions.find(cookie(ex));
        if (found.isEmpty()) {
            if (ex.getRequestHeaders().getFirst("HX-Request") != null) {
                h.set("HX-Redirect", PREFIX + "/login");
                return Reply.text(401, "log in again");
            }
            return post ? Reply.text(401, "log in first") : redirect(ex, PREFIX + "/login");
        }
        Sessions.Session s = found.get();
        if (post && !s.csrfMatches(form.get("csrf"))) {
            refusals("csrf");
            return Reply.text(403, "missing or wrong CSRF token: reload the page and try again");
        }
        Map<String, String> q = Forms.urlencoded(ex.getRequestURI().getRawQuery());
        try {
            return route(ex, s, rest, post, q, form);
        } catch (SQLException e) {
            LOG.warn("console query failed: {}", LogText.escape(e.toString(), 300));
            return render(503, "console/problem.jte", new Views.Problem(frame(s, "Journal unavailable", ""),
                    "The journal cannot be read just now; try again."));
        }
    }

    private Reply route(HttpExchange ex, Sessions.Session s, String rest, boolean post, Map<String, String> q,
                        Map<String, String> form) throws SQLException, IOException {
        if (post) {
            if (rest.equals("/logout")) {
                sessions.close(s);
                audit(s.who, "logout", "", "", "ok");
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=" + PREFIX + "; HttpOnly; SameSite=Strict; Max-Age=0");
                return redirect(ex, PREFIX + "/login");
            }
            if (rest.startsWith("/saf/")) {
                return safAction(ex, s, rest.substring("/saf/".length()), form);
            }
            if (rest.equals("/recon")) {
                return recon(s, form);
            }
            return Reply.text(405, "nothing to post here");
        }
        return switch (rest) {
            case "", "/" -> redirect(ex, PREFIX + "/live");
            case "/live" -> render(200, "console/live.jte", new Views.Live(frame(s, "Live", "live"), panel()));
            case "/live/panel" -> render(200, "console/panel.jte", panel());
            case "/search" -> search(ex, s, q);
            case "/saf" -> render(200, "console/saf.jte", pages.saf(frame(s, "SAF", "saf"), auditLines(), q.get("done")));
            case "/recon" -> render(200, "console/recon.jte", new Views.Recon(frame(s, "Reconciliation", "recon"), "", "",
                    null, null));
            default -> rest.startsWith("/txn/") ? transaction(s, masked(rest.substring("/txn/".length())))
                    : render(404, "console/problem.jte", new Views.Problem(frame(s, "Not found", ""), "No such page."));
        };
    }

    // ---- login --------------------------------------------------------------------------------

    private Reply login(HttpExchange ex, Map<String, String> form) throws IOException {
        String who = ConsolePages.blank(masked(form.get("who")));
        if (who == null || who.length() > 64 || !who.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            return render(400, "console/login.jte", new Views.Login("Give your name (1 to 64 characters): the audit "
                    + "records it with everything you do.", token != null, ""));
        }
        if (token != null) {
            String given = form.get("token");
            if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
                refusals("login");
                LOG.warn("console login refused for {} from {}: wrong token", LogText.escape(who, 64), ex.getRemoteAddress());
                return render(401, "console/login.jte", new Views.Login("Wrong token.", true, who));
            }
        }
        Optional<Sessions.Session> s = sessions.open(who);
        if (s.isEmpty()) {
            refusals("sessions_full");
            return render(503, "console/login.jte", new Views.Login("Too many operators logged in (" + Sessions.MAX
                    + "); try again later.", token != null, who));
        }
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.get().id + "; Path=" + PREFIX
                + "; HttpOnly; SameSite=Strict; Max-Age=" + Sessions.LIFETIME.toSeconds());
        audit(who, "login", "", "", "ok");
        return redirect(ex, PREFIX + "/live");
    }

    private static String cookie(HttpExchange ex) {
        List<String> headers = ex.getRequestHeaders().get("Cookie");
        if (headers == null) {
            return null;
        }
        for (String header : headers) {
            for (String c : header.split(";")) {
                String t = c.strip();
                if (t.startsWith(COOKIE + "=")) {
                    return t.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    // ---- pages --------------------------------------------------------------------------------

    private Views.Panel panel() {
        LiveStats.Snapshot snap = live.snapshot();
        List<Views.Count> answers = snap.answersByCode().entrySet().stream()
                .map(e -> new Views.Count(e.getKey(), e.getValue())).toList();
        List<Views.Link> links = sources.linksUp().get().entrySet().stream()
                .map(e -> new Views.Link(e.getKey(), e.getValue(), e.getValue() > 0)).toList();
        List<Double> spark = snap.sparkline();
        double max = spark.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        StringBuilder points = new StringBuilder();
        if (spark.size() >= 2) {
            for (int i = 0; i < spark.size(); i++) {
                double x = 300.0 * i / (spark.size() - 1);
                double y = 38 - (max > 0 ? 36 * spark.get(i) / max : 0);
                points.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
        }
        return new Views.Panel(String.format(Locale.ROOT, "%.1f", snap.tps()),
                snap.approvalPercent() < 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", snap.approvalPercent()),
                answers, links, sources.safDepth().getAsInt(), seconds(snap.safOldestSeconds()),
                seconds(snap.journalLagSeconds()), points.toString(), String.format(Locale.ROOT, "%.1f", max),
                ConsolePages.at(Instant.ofEpochMilli(clock.getAsLong())));
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }

    private Reply search(HttpExchange ex, Sessions.Session s, Map<String, String> q) throws SQLException {
        Views.Criteria c = ConsolePages.criteria(q);
        if (c.card() != null && c.card().replaceAll("\\D", "").length() > 10) {
            // never echo what may be a whole card number back into a page
            c = new Views.Criteria(c.rrn(), c.terminal(), c.stan(), c.merchant(), null, c.amount(), c.rc(), c.state(),
                    c.from(), c.to());
            return searchPage(s, c, List.of(), null, null, "card: give the last 4 digits, or the first 6 and last 4", true);
        }
        boolean searched = !q.isEmpty();
        if (!searched) {
            return searchPage(s, c, List.of(), null, null, null, false);
        }
        int offset = Math.max(0, parseInt(q.get("offset")));
        try {
            if ("csv".equals(q.get("format"))) {
                ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"transactions.csv\"");
                return new Reply(200, "text/csv; charset=utf-8", pages.csv(c));
            }
            JournalQueries.Page p = pages.search(c, offset);
            String base = PREFIX + "/search?" + query(c);
            return searchPage(s, c, p.items().stream().map(ConsolePages::row).toList(),
                    offset > 0 ? base + "&offset=" + Math.max(0, offset - ConsolePages.PAGE) : null,
                    p.more() ? base + "&offset=" + (offset + ConsolePages.PAGE) : null, null, true);
        } catch (IllegalArgumentException e) {
            return searchPage(s, c, List.of(), null, null, e.getMessage(), true);
        }
    }

    private Reply searchPage(Sessions.Session s, Views.Criteria c, List<Views.Row> rows, String previous, String next,
                             String error, boolean searched) {
        List<String> states = Arrays.stream(TxnState.values()).map(Enum::name).toList();
        String csv = searched && error == null ? PREFIX + "/search?" + query(c) + "&format=csv" : null;
        return render(error == null ? 200 : 400, "console/search.jte", new Views.Search(frame(s, "Search", "search"), c,
                states, rows, previous, next, csv, error, searched));
    }

    private static String query(Views.Criteria c) {
        StringBuilder sb = new StringBuilder();
        String[][] pairs = {{"rrn", c.rrn()}, {"terminal", c.terminal()}, {"stan", c.stan()}, {"merchant", c.merchant()},
            {"card", c.card()}, {"amount", c.amount()}, {"rc", c.rc()}, {"state", c.state()}, {"from", c.from()},
            {"to", c.to()}};
        for (String[] p : pairs) {
            sb.append(sb.isEmpty() ? "" : "&").append(p[0]).append('=')
                    .append(p[1] == null ? "" : URLEncoder.encode(p[1], StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static int parseInt(String v) {
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("offset=" + LogText.escape(v, 20) + ": not a number");
        }
    }

    private Reply transaction(Sessions.Session s, String rrn) throws SQLException {
        return pages.transaction(frame(s, "Transaction " + rrn, "search"), rrn)
                .map(t -> render(200, "console/txn.jte", t))
                .orElseGet(() -> render(404, "console/problem.jte", new Views.Problem(frame(s, "Not found", "search"),
                        "No transaction with RRN " + rrn + " in the journal (it may not be journaled yet).")));
    }

    private Reply safAction(HttpExchange ex, Sessions.Session s, String rest, Map<String, String> form)
            throws SQLException {
        int slash = rest.indexOf('/');
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (slash <= 0 || !(action.equals("requeue") || action.equals("resolve"))) {
            return Reply.text(404, "use POST /console/saf/{rrn}/requeue or /console/saf/{rrn}/resolve");
        }
        String rrn = masked(rest.substring(0, slash));
        String note = ConsolePages.blank(masked(form.get("note")));
        if (note == null || note.length() > 200) {
            return render(400, "console/saf.jte", pages.saf(frame(s, "SAF", "saf"), auditLines(),
                    "A note (1 to 200 characters) is required: say why."));
        }
        boolean queued = commands.submit(action.equals("requeue"), rrn, s.who + ": " + note);
        String outcome = queued ? "queued" : "refused: the switch is too busy; try again";
        audit(s.who, action, rrn, note, outcome);
        if (!queued) {
            return render(503, "console/saf.jte", pages.saf(frame(s, "SAF", "saf"), auditLines(),
                    action + " of " + rrn + " " + outcome));
        }
        return redirect(ex, PREFIX + "/saf?done=" + URLEncoder.encode(action + " of " + rrn + " queued",
                StandardCharsets.UTF_8));
    }

    private Reply recon(Sessions.Session s, Map<String, String> form) throws SQLException {
        String from = form.getOrDefault("from", "");
        String to = form.getOrDefault("to", "");
        Views.Frame f = frame(s, "Reconciliation", "recon");
        try {
            Instant a = ConsolePages.time("from", from);
            Instant b = ConsolePages.time("to", to);
            String ledger = form.get("ledger");
            if (ledger == null || ledger.isBlank()) {
                throw new IllegalArgumentException("ledger: choose the issuer's ledger CSV export");
            }
            Views.ReconResult r = pages.recon(a, b, ledger);
            String period = (from.isBlank() ? "start" : from) + " .. " + (to.isBlank() ? "now" : to);
            audit(s.who, "recon", period, "", r.ledger().size() + " ledger and " + r.settlements().size()
                    + " settlement difference(s)");
            return render(200, "console/recon.jte", new Views.Recon(f, from, to, r, null));
        } catch (IllegalArgumentException e) {
            return render(400, "console/recon.jte", new Views.Recon(f, from, to, null, e.getMessage()));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private List<Views.AuditLine> auditLines() throws SQLException {
        List<Views.AuditLine> out = new ArrayList<>();
        for (ConsoleAudit.Entry e : audit.recent(50)) {
            out.add(new Views.AuditLine(ConsolePages.at(e.at()), e.who(), e.action(), e.target(), e.note(), e.outcome()));
        }
        return out;
    }

    /** Audits an action; a journal that cannot take the row is logged, and the action stands. */
    private void audit(String who, String action, String target, String note, String outcome) {
        try {
            audit.record(Instant.ofEpochMilli(clock.getAsLong()), who, action, target, note, outcome);
        } catch (SQLException e) {
            LOG.error("console audit not written ({} {} by {}: {}): {}", action, LogText.escape(target, 100),
                    LogText.escape(who, 64), outcome, LogText.escape(e.toString(), 300));
        }
    }

    /**
     * Free text an operator typed (a name, a note, an RRN in a path) with every card-number-like run
     * of digits masked 6+4, so that a PAN pasted by mistake reaches no page, audit row or log line.
     */
    static String masked(String text) {
        return text == null ? null : CARD_LIKE.matcher(text).replaceAll(m -> CardData.maskPan(m.group()));
    }

    private Views.Frame frame(Sessions.Session s, String title, String active) {
        return new Views.Frame(title, active, s.who, s.csrf);
    }

    private Reply render(int status, String template, Object model) {
        StringOutput out = new StringOutput();
        templates.render(template, model, out);
        return new Reply(status, HTML, out.toString());
    }

    private static Reply redirect(HttpExchange ex, String to) {
        ex.getResponseHeaders().set("Location", to);
        return new Reply(303, "text/plain; charset=utf-8", "see " + to);
    }

    private void refusals(String reason) {
        sources.registry().counter("switch_console_refusals", "reason", reason).increment();
    }

    private static String resource(String name) {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
