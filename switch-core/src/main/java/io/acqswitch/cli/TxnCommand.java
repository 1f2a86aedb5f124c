package io.acqswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code txn find|show|saf|duplicates|undelivered|requeue|resolve}: the operations API from the
 * command line.
 */
@Command(name = "txn", mixinStandardHelpOptions = true, description = {"Look up transactions in the journal (operations API).",
            "Finds the switch as `run` does (--config, --port-base) unless --url is given. "
                    + "Exit 0 done, 1 the switch refused or did not apply it, 2 bad input or switch unreachable."},
        subcommands = {TxnCommand.Find.class, TxnCommand.Show.class, TxnCommand.Saf.class, TxnCommand.Duplicates.class,
            TxnCommand.Undelivered.class, TxnCommand.Requeue.class, TxnCommand.Resolve.class})
final class TxnCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where the switch's HTTP endpoint is and how to authenticate: {@code --url}, else the
     * {@code http} section of the switch's configuration (see {@link CliConfig}). Exit codes of
     * every {@code txn} command: 0 done, 1 the API refused (an error status other than 400, or an
     * operations command the switch did not apply), 2 bad input (a 400, a bad {@code --url} or
     * configuration) or the switch unreachable.
     */
    static final class Endpoint {
        @Option(names = "--url", description = "the switch's HTTP endpoint; wins over --config and --port-base "
                + "(default: http.bind and http.port of the configuration, e.g. http://127.0.0.1:8080)")
        String url;

        @Option(names = {"-c", "--config"}, description = "the switch's configuration, to find its HTTP endpoint and token "
                + "(default: config/switch.yaml if present, else the built-in defaults)")
        Path config;

        @Option(names = "--port-base", paramLabel = "N", description = "as given to `run`: " + CliConfig.PORT_BASE_HELP)
        Integer portBase;

        @Option(names = "--token", defaultValue = "${env:ACQSWITCH_TOKEN}",
                description = "bearer token (http.token); default: $ACQSWITCH_TOKEN, else http.token of the configuration")
        String token;

        @Option(names = "--json", description = "print the API's JSON as is")
        boolean json;

        /** Exit code of the last failed {@link #get}: 1 = the API refused (4xx but 400, 5xx), 2 = bad input or unreachable. */
        int failure;

        /** The endpoint without a trailing slash, once resolved. */
        private String base;

        /** GETs {@code path}; prints errors itself and returns null on failure (see {@link #failure}). */
        JsonNode get(String path, PrintWriter err) {
            return send(path, false, 200, err);
        }

        /** POSTs to {@code path} (no body); 202 is success. Same error handling as {@link #get}. */
        JsonNode post(String path, PrintWriter err) {
            return send(path, true, 202, err);
        }

        /** {@code --url}, else from the configuration (which may also give the token); null when neither works. */
        private String base(PrintWriter err) {
            if (base != null) {
                return base;
            }
            if (url != null) {
                base = url.replaceAll("/+$", "");
                return base;
            }
            try {
                SwitchConfig cfg = CliConfig.load(config, portBase);
                if (token == null || token.isBlank()) {
                    token = cfg.http().token();
                }
                base = CliConfig.adminUrl(cfg);
            } catch (ConfigException e) {
                err.println("txn: cannot tell where the switch's HTTP endpoint is (fix the configuration or give --url): "
                        + e.getMessage());
                failure = 2;
            }
            return base;
        }

        private JsonNode send(String path, boolean post, int expected, PrintWriter err) {
            String endpoint = base(err);
            if (endpoint == null) {
                return null;
            }
            HttpRequest.Builder req;
            try {
                req = HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(Duration.ofSeconds(10));
            } catch (IllegalArgumentException e) {
                err.println("txn: --url=" + url + ": not an http:// URL (" + Failures.describe(e) + ")");
                failure = 2;
                return null;
            }
            req = post ? req.POST(HttpRequest.BodyPublishers.noBody()) : req.GET();
            if (token != null && !token.isBlank()) {
                req.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> rsp;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                rsp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                err.println("txn: cannot reach " + endpoint + ": " + Failures.describe(e) + (url != null ? ""
                        : " (is the switch running there? --url, or --config and --port-base as given to `run`, say where)"));
                failure = 2;
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("txn: interrupted while waiting for " + endpoint);
                failure = 2;
                return null;
            }
            JsonNode body;
            try {
                body = JSON.readTree(rsp.body().isEmpty() ? "{}" : rsp.body());
            } catch (IOException e) {
                err.println("txn: " + endpoint + " answered HTTP " + rsp.statusCode()
                        + " but not with the operations API's JSON: is it the switch's HTTP port?");
                failure = 2;
                return null;
            }
            if (rsp.statusCode() != expected) {
                err.println("txn: HTTP " + rsp.statusCode() + ": " + body.path("error").asText(rsp.body()));
                failure = rsp.statusCode() == 400 ? 2 : 1; // 400: the API names the bad parameter
                return null;
            }
            return body;
        }
    }

    /**
     * The listing commands: a page of transactions from one API path, as a table (or the JSON).
     * Subclasses name the path and their query parameters.
     */
    abstract static class ListCommand implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Spec
        CommandSpec spec;

        @Option(names = "--limit", defaultValue = "100", description = "at most 1000 (default: ${DEFAULT-VALUE})") int limit;
        @Option(names = "--offset", defaultValue = "0") int offset;

        abstract String path();

        /** The query parameters (null values are left out). */
        abstract Map<String, Object> query();

        @Override
        public Integer call() {
            Map<String, Object> q = new LinkedHashMap<>(query());
            q.put("limit", limit);
            q.put("offset", offset);
            StringJoiner qs = new StringJoiner("&", "?", "");
            q.forEach((k, v) -> {
                if (v != null) {
                    qs.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
                }
            });
            JsonNode page = endpoint.get(path() + qs, spec.commandLine().getErr());
            if (page == null) {
                return endpoint.failure;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (endpoint.json) {
                out.println(page.toPrettyString());
                return 0;
            }
            out.printf("%-12s %-24s %-16s %-3s %12s %-3s %-8s %-6s %-19s %4s %s%n", "RRN", "RECEIVED", "STATE", "RC",
                    "AMOUNT", "CUR", "TERMINAL", "STAN", "PAN", "DUPS", "REVERSAL");
            for (JsonNode t : page.path("items")) {
                out.printf("%-12s %-24s %-16s %-3s %12d %-3s %-8s %-6s %-19s %4d %s%n", t.path("rrn").asText(),
                        t.path("receivedAt").asText(""), t.path("state").asText() + (undeliveredApproval(t) ? "*" : ""),
                        t.path("responseCode").asText(), t.path("amount").asLong(), t.path("currency").asText(),
                        t.path("terminalId").asText(), t.path("terminalStan").asText(), t.path("maskedPan").asText(),
                        t.path("duplicates").asInt(), t.path("reversalReason").asText()
                                + (t.path("safExpired").asBoolean() ? " (SAF expired)" : ""));
            }
            out.println(page.path("items").size() + " shown" + (page.path("more").asBoolean()
                    ? "; more: --offset " + (offset + limit) : "") + "  (* = approval not delivered to the terminal)");
            return 0;
        }
    }

    /**
     * An approval (00) of a financial request whose delivery the switch did not record. Delivery is
     * tracked for those only, so a decline or a settlement reads {@code delivered=false} though it
     * was answered: they get no {@code *}.
     */
    private static boolean undeliveredApproval(JsonNode t) {
        if (!"00".equals(t.path("responseCode").asText()) || t.path("delivered").asBoolean()) {
            return false;
        }
        try {
            return MessageClass.valueOf(t.path("messageClass").asText()).isFinancial();
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /** A period of reception: the {@code from}/{@code to} options of the period listings. */
    abstract static class PeriodCommand extends ListCommand {
        @Option(names = "--from", description = "received at or after (ISO-8601 instant)") String from;
        @Option(names = "--to", description = "received before (ISO-8601 instant)") String to;

        @Override
        Map<String, Object> query() {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("from", from);
            q.put("to", to);
            return q;
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true, description = "Search transactions (newest first).")
    static final class Find extends PeriodCommand {
        @Option(names = "--rrn") String rrn;
        @Option(names = "--terminal", description = "terminal id (field 41)") String terminal;
        @Option(names = "--stan", description = "the terminal's STAN (field 11)") String stan;
        @Option(names = "--merchant", description = "merchant id (field 42)") String merchant;
        @Option(names = "--pan", description = "first 6 and last 4 digits, e.g. 476173******0010") String pan;
        @Option(names = "--rc", description = "response code") String rc;
        @Option(names = "--state", description = "e.g. APPROVED, REVERSAL_PENDING") String state;

        @Override
        String path() {
            return "/ops/transactions";
        }

        @Override
        Map<String, Object> query() {
            Map<String, Object> q = super.query();
            q.put("rrn", rrn);
            q.put("terminal", terminal);
            q.put("stan", stan);
            q.put("merchant", merchant);
            q.put("pan", pan);
            q.put("rc", rc);
            q.put("state", state);
            return q;
        }
    }

    @Command(name = "duplicates", mixinStandardHelpOptions = true,
            description = "Transactions of a period that their terminal sent more than once (repeats never reached the issuer).")
    static final class Duplicates extends PeriodCommand {
        @Override
        String path() {
            return "/ops/duplicates";
        }
    }

    @Command(name = "undelivered", mixinStandardHelpOptions = true,
            description = "Approvals of a period that the terminal did not receive, and which the switch reversed.")
    static final class Undelivered extends PeriodCommand {
        @Override
        String path() {
            return "/ops/undelivered";
        }
    }

    @Command(name = "saf", mixinStandardHelpOptions = true,
            description = "Reversals the issuer has not acknowledged yet: pending (still being sent) or expired.")
    static final class Saf extends ListCommand {
        @Option(names = "--expired", description = "list the expired ones (they need `txn requeue` or `txn resolve`)")
        boolean expired;

        @Override
        String path() {
            return "/ops/saf";
        }

        @Override
        Map<String, Object> query() {
            return Map.of("status", expired ? "expired" : "pending");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One transaction and its timeline.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "the switch's RRN (field 37)")
        String rrn;

        @Override
        public Integer call() {
            JsonNode doc = endpoint.get("/ops/transactions/" + URLEncoder.encode(rrn, StandardCharsets.UTF_8), spec.commandLine().getErr());
            if (doc == null) {
                return endpoint.failure;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (endpoint.json) {
                out.println(doc.toPrettyString());
                return 0;
            }
            JsonNode t = doc.path("transaction");
            t.properties().forEach(e -> out.printf("%-16s %s%n", e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
            out.println("timeline:");
            for (JsonNode ev : doc.path("events")) {
                out.printf("  %-24s %-16s rc=%-2s delivered=%-5s safAttempts=%d duplicates=%d%s%n", ev.path("at").asText(),
                        ev.path("state").asText(), ev.path("responseCode").asText(), ev.path("delivered").asBoolean(),
                        ev.path("safAttempts").asInt(), ev.path("duplicates").asInt(),
                        ev.path("safExpired").asBoolean() ? " EXPIRED" : "");
            }
            return 0;
        }
    }

    /**
     * Shared by {@code requeue} and {@code resolve}: who and why are recorded on the transaction.
     * The API only queues the command (202) and the processor ignores one that does not fit the
     * record, so the command checks the record first (exit 1 and nothing sent when it does not
     * fit), then watches the journal until the change shows (exit 1 if it has not within
     * {@link #CONFIRM_WITHIN}).
     */
    abstract static class SafCommand implements Callable<Integer> {
        /** How long to watch for the change; the journal usually shows it within milliseconds. */
        static final Duration CONFIRM_WITHIN = Duration.ofSeconds(5);

        @Mixin
        Endpoint endpoint;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "the RRN of the reversal")
        String rrn;

        @Option(names = "--who", required = true, description = "who decides (recorded)")
        String who;

        @Option(names = "--why", required = true, description = "why (recorded)")
        String why;

        abstract String action();

        /** Why the switch would ignore this command for {@code txn} (as journaled), or null when it applies. */
        abstract String refusal(JsonNode txn);

        /** True when {@code now} shows the command applied to what {@code before} was; {@code note} as the switch records it. */
        abstract boolean applied(JsonNode before, JsonNode now, String note);

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String txnPath = "/ops/transactions/" + URLEncoder.encode(rrn, StandardCharsets.UTF_8);
            JsonNode doc = endpoint.get(txnPath, err);
            if (doc == null) {
                return endpoint.failure;
            }
            JsonNode before = doc.path("transaction");
            String refusal = refusal(before);
            if (refusal != null) {
                err.println("txn " + action() + ": " + rrn + " " + refusal + "; nothing sent");
                return 1;
            }
            String path = "/ops/saf/" + URLEncoder.encode(rrn, StandardCharsets.UTF_8) + "/" + action()
                    + "?who=" + URLEncoder.encode(who, StandardCharsets.UTF_8)
                    + "&why=" + URLEncoder.encode(why, StandardCharsets.UTF_8);
            if (endpoint.post(path, err) == null) {
                return endpoint.failure;
            }
            String note = who.strip() + ": " + why.strip(); // as OpsApi records it
            long deadline = System.nanoTime() + CONFIRM_WITHIN.toNanos();
            JsonNode now = before;
            while (!applied(before, now, note)) {
                if (System.nanoTime() > deadline) {
                    err.println("txn " + action() + ": the switch took the command, but after " + CONFIRM_WITHIN.toSeconds()
                            + " s the journal shows no sign of it on " + rrn + " (" + describe(now) + ")."
                            + " `txn show " + rrn + "` and the switch's log say more");
                    return 1;
                }
                Thread.sleep(100);
                doc = endpoint.get(txnPath, err);
                if (doc == null) {
                    return endpoint.failure;
                }
                now = doc.path("transaction");
            }
            out.println(action() + " of " + rrn + " applied: " + describe(now));
            out.flush();
            return 0;
        }

        static String describe(JsonNode txn) {
            return "state " + txn.path("state").asText() + (txn.path("safExpired").asBoolean() ? ", SAF expired" : "")
                    + ", " + txn.path("safAttempts").asInt() + " reversal attempts";
        }

        static boolean isPendingReversal(JsonNode txn) {
            return "REVERSAL_PENDING".equals(txn.path("state").asText());
        }

        /** Occurrences of {@code marker} in the record's operations notes ({@code flag}). */
        static int notes(JsonNode txn, String marker) {
            String flag = txn.path("flag").asText("");
            int n = 0;
            for (int i = flag.indexOf(marker); i >= 0; i = flag.indexOf(marker, i + marker.length())) {
                n++;
            }
            return n;
        }
    }

    @Command(name = "requeue", mixinStandardHelpOptions = true,
            description = "Send an expired reversal again. Exit 0 once the switch has sent it again, 1 when the switch "
                    + "refuses (not an expired reversal) or shows no new attempt within 5 s, 2 bad input or unreachable.")
    static final class Requeue extends SafCommand {
        @Override
        String action() {
            return "requeue";
        }

        @Override
        String refusal(JsonNode txn) {
            if (!isPendingReversal(txn)) {
                return "is " + txn.path("state").asText() + ", not a reversal waiting for its issuer: only an expired reversal can be requeued";
            }
            if (!txn.path("safExpired").asBoolean()) {
                return "is a reversal still being sent (not expired): requeue is for expired ones";
            }
            return null;
        }

        /**
         * An expired reversal is not sent, so a new attempt (or the note, should the record's
         * notes be truncated in the journal) shows the requeue. The journal shows it with that
         * attempt: with the issuer's link down, not before the link is back.
         */
        @Override
        boolean applied(JsonNode before, JsonNode now, String note) {
            String marker = "requeued by " + note;
            return now.path("safAttempts").asInt() > before.path("safAttempts").asInt() || notes(now, marker) > notes(before, marker);
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Record that a pending or expired reversal was settled by hand; the switch stops sending it. "
                    + "Exit 0 once the switch shows it resolved, 1 when it refuses (not a pending or expired reversal) "
                    + "or shows no change within 5 s, 2 bad input or unreachable.")
    static final class Resolve extends SafCommand {
        @Override
        String action() {
            return "resolve";
        }

        @Override
        String refusal(JsonNode txn) {
            return isPendingReversal(txn) ? null
                    : "is " + txn.path("state").asText() + ", not a pending or expired reversal: nothing to resolve";
        }

        /** REVERSED with this note: REVERSED without it is the issuer's acknowledgement winning the race (not applied). */
        @Override
        boolean applied(JsonNode before, JsonNode now, String note) {
            return "REVERSED".equals(now.path("state").asText()) && notes(now, "resolved by hand by " + note) > 0;
        }
    }
}
