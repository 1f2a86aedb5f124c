package io.acqswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.iso.MessageClass;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
@Command(name = "txn", mixinStandardHelpOptions = true, description = "Look up transactions in the journal (operations API).",
        subcommands = {TxnCommand.Find.class, TxnCommand.Show.class, TxnCommand.Saf.class, TxnCommand.Duplicates.class,
            TxnCommand.Undelivered.class, TxnCommand.Requeue.class, TxnCommand.Resolve.class})
final class TxnCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the switch's HTTP endpoint is and how to authenticate. */
    static final class Endpoint {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the switch's HTTP endpoint (default: ${DEFAULT-VALUE})")
        String url;

        @Option(names = "--token", defaultValue = "${env:ACQSWITCH_TOKEN}",
                description = "bearer token (http.token); default: $ACQSWITCH_TOKEN")
        String token;

        @Option(names = "--json", description = "print the API's JSON as is")
        boolean json;

        /** Exit code of the last failed {@link #get}: 1 = the API refused (4xx/5xx), 2 = unreachable. */
        int failure;

        /** GETs {@code path}; prints errors itself and returns null on failure (see {@link #failure}). */
        JsonNode get(String path, PrintWriter err) {
            return send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(10)).GET(), 200, err);
        }

        /** POSTs to {@code path} (no body); 202 is success. Same error handling as {@link #get}. */
        JsonNode post(String path, PrintWriter err) {
            return send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()), 202, err);
        }

        private JsonNode send(HttpRequest.Builder req, int expected, PrintWriter err) {
            if (token != null && !token.isBlank()) {
                req.header("Authorization", "Bearer " + token);
            }
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> rsp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(rsp.body().isEmpty() ? "{}" : rsp.body());
                if (rsp.statusCode() != expected) {
                    err.println("txn: HTTP " + rsp.statusCode() + ": " + body.path("error").asText(rsp.body()));
                    failure = 1;
                    return null;
                }
                return body;
            } catch (IOException e) {
                err.println("txn: cannot reach " + url + ": " + e);
                failure = 2;
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
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

    /** Shared by {@code requeue} and {@code resolve}: who and why are recorded on the transaction. */
    abstract static class SafCommand implements Callable<Integer> {
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

        @Override
        public Integer call() {
            String path = "/ops/saf/" + URLEncoder.encode(rrn, StandardCharsets.UTF_8) + "/" + action()
                    + "?who=" + URLEncoder.encode(who, StandardCharsets.UTF_8)
                    + "&why=" + URLEncoder.encode(why, StandardCharsets.UTF_8);
            JsonNode body = endpoint.post(path, spec.commandLine().getErr());
            if (body == null) {
                return endpoint.failure;
            }
            spec.commandLine().getOut().println(action() + " of " + rrn + " queued; `txn show " + rrn + "` shows the outcome");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "requeue", mixinStandardHelpOptions = true, description = "Send an expired reversal again.")
    static final class Requeue extends SafCommand {
        @Override
        String action() {
            return "requeue";
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Record that a pending or expired reversal was settled by hand; the switch stops sending it.")
    static final class Resolve extends SafCommand {
        @Override
        String action() {
            return "resolve";
        }
    }
}
