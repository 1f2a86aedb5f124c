package io.acqswitch.journal;

import io.acqswitch.txn.ReversalReasons;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read side of the journal: searches, one transaction's timeline, the SAF view, and the rows
 * reconciliation compares. Thread-safe; each call uses its own connection.
 */
public final class JournalQueries {
    /** Largest page the search returns. */
    public static final int MAX_LIMIT = 1000;

    private static final String SELECT = "SELECT rrn, seq, state, message_class, mti, processing_code, terminal_id,"
            + " merchant_id, terminal_stan, masked_pan, amount, currency, issuer, response_code, auth_code, delivered,"
            + " reversal_reason, saf_attempts, saf_expired, received_at, forwarded_at, completed_at, reversed_at,"
            + " journaled_at, original_rrn, batch, flag, duplicates, last_duplicate_at FROM transactions";

    private final JournalDb db;

    public JournalQueries(JournalDb db) {
        this.db = db;
    }

    /** One transaction's latest state as journaled. Card data: masked PAN only. */
    public record Txn(
            String rrn,
            long seq,
            String state,
            String messageClass,
            String mti,
            String processingCode,
            String terminalId,
            String merchantId,
            String terminalStan,
            String maskedPan,
            long amount,
            String currency,
            String issuer,
            String responseCode,
            String authCode,
            boolean delivered,
            String reversalReason,
            int safAttempts,
            boolean safExpired,
            Instant receivedAt,
            Instant forwardedAt,
            Instant completedAt,
            Instant reversedAt,
            Instant journaledAt,
            String originalRrn,
            String batch,
            String flag,
            int duplicates,
            Instant lastDuplicateAt) {}

    /** One step of a transaction's timeline. */
    public record Event(long seq, String state, String responseCode, boolean delivered, int safAttempts,
            boolean safExpired, int duplicates, Instant at) {}

    /** A transaction with its timeline (events in order). */
    public record Timeline(Txn transaction, List<Event> events) {}

    /**
     * Search criteria; {@code null} = any. {@code pan} is matched on its first 6 and last 4 digits, or on its last 4.
     * Times bound {@code received_at}: {@code from} inclusive, {@code to} exclusive. {@code amount}
     * is in minor units.
     */
    public record Filter(String rrn, String terminalId, String stan, String merchantId, String pan, Instant from,
            Instant to, String responseCode, String state, Boolean safExpired, Long amount, int limit, int offset) {
        public Filter {
            checkPage(limit, offset);
            int digits = pan == null ? 10 : pan.replaceAll("\\D", "").length();
            if (digits != 10 && digits != 4) {
                throw new IllegalArgumentException("pan: give the last 4 digits, or the first 6 and last 4 (e.g. 476173******0010)");
            }
        }

        /** Any amount. */
        public Filter(String rrn, String terminalId, String stan, String merchantId, String pan, Instant from,
                Instant to, String responseCode, String state, Boolean safExpired, int limit, int offset) {
            this(rrn, terminalId, stan, merchantId, pan, from, to, responseCode, state, safExpired, null, limit, offset);
        }

        public static Filter all(int limit) {
            return new Filter(null, null, null, null, null, null, null, null, null, null, limit, 0);
        }
    }

    /** A page of results, newest first; {@code more} when another page follows. */
    public record Page(List<Txn> items, int limit, int offset, boolean more) {}

    public Page find(Filter f) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1=1");
        List<Object> args = new ArrayList<>();
        eq(sql, args, "rrn", f.rrn());
        eq(sql, args, "terminal_id", f.terminalId());
        eq(sql, args, "terminal_stan", f.stan());
        eq(sql, args, "merchant_id", f.merchantId());
        eq(sql, args, "response_code", f.responseCode());
        eq(sql, args, "state", f.state());
        if (f.safExpired() != null) {
            sql.append(" AND saf_expired = ?");
            args.add(f.safExpired());
        }
        if (f.amount() != null) {
            sql.append(" AND amount = ?");
            args.add(f.amount());
        }
        if (f.pan() != null) {
            String d = f.pan().replaceAll("\\D", "");
            sql.append(" AND masked_pan LIKE ?");
            args.add(d.length() == 4 ? "%" + d : d.substring(0, 6) + "%" + d.substring(6));
        }
        received(sql, args, f.from(), f.to());
        return page(sql, args, f.limit(), f.offset());
    }

    /**
     * Transactions received in [{@code from}, {@code to}) that their terminal sent more than once:
     * every repeat was answered from the switch's record and never reached the issuer. Newest first.
     */
    public Page duplicates(Instant from, Instant to, int limit, int offset) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE duplicates > 0");
        List<Object> args = new ArrayList<>();
        received(sql, args, from, to);
        return page(sql, args, limit, offset);
    }

    /**
     * Approvals received in [{@code from}, {@code to}) that the terminal did not (or may not) have
     * received ({@link ReversalReasons#UNDELIVERED_APPROVAL}), and which the switch therefore
     * reversed at the issuer. Newest first.
     */
    public Page undeliveredApprovals(Instant from, Instant to, int limit, int offset) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE response_code = '00' AND reversal_reason IN (")
                .append("?,".repeat(ReversalReasons.UNDELIVERED_APPROVAL.size() - 1)).append("?)");
        List<Object> args = new ArrayList<>(ReversalReasons.UNDELIVERED_APPROVAL);
        received(sql, args, from, to);
        return page(sql, args, limit, offset);
    }

    private static void checkPage(int limit, int offset) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit=" + limit + ": must be 1 to " + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset=" + offset + ": must not be negative");
        }
    }

    private Page page(StringBuilder sql, List<Object> args, int limit, int offset) throws SQLException {
        checkPage(limit, offset);
        sql.append(" ORDER BY received_at DESC, rrn DESC LIMIT ? OFFSET ?");
        args.add(limit + 1);
        args.add(offset);
        List<Txn> rows = query(sql.toString(), args);
        boolean more = rows.size() > limit;
        return new Page(more ? List.copyOf(rows.subList(0, limit)) : rows, limit, offset, more);
    }

    /** Bounds {@code received_at}: {@code from} inclusive, {@code to} exclusive, either may be null. */
    private static void received(StringBuilder sql, List<Object> args, Instant from, Instant to) {
        if (from != null) {
            sql.append(" AND received_at >= ?");
            args.add(from.atOffset(ZoneOffset.UTC));
        }
        if (to != null) {
            sql.append(" AND received_at < ?");
            args.add(to.atOffset(ZoneOffset.UTC));
        }
    }

    /** Every journaled transaction received in [{@code from}, {@code to}) (either may be null), oldest first. */
    public List<Txn> range(Instant from, Instant to) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1=1");
        List<Object> args = new ArrayList<>();
        received(sql, args, from, to);
        sql.append(" ORDER BY received_at, rrn");
        return query(sql.toString(), args);
    }

    /**
     * The transactions that act on one received in [{@code from}, {@code to}) (either may be
     * null): voids, refunds and completions naming it in {@code original_rrn}, whenever received
     * after {@code from} (a completion may come days after its pre-authorization), oldest first.
     * Reconciliation needs them to know which pre-authorizations a completion captured.
     */
    public List<Txn> actingOn(Instant from, Instant to) throws SQLException {
        StringBuilder window = new StringBuilder("SELECT rrn FROM transactions WHERE 1=1");
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE original_rrn <> ''");
        if (from != null) { // a follow-up is never received before what it acts on; lets the index on received_at serve
            sql.append(" AND received_at >= ?");
            args.add(from.atOffset(ZoneOffset.UTC));
        }
        received(window, args, from, to);
        sql.append(" AND original_rrn IN (").append(window).append(") ORDER BY received_at, rrn");
        return query(sql.toString(), args);
    }

    /**
     * The terminals' settlements (0500) and batch uploads (0320) received in [{@code from},
     * {@code to}) (either may be null), oldest first.
     */
    public List<Txn> settlements(Instant from, Instant to) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE message_class IN ('SETTLEMENT', 'BATCH_UPLOAD')");
        List<Object> args = new ArrayList<>();
        received(sql, args, from, to);
        sql.append(" ORDER BY received_at, rrn");
        return query(sql.toString(), args);
    }

    /** Every transaction of one terminal batch (UnionPay field 60.2), whenever received, oldest first. */
    public List<Txn> batch(String merchantId, String terminalId, String batch) throws SQLException {
        return query(SELECT + " WHERE merchant_id = ? AND terminal_id = ? AND batch = ? ORDER BY received_at, rrn",
                List.of(merchantId, terminalId, batch));
    }

    /**
     * What acted on {@code original} (voids, refunds, completions, reversals naming it in
     * {@code original_rrn}), oldest first. A follow-up is never received before its original, which
     * lets the index on {@code received_at} serve.
     */
    public List<Txn> followUps(Txn original) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE original_rrn = ?");
        List<Object> args = new ArrayList<>(List.of(original.rrn()));
        received(sql, args, original.receivedAt(), null);
        sql.append(" ORDER BY received_at, rrn");
        return query(sql.toString(), args);
    }

    public Optional<Timeline> timeline(String rrn) throws SQLException {
        List<Txn> txn = query(SELECT + " WHERE rrn = ?", List.of(rrn));
        if (txn.isEmpty()) {
            return Optional.empty();
        }
        List<Event> events = new ArrayList<>();
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT steps FROM transactions WHERE rrn = ?")) {
                ps.setString(1, rrn);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Steps.parse(rs.getString(1), events);
                    }
                }
            }
            // what was journaled before V9 kept its events in a table of their own
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, state, response_code, delivered, saf_attempts,"
                    + " saf_expired, duplicates, occurred_at FROM transaction_events WHERE rrn = ?")) {
                ps.setString(1, rrn);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new Event(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                                rs.getInt(5), rs.getBoolean(6), rs.getInt(7), instant(rs, 8)));
                    }
                }
            }
        }
        events = Steps.ordered(events);
        return Optional.of(new Timeline(txn.getFirst(), events));
    }

    /**
     * The masked text of the messages {@code rrn} exchanged with its terminal, by kind
     * ({@code request}, {@code answer}): one {@code number=value} line per field, {@code 0} the MTI
     * (the row's {@code request_fields} and {@code answer_fields}, V9). Empty when the journal has none (a change that overflowed the
     * writer's queue, or a crash before it was written, leaves them out).
     */
    public Map<String, String> messages(String rrn) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT request_fields, answer_fields FROM transactions"
                        + " WHERE rrn = ?")) {
            ps.setString(1, rrn);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (rs.getString(1) != null) {
                        out.put(MessageText.REQUEST, rs.getString(1));
                    }
                    if (rs.getString(2) != null) {
                        out.put(MessageText.ANSWER, rs.getString(2));
                    }
                }
            }
        }
        return out;
    }

    private static void eq(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private List<Txn> query(String sql, List<Object> args) throws SQLException {
        List<Txn> out = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Txn(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getLong(11), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15),
                            rs.getBoolean(16), rs.getString(17), rs.getInt(18), rs.getBoolean(19), instant(rs, 20),
                            instant(rs, 21), instant(rs, 22), instant(rs, 23), instant(rs, 24), rs.getString(25),
                            rs.getString(26), rs.getString(27), rs.getInt(28), instant(rs, 29)));
                }
            }
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
