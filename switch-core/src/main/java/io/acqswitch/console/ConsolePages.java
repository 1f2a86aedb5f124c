package io.acqswitch.console;

import io.acqswitch.journal.JournalQueries;
import io.acqswitch.journal.JournalQueries.Txn;
import io.acqswitch.recon.LedgerCsv;
import io.acqswitch.recon.Reconciliation;
import io.acqswitch.recon.SettlementRecon;
import io.acqswitch.txn.ReversalReasons;
import io.acqswitch.txn.TxnState;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.acqswitch.recon.Csv;
import java.util.Locale;

/**
 * The console's pages as values ({@link Views}), from the journal's queries and the recon package:
 * searching, one transaction with its timeline and relatives, the SAF lists, reconciliation.
 * Stateless apart from the queries; thread-safe.
 */
final class ConsolePages {
    /** Rows on one page of search results. */
    static final int PAGE = 50;
    /** Most rows one CSV export holds. */
    static final int CSV_MAX = 10 * JournalQueries.MAX_LIMIT;
    static final String CSV_HEADER = "rrn,received_at,class,mti,terminal_id,stan,merchant_id,masked_pan,amount,currency,"
            + "response_code,state,delivered,duplicates";

    private final JournalQueries queries;

    ConsolePages(JournalQueries queries) {
        this.queries = queries;
    }

    static Views.Criteria criteria(Map<String, String> q) {
        // a card number typed into another field is masked before it is searched for or shown back
        return new Views.Criteria(Console.masked(q.get("rrn")), Console.masked(q.get("terminal")),
                Console.masked(q.get("stan")), Console.masked(q.get("merchant")), q.get("card"), Console.masked(q.get("amount")),
                Console.masked(q.get("rc")), Console.masked(q.get("state")), Console.masked(q.get("from")),
                Console.masked(q.get("to")));
    }

    /**
     * The journal filter for the form's values: blanks mean any; {@code card} is the last 4 digits
     * or the first 6 and last 4; times are UTC, as {@code 2026-12-05T14:00} (the browser's
     * date-time field) or an ISO instant.
     *
     * @throws IllegalArgumentException naming the field that cannot be read
     */
    static JournalQueries.Filter filter(Views.Criteria c, int limit, int offset) {
        String state = blank(c.state());
        if (state != null && Arrays.stream(TxnState.values()).noneMatch(s -> s.name().equals(state))) {
            throw new IllegalArgumentException("state: one of " + Arrays.toString(TxnState.values()));
        }
        Long amount = null;
        if (blank(c.amount()) != null) {
            try {
                amount = Long.parseLong(c.amount().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("amount: a whole number of minor units (e.g. 1000 for 10.00)");
            }
        }
        return new JournalQueries.Filter(blank(c.rrn()), blank(c.terminal()), blank(c.stan()), blank(c.merchant()),
                blank(c.card()), time("from", c.from()), time("to", c.to()), blank(c.rc()), state, null, amount, limit,
                offset);
    }

    JournalQueries.Page search(Views.Criteria c, int offset) throws SQLException {
        return queries.find(filter(c, PAGE, offset));
    }

    /** Every match (up to {@link #CSV_MAX}) as CSV, newest first; card data: the masked PAN only. */
    String csv(Views.Criteria c) throws SQLException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append("\r\n");
        int offset = 0;
        while (offset < CSV_MAX) {
            JournalQueries.Page p = queries.find(filter(c, JournalQueries.MAX_LIMIT, offset));
            for (Txn t : p.items()) {
                sb.append(Csv.line(t.rrn(), t.receivedAt(), t.messageClass(), t.mti(), t.terminalId(),
                        t.terminalStan(), t.merchantId(), t.maskedPan(), t.amount(), t.currency(), t.responseCode(),
                        t.state(), t.delivered(), t.duplicates()));
            }
            if (!p.more()) {
                break;
            }
            offset += p.items().size();
        }
        return sb.toString();
    }

    Optional<Views.Txn> transaction(Views.Frame frame, String rrn) throws SQLException {
        Optional<JournalQueries.Timeline> found = queries.timeline(rrn);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Txn t = found.get().transaction();
        Views.Row original = null;
        if (t.originalRrn() != null && !t.originalRrn().isEmpty()) {
            original = queries.timeline(t.originalRrn()).map(o -> row(o.transaction())).orElse(null);
        }
        List<Views.Row> followUps = queries.followUps(t).stream().map(ConsolePages::row).toList();
        Map<String, String> messages = queries.messages(t.rrn());
        String request = messages.get("request");
        String answer = messages.get("answer");
        return Optional.of(new Views.Txn(frame, row(t), steps(t, found.get().events()), original, followUps,
                t.duplicates(), at(t.lastDuplicateAt()), request != null ? fields(request) : request(t),
                answer != null ? fields(answer) : answer(t), request != null, answer != null, t.issuer(),
                t.reversalReason(), t.flag()));
    }

    /** A journaled message's {@code number=value} lines as rows, field 0 shown as the MTI. */
    static List<Views.Field> fields(String text) {
        List<Views.Field> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            String number = eq < 0 ? "" : line.substring(0, eq);
            String value = eq < 0 ? line : line.substring(eq + 1);
            out.add(number.equals("0") ? new Views.Field("MTI", "message type", value)
                    : new Views.Field(number, FieldNames.of(number), value));
        }
        return out;
    }

    /**
     * The timeline: each journaled change with why it happened, read from what changed between one
     * event and the one before it (the journal keeps states and counters, not reasons, but for the
     * reversal's reason and the operators' notes, which are on the transaction).
     */
    static List<Views.Step> steps(Txn t, List<JournalQueries.Event> events) {
        List<Views.Step> out = new ArrayList<>();
        JournalQueries.Event prev = null;
        for (JournalQueries.Event e : events) {
            List<String> why = new ArrayList<>();
            boolean stateChanged = prev == null || !prev.state().equals(e.state());
            if (stateChanged && e.state().equals("REVERSAL_PENDING") && timedOutWithin(t, prev)) {
                // the processor marks the timeout and queues its reversal in one store write (one
                // event): shown as the two steps they are, the timeout first
                out.add(new Views.Step(out.size() + 1, at(t.completedAt() != null ? t.completedAt() : e.at()), "TIMED_OUT",
                        e.responseCode(),
                        "no issuer answer within its deadline; terminal answered " + e.responseCode()));
            }
            if (stateChanged) {
                why.add(switch (e.state()) {
                    case "RECEIVED" -> "received from terminal " + t.terminalId();
                    case "FORWARDED" -> "forwarded to issuer " + t.issuer();
                    case "APPROVED" -> "approved (" + e.responseCode() + (t.authCode().isEmpty() ? "" : ", auth " + t.authCode()) + ")";
                    case "DECLINED" -> "declined (" + e.responseCode() + ")";
                    case "TIMED_OUT" -> "no issuer answer within its deadline; terminal answered " + e.responseCode();
                    case "REVERSAL_PENDING" -> "reversal queued in the SAF" + (t.reversalReason().isEmpty() ? ""
                            : " (" + t.reversalReason() + ")");
                    case "REVERSED" -> t.flag().contains("resolved by hand") ? "reversal resolved by hand (see notes)"
                            : "reversal acknowledged by the issuer";
                    default -> e.state().toLowerCase(Locale.ROOT).replace('_', ' ');
                });
            }
            if (e.delivered() && (prev == null || !prev.delivered())) {
                why.add("answer delivered to the terminal");
            }
            if (prev != null && e.safAttempts() > prev.safAttempts()) {
                why.add("reversal advice sent (attempt " + e.safAttempts() + ")");
            }
            if (e.safExpired() && (prev == null || !prev.safExpired())) {
                why.add("reversal expired unacknowledged: needs an operator");
            }
            if (prev != null && !e.safExpired() && prev.safExpired()) {
                why.add("reversal requeued by an operator (see notes)");
            }
            if (e.duplicates() > (prev == null ? 0 : prev.duplicates())) {
                why.add("duplicate request seen (" + e.duplicates() + " so far): answered from the record, not forwarded");
            }
            out.add(new Views.Step(out.size() + 1, at(e.at()), e.state(), e.responseCode(), why.isEmpty() ? "recorded" : String.join("; ", why)));
            prev = e;
        }
        return out;
    }

    /**
     * Whether the step into REVERSAL_PENDING after {@code prev} is an issuer timeout with its
     * reversal: the reason says so and the journal holds no TIMED_OUT step of its own before it.
     */
    private static boolean timedOutWithin(Txn t, JournalQueries.Event prev) {
        return ReversalReasons.ISSUER_TIMEOUT.equals(t.reversalReason()) && (prev == null || !prev.state().equals("TIMED_OUT"));
    }

    /** The request's fields the journal keeps in its row, by ISO 8583 field number: what is shown when its text is not journaled. */
    static List<Views.Field> request(Txn t) {
        List<Views.Field> f = new ArrayList<>();
        f.add(new Views.Field("MTI", "message type", t.mti()));
        f.add(new Views.Field("2", "PAN (masked)", t.maskedPan()));
        f.add(new Views.Field("3", "processing code", t.processingCode()));
        f.add(new Views.Field("4", "amount (minor units)", Long.toString(t.amount())));
        f.add(new Views.Field("11", "STAN (terminal's)", t.terminalStan()));
        f.add(new Views.Field("41", "terminal id", t.terminalId()));
        f.add(new Views.Field("42", "merchant id", t.merchantId()));
        f.add(new Views.Field("49", "currency", t.currency()));
        if (t.batch() != null && !t.batch().isEmpty()) {
            f.add(new Views.Field("60.2", "batch", t.batch()));
        }
        return f;
    }

    /** The answer's fields the journal keeps in its row: what is shown when its text is not journaled. */
    static List<Views.Field> answer(Txn t) {
        List<Views.Field> f = new ArrayList<>();
        f.add(new Views.Field("MTI", "message type", responseMti(t.mti())));
        f.add(new Views.Field("37", "RRN (switch's)", t.rrn()));
        f.add(new Views.Field("38", "authorization code", t.authCode()));
        f.add(new Views.Field("39", "response code", t.responseCode()));
        f.add(new Views.Field("", "delivered to the terminal", t.delivered() ? "yes" : "no"));
        return f;
    }

    private static String responseMti(String mti) {
        if (mti == null || mti.length() != 4 || !mti.chars().allMatch(Character::isDigit)) {
            return "";
        }
        return String.format("%04d", Integer.parseInt(mti) + 10);
    }

    Views.Saf saf(Views.Frame frame, List<Views.AuditLine> audit, String message) throws SQLException {
        return new Views.Saf(frame, safList(false), safList(true), audit, message);
    }

    private List<Views.Row> safList(boolean expired) throws SQLException {
        return queries.find(new JournalQueries.Filter(null, null, null, null, null, null, null, null,
                TxnState.REVERSAL_PENDING.name(), expired, 200, 0)).items().stream().map(ConsolePages::row).toList();
    }

    /** Reconciliation of the period against an issuer's ledger export, and the period's settlements. */
    Views.ReconResult recon(Instant from, Instant to, String ledgerCsv) throws SQLException {
        Reconciliation.Report r = Reconciliation.compare(queries.range(from, to), queries.actingOn(from, to),
                LedgerCsv.parse(ledgerCsv), from, to);
        List<Views.Difference> ledger = r.differences().stream().map(d -> new Views.Difference(d.kind().name(), d.rrn(),
                side(d.switchState(), d.switchAmount()), side(d.issuerResponseCode(), d.issuerAmount())
                        + (Boolean.TRUE.equals(d.issuerReversed()) ? " reversed" : ""), d.detail())).toList();
        SettlementRecon.Report s = SettlementRecon.compare(queries.settlements(from, to), queries::batch);
        List<Views.Difference> settlements = s.differences().stream().map(d -> new Views.Difference(d.kind().name(),
                d.terminalId() + " / " + d.merchantId() + " batch " + d.batch(),
                "journal debits " + d.journal().debitCount() + " = " + d.journal().debitAmount()
                        + ", credits " + d.journal().creditCount() + " = " + d.journal().creditAmount(),
                "settled debits " + d.settledDebitAmount(), d.detail())).toList();
        return new Views.ReconResult(r.summary(), ledger, s.summary(), settlements);
    }

    private static String side(Object what, Long amount) {
        if (what == null && amount == null) {
            return "(none)";
        }
        return (what == null ? "" : what + " ") + (amount == null ? "" : amount);
    }

    static Views.Row row(Txn t) {
        return new Views.Row(t.rrn(), at(t.receivedAt()), t.messageClass(), t.mti(), t.terminalId(), t.terminalStan(),
                t.merchantId(), t.maskedPan(), Long.toString(t.amount()), t.currency(), t.responseCode(), t.state(),
                t.delivered(), t.duplicates());
    }

    /** An instant as the console shows it: UTC to the millisecond; "" for none. */
    static String at(Instant t) {
        return t == null ? "" : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** A form's time: blank = none; {@code 2026-12-05T14:00[:ss]} (UTC) or an ISO instant. */
    static Instant time(String field, String value) {
        String v = blank(value);
        if (v == null) {
            return null;
        }
        try {
            return v.endsWith("Z") ? Instant.parse(v) : LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": a UTC time like 2026-12-05T14:00 or 2026-12-05T14:00:00Z");
        }
    }

    static String blank(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }
}
