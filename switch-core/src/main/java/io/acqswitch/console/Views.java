package io.acqswitch.console;

import java.util.List;

/**
 * What each console template is given: plain values, already formatted, never card data beyond
 * the masked PAN. The templates (src/main/jte/console) escape every value they print.
 */
public final class Views {
    private Views() {}

    /** The page around every view: its title, which tab is lit, the operator and the form's CSRF token. */
    public record Frame(String title, String active, String who, String csrf) {}

    /** The login form; {@code error} is shown above it when not null. */
    public record Login(String error, boolean tokenRequired, String who) {}

    public record Live(Frame frame, Panel panel) {}

    /**
     * The Live figures (refreshed by htmx every second). {@code sparkPoints} is the SVG polyline of
     * answers per second over the last minutes, empty while there is too little history.
     */
    public record Panel(String tps, String approval, List<Count> answers, List<Link> links, int safDepth,
            String safOldest, String journalLag, String sparkPoints, String sparkMax, String updatedAt) {}

    public record Count(String key, long count) {}

    public record Link(String issuer, int linksUp, boolean up) {}

    /** The search form's values, as typed. */
    public record Criteria(String rrn, String terminal, String stan, String merchant, String card, String amount, String rc,
            String state, String from, String to) {}

    /** One transaction in a list. */
    public record Row(String rrn, String receivedAt, String kind, String mti, String terminal, String stan, String merchant,
            String maskedPan, String amount, String currency, String responseCode, String state, boolean delivered,
            int duplicates) {}

    public record Search(Frame frame, Criteria criteria, List<String> states, List<Row> rows, String previous,
            String next, String csv, String error, boolean searched) {}

    /** One journaled change of a transaction's timeline, numbered from 1. */
    public record Step(int number, String at, String state, String responseCode, String reason) {}

    /** One ISO 8583 field as the journal keeps it (masked). */
    public record Field(String number, String name, String value) {}

    /**
     * One transaction's page. {@code request} and {@code answer} are every field of the messages
     * when the journal has their text ({@code requestJournaled}, {@code answerJournaled}), else
     * the fields its row keeps.
     */
    public record Txn(Frame frame, Row row, List<Step> steps, Row original, List<Row> followUps, int duplicates,
            String lastDuplicateAt, List<Field> request, List<Field> answer, boolean requestJournaled,
            boolean answerJournaled, String issuer, String reversalReason, String notes) {}

    public record AuditLine(String at, String who, String action, String target, String note, String outcome) {}

    public record Saf(Frame frame, List<Row> pending, List<Row> expired, List<AuditLine> audit, String message) {}

    /** One reconciliation difference, either report. */
    public record Difference(String kind, String key, String switchSide, String issuerSide, String detail) {}

    public record ReconResult(String summary, List<Difference> ledger, String settlementSummary,
            List<Difference> settlements) {}

    public record Recon(Frame frame, String from, String to, ReconResult result, String error) {}

    /** A page that says what went wrong (404, 403, 503) in the console's frame. */
    public record Problem(Frame frame, String message) {}
}
