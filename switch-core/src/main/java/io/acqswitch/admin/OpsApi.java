package io.acqswitch.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.sun.net.httpserver.HttpExchange;
import io.acqswitch.admin.AdminHttpServer.Reply;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.txn.TxnState;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations API over the journal, JSON on the admin port:
 * <pre>
 * GET {prefix}/transactions?rrn=&amp;terminal=&amp;stan=&amp;merchant=&amp;pan=&amp;from=&amp;to=&amp;rc=&amp;state=&amp;limit=&amp;offset=
 * GET {prefix}/transactions/{rrn}          the transaction and its timeline
 * GET {prefix}/saf?status=pending|expired  reversals not yet acknowledged by the issuer
 * GET {prefix}/duplicates?from=&amp;to=&amp;limit=&amp;offset=   transactions their terminal sent more than once
 * GET {prefix}/undelivered?from=&amp;to=&amp;limit=&amp;offset=  approvals the terminal did not receive (reversed)
 * </pre>
 * With a token configured every request needs {@code Authorization: Bearer <token>} (401
 * otherwise). Answers come from the journal, so they may lag the switch by the writer's backlog.
 * Runs on the admin server's threads.
 */
public final class OpsApi {
    private static final Logger LOG = LoggerFactory.getLogger(OpsApi.class);
    private static final Set<String> FIND_PARAMS = Set.of("rrn", "terminal", "stan", "merchant", "pan", "from", "to", "rc",
            "state", "limit", "offset");
    private static final Set<String> PERIOD_PARAMS = Set.of("from", "to", "limit", "offset");
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule("ops").addSerializer(Instant.class, ToStringSerializer.instance));

    /** Hands an operations command to the processor; false when it could not be queued. */
    @FunctionalInterface
    public interface SafCommands {
        boolean submit(boolean requeue, String rrn, String note);
    }

    private final JournalQueries queries;
    private final byte[] token;
    private final SafCommands commands;

    /** @param token the bearer token required, or {@code null}/blank for none (loopback only: config validation) */
    public OpsApi(JournalQueries queries, String token, SafCommands commands) {
        this.queries = queries;
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.commands = commands;
    }

    /** Serves the API under {@code prefix} (e.g. {@code /ops}). */
    public void mount(AdminHttpServer http, String prefix) {
        http.route(prefix, ex -> handle(ex, prefix));
    }

    private Reply handle(HttpExchange ex, String prefix) {
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            return error(401, "missing or wrong bearer token");
        }
        String path = ex.getRequestURI().getPath().substring(prefix.length());
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if ("POST".equals(ex.getRequestMethod()) && path.startsWith("/saf/")) {
            return safCommand(path.substring("/saf/".length()), q);
        }
        if (!"GET".equals(ex.getRequestMethod())) {
            return error(405, "only GET (and POST " + prefix + "/saf/{rrn}/requeue|resolve)");
        }
        try {
            if (path.equals("/transactions") || path.equals("/transactions/")) {
                return find(q);
            }
            if (path.startsWith("/transactions/")) {
                String rrn = path.substring("/transactions/".length());
                return queries.timeline(rrn).map(t -> json(200, t)).orElseGet(() -> error(404, "no transaction " + rrn));
            }
            if (path.equals("/saf")) {
                return saf(q);
            }
            if (path.equals("/duplicates")) {
                known(q, PERIOD_PARAMS);
                return json(200, queries.duplicates(instant(q, "from"), instant(q, "to"), integer(q, "limit", 100),
                        integer(q, "offset", 0)));
            }
            if (path.equals("/undelivered")) {
                known(q, PERIOD_PARAMS);
                return json(200, queries.undeliveredApprovals(instant(q, "from"), instant(q, "to"),
                        integer(q, "limit", 100), integer(q, "offset", 0)));
            }
            return error(404, "unknown path (try " + prefix + "/transactions, " + prefix + "/transactions/{rrn}, "
                    + prefix + "/saf, " + prefix + "/duplicates, " + prefix + "/undelivered)");
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        } catch (SQLException e) {
            LOG.warn("ops query failed: {}", e.toString());
            return error(503, "journal unavailable");
        }
    }

    /**
     * {@code POST /saf/{rrn}/requeue?who=…&why=…} sends an expired reversal again;
     * {@code POST /saf/{rrn}/resolve?who=…&why=…} records that it was settled by hand. Both are
     * applied by the processor (202: queued; the outcome shows on the transaction's timeline).
     */
    private Reply safCommand(String rest, Map<String, String> q) {
        int slash = rest.indexOf('/');
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (slash <= 0 || !(action.equals("requeue") || action.equals("resolve"))) {
            return error(404, "use POST .../saf/{rrn}/requeue or .../saf/{rrn}/resolve");
        }
        String who = q.get("who");
        String why = q.get("why");
        if (who == null || who.isBlank() || why == null || why.isBlank()) {
            return error(400, "who and why are required: they are recorded on the transaction");
        }
        String rrn = rest.substring(0, slash);
        if (!commands.submit(action.equals("requeue"), rrn, who.strip() + ": " + why.strip())) {
            return error(503, "the switch is too busy to take the command now; try again");
        }
        return json(202, Map.of("rrn", rrn, "action", action, "queued", true));
    }

    boolean authorized(String header) {
        if (token == null) {
            return true;
        }
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static void known(Map<String, String> q, Set<String> params) {
        for (String k : q.keySet()) {
            if (!params.contains(k)) {
                throw new IllegalArgumentException(k + ": unknown parameter (known: " + params + ")");
            }
        }
    }

    private Reply find(Map<String, String> q) throws SQLException {
        known(q, FIND_PARAMS);
        String state = q.get("state");
        if (state != null) {
            try {
                TxnState.valueOf(state);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("state=" + state + ": one of " + Arrays.toString(TxnState.values()));
            }
        }
        var f = new JournalQueries.Filter(q.get("rrn"), q.get("terminal"), q.get("stan"), q.get("merchant"), q.get("pan"),
                instant(q, "from"), instant(q, "to"), q.get("rc"), state, null, integer(q, "limit", 100),
                integer(q, "offset", 0));
        return json(200, queries.find(f));
    }

    private Reply saf(Map<String, String> q) throws SQLException {
        String status = q.getOrDefault("status", "pending");
        if (!status.equals("pending") && !status.equals("expired")) {
            throw new IllegalArgumentException("status=" + status + ": pending or expired");
        }
        var f = new JournalQueries.Filter(null, null, null, null, null, null, null, null, TxnState.REVERSAL_PENDING.name(),
                status.equals("expired"), integer(q, "limit", 100), integer(q, "offset", 0));
        return json(200, queries.find(f));
    }

    private static Instant instant(Map<String, String> q, String name) {
        String v = q.get(name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + "=" + v + ": expected an ISO-8601 instant like 2026-01-31T23:00:00Z");
        }
    }

    private static int integer(Map<String, String> q, String name, int dflt) {
        String v = q.get(name);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + ": not a number");
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!v.isEmpty()) {
                out.put(k, v);
            }
        }
        return out;
    }

    private static Reply json(int status, Object value) {
        try {
            return Reply.json(status, JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName(), e);
        }
    }

    private static Reply error(int status, String message) {
        return json(status, Map.of("error", message));
    }
}
