package io.acqswitch.journal;

import io.acqswitch.txn.TxnRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's database: connecting, the versioned schema ({@code schema_version} and the ordered
 * scripts under {@code src/main/resources/journal/}), the batched writes and the quarantine. The
 * same SQL runs on PostgreSQL and on H2 in PostgreSQL mode, but for the row upsert, which each
 * database spells its own way (see {@link #write(Statements, List, long, JournalValues.Tally)});
 * every value bound comes from {@link JournalValues}, which fits it to its column. Stateless apart
 * from the connection settings; thread-safe (every caller brings or opens its own connection, and
 * its own {@link Statements}).
 */
public final class JournalDb {
    private static final Logger LOG = LoggerFactory.getLogger(JournalDb.class);

    /** Migration scripts in the order they are applied; version = position + 1. Append only. */
    static final List<String> MIGRATIONS = List.of("V1__journal.sql", "V2__originals_and_flags.sql", "V3__duplicates.sql",
            "V4__quarantine.sql", "V5__lean_indexes.sql",
            // there is no V6 script: V7 (version 6) came from the console's branch; versions follow this list, not the names
            "V7__console_audit.sql", "V8__messages.sql", "V9__history_on_row.sql");
    /** Widths of {@code journal_quarantine}'s free-text columns (V4). */
    static final int QUARANTINE_REASON_WIDTH = 1000;
    static final int QUARANTINE_VALUES_WIDTH = 10000;

    private static final String COLUMNS = "rrn, seq, state, message_class, mti, processing_code, terminal_id, merchant_id,"
            + " terminal_stan, masked_pan, amount, currency, issuer, response_code, auth_code, delivered, reversal_reason,"
            + " saf_attempts, saf_expired, received_at, forwarded_at, completed_at, reversed_at, journaled_at, original_rrn,"
            + " batch, flag, duplicates, last_duplicate_at, steps, request_fields, answer_fields";
    private static final String[] COLUMN_NAMES = COLUMNS.split(", ");
    /** Most rows per multi-row statement: 2 048 parameters, well within both databases' limits. */
    static final int ROW_CHUNK = 64;
    /**
     * Multi-row statements by size: index {@code k} holds the one for {@code 2^k} rows. Only powers
     * of two are used, so that a connection keeps a handful of prepared statements whatever the
     * batch sizes (H2 parses each new statement text; PostgreSQL plans it).
     */
    private static final String[] INSERT_H2 = bySize(ROW_CHUNK, n -> "INSERT INTO transactions (" + COLUMNS
            + ") VALUES " + rows(n, COLUMN_NAMES.length) + " ON CONFLICT DO NOTHING");
    /**
     * H2: {@code MERGE ... USING (VALUES ...)}, the standard upsert (H2 has no {@code ON CONFLICT DO
     * UPDATE}), for the rows {@link #INSERT_H2} found in place.
     */
    private static final String[] UPSERT_H2 = bySize(ROW_CHUNK, n -> "MERGE INTO transactions t USING (VALUES "
            + rows(n, COLUMN_NAMES.length) + ") AS s (" + COLUMNS + ") ON t.rrn = s.rrn WHEN MATCHED"
            + " THEN UPDATE SET " + assignments("s.") + " WHEN NOT MATCHED THEN INSERT (" + COLUMNS + ") VALUES ("
            + String.join(", ", Arrays.stream(COLUMN_NAMES).map(c -> "s." + c).toList()) + ")");
    /**
     * PostgreSQL: its own upsert, which (unlike its {@code MERGE}) also holds against a concurrent
     * insert of the same key.
     */
    private static final String[] UPSERT_POSTGRES = bySize(ROW_CHUNK, n -> "INSERT INTO transactions AS t (" + COLUMNS
            + ") VALUES " + rows(n, COLUMN_NAMES.length) + " ON CONFLICT (rrn) DO UPDATE SET " + assignments("EXCLUDED."));
    private static final String INSERT_QUARANTINE = "INSERT INTO journal_quarantine (rrn, seq, state, reason, row_values,"
            + " quarantined_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING";

    private final String url;
    private final String user;
    private final String password;
    private final boolean postgres;

    public JournalDb(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.postgres = url.startsWith("jdbc:postgresql:");
    }

    /** {@code (?,?,…),(?,?,…)…}: {@code n} rows of {@code width} parameters. */
    private static String rows(int n, int width) {
        String row = "(" + "?,".repeat(width - 1) + "?)";
        return (row + ",").repeat(n - 1) + row;
    }

    /**
     * The update of a row in place by the incoming {@code source} row: every column but the key
     * takes the incoming value only when its {@code seq} is not lower (an older change never
     * overwrites a newer row); the steps are appended whatever the order (the timeline sorts them),
     * until the row holds {@value Steps#MAX_LENGTH} characters; a message's text replaces the row's
     * only when the incoming row brings one.
     */
    private static String assignments(String source) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < COLUMN_NAMES.length; i++) {
            String c = COLUMN_NAMES[i];
            sb.append(i > 1 ? ", " : "").append(c).append(" = ");
            switch (c) {
                case "steps" -> sb.append("CASE WHEN LENGTH(t.steps) < ").append(Steps.MAX_LENGTH)
                        .append(" THEN t.steps || ").append(source).append("steps ELSE t.steps END");
                case "request_fields", "answer_fields" -> sb.append("COALESCE(").append(source).append(c)
                        .append(", t.").append(c).append(")");
                default -> sb.append("CASE WHEN t.seq <= ").append(source).append("seq THEN ").append(source)
                        .append(c).append(" ELSE t.").append(c).append(" END");
            }
        }
        return sb.toString();
    }

    private static String[] bySize(int max, IntFunction<String> sql) {
        String[] out = new String[Integer.numberOfTrailingZeros(max) + 1];
        for (int k = 0; k < out.length; k++) {
            out[k] = sql.apply(1 << k);
        }
        return out;
    }

    /** Rows for the next statement: {@code max} while that many are left, else the largest power of two that fits. */
    static int chunk(int left, int max) {
        return left >= max ? max : Integer.highestOneBit(left);
    }

    /**
     * The writer's prepared statements on one connection, kept while it lives: a batch re-binds
     * them instead of preparing its statements again. Closing it closes the statements, not the
     * connection. One thread at a time, like the connection.
     */
    static final class Statements implements AutoCloseable {
        private final Connection connection;
        private final Map<String, PreparedStatement> prepared = new HashMap<>();

        Statements(Connection connection) {
            this.connection = connection;
        }

        Connection connection() {
            return connection;
        }

        PreparedStatement get(String sql) throws SQLException {
            PreparedStatement ps = prepared.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                prepared.put(sql, ps);
            }
            return ps;
        }

        @Override
        public void close() {
            for (PreparedStatement ps : prepared.values()) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    LOG.debug("closing a journal statement", e);
                }
            }
            prepared.clear();
        }
    }

    public String url() {
        return url;
    }

    /** A new connection (the caller closes it). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * One change of a record as the writer saw it: the decoded record, when the writer took it
     * ({@code observedAt}), and when the processor made it ({@code changedAt}, epoch ms; 0 when not
     * known, e.g. a record found by a rescan), from which {@code switch_journal_lag_seconds} is timed;
     * and the masked text of the terminal's request and of the answer when this change brought them
     * ({@link MessageText}; else null).
     */
    record Change(TxnRecord record, long observedAt, long changedAt, String requestText, String answerText) {
        Change(TxnRecord record, long observedAt) {
            this(record, observedAt, 0);
        }

        Change(TxnRecord record, long observedAt, long changedAt) {
            this(record, observedAt, changedAt, null, null);
        }

        /** SAF attempts and duplicates each get 19 bits of the sequence; beyond that they stop raising it. */
        private static final int FIELD_MAX = (1 << 19) - 1;

        /**
         * Orders the changes of one record: state rank, then SAF attempts, then duplicates
         * answered, then the expired and delivered flags. Every legal transition and every
         * duplicate raises it, so replays never move a row backwards.
         */
        long seq() {
            return seq(record);
        }

        static long seq(TxnRecord r) {
            long rank = switch (r.state) {
                case RECEIVED -> 0;
                case FORWARDED -> 1;
                case APPROVED, DECLINED, TIMED_OUT -> 2;
                case REVERSAL_PENDING -> 3;
                case REVERSED -> 4;
            };
            return rank << 40 | (long) Math.min(r.safAttempts, FIELD_MAX) << 21 | (long) Math.min(r.duplicates, FIELD_MAX) << 2
                    | (r.safExpired ? 2 : 0) | (r.delivered ? 1 : 0);
        }

        /** When this state was reached: the record's own timestamp where it has one, else when it was seen. */
        long at() {
            long t = switch (record.state) {
                case RECEIVED -> record.receivedAt;
                case FORWARDED -> record.forwardedAt;
                case APPROVED, DECLINED, TIMED_OUT -> record.delivered || record.safAttempts > 0 ? 0 : record.completedAt;
                case REVERSED -> record.reversedAt;
                case REVERSAL_PENDING -> 0;
            };
            return t > 0 ? t : observedAt;
        }
    }

    /**
     * Applies the schema scripts not yet recorded in {@code schema_version}, each in its own
     * transaction. Safe to run from several nodes at once (a loser's insert fails and it retries).
     *
     * @return the schema version now in place
     */
    public int migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                    + " script VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        int current = version(c);
        c.setAutoCommit(false);
        try {
            for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
                String script = MIGRATIONS.get(v - 1);
                try (Statement st = c.createStatement()) {
                    for (String sql : statements(resource(script))) {
                        st.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_version (version, script, applied_at) VALUES (?,?,?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, script);
                    ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                c.commit();
                LOG.info("journal schema migrated to version {} ({}) on {}", v, script, redacted(url));
            }
            if (current < MIGRATIONS.size() && url.startsWith("jdbc:h2:")) {
                // H2 stores commits in the background: make the schema and its version durable together
                // now, or a crash or full disk could keep the tables but lose the version, and the
                // next start would run the scripts again on tables that exist
                try (Statement st = c.createStatement()) {
                    st.execute("CHECKPOINT SYNC");
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return Math.max(current, MIGRATIONS.size());
    }

    static int version(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String resource(String name) {
        try (InputStream in = JournalDb.class.getResourceAsStream("/journal/" + name)) {
            if (in == null) {
                throw new IllegalStateException("journal migration /journal/" + name + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A script's statements: split on ';' at line ends, {@code --} comments dropped. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String l = line.strip();
            if (l.startsWith("--") || l.isEmpty()) {
                continue;
            }
            cur.append(line).append('\n');
            if (l.endsWith(";")) {
                String sql = cur.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    /**
     * The highest {@code seq} the journal holds of each of {@code rrns}, as a row or as a quarantined
     * change (start-up rescans skip what is already there, and do not retry a quarantined change);
     * keyed by the store's RRN.
     */
    Map<String, Long> seqs(Connection c, Collection<String> rrns) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        if (rrns.isEmpty()) {
            return out;
        }
        Map<String, String> byKey = new HashMap<>(); // the journal's key (normalised) -> the store's RRN
        for (String rrn : rrns) {
            byKey.put(JournalValues.rrn(rrn), rrn);
        }
        String in = "?,".repeat(byKey.size() - 1) + "?";
        for (String sql : List.of("SELECT rrn, seq FROM transactions WHERE rrn IN (" + in + ")",
                "SELECT rrn, MAX(seq) FROM journal_quarantine WHERE rrn IN (" + in + ") GROUP BY rrn")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (String key : byKey.keySet()) {
                    ps.setString(i++, key);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String rrn = byKey.get(rs.getString(1));
                        if (rrn != null) {
                            out.merge(rrn, rs.getLong(2), Math::max);
                        }
                    }
                }
            }
        }
        if (!c.getAutoCommit()) {
            // end the read's transaction: left open ("idle in transaction" on PostgreSQL) it holds its
            // table locks until the next write, and blocks DDL such as another node's migration
            c.commit();
        }
        return out;
    }

    /** As {@link #write(Statements, List, long, JournalValues.Tally)} on a bare connection, not keeping the count of values fixed. */
    int write(Connection c, List<Change> batch, long now) throws SQLException {
        return write(c, batch, now, new JournalValues.Tally());
    }

    /** As {@link #write(Statements, List, long, JournalValues.Tally)} on a bare connection (its statements closed after). */
    int write(Connection c, List<Change> batch, long now, JournalValues.Tally tally) throws SQLException {
        try (Statements st = new Statements(c)) {
            return write(st, batch, now, tally);
        }
    }

    /**
     * Writes one batch in one transaction: each record's row once, at its latest change in the
     * batch (an older change never overwrites a newer row), appending every change of the batch to
     * the row's {@code steps} ({@link Steps}: a change met twice in the batch, queued and re-read
     * from the store, once), with the messages' text a change brought ({@link Change#requestText()},
     * {@link Change#answerText()}). So a transaction whose changes meet in one batch costs one row
     * insert, whatever the number of its changes. Rows go in multi-row statements of up to
     * {@value #ROW_CHUNK}, through {@code st}'s kept statements: on PostgreSQL its upsert
     * ({@code INSERT … ON CONFLICT (rrn) DO UPDATE}); on H2 a plain insert (the rows of new
     * transactions, most of them, cost no look-up of an old row), and when it finds rows in place it
     * is rolled back to a savepoint and the chunk merged instead ({@code MERGE … USING (VALUES …)}).
     * Every value goes through {@link JournalValues} first (fixes counted in {@code tally}). On
     * failure rolls back and throws; the caller retries the batch, or writes its changes one by one
     * to find the one refused.
     *
     * @return the rows written: one per record in the batch (a row the journal holds at a higher
     *         {@code seq} keeps its values, and is counted all the same)
     */
    int write(Statements st, List<Change> batch, long now, JournalValues.Tally tally) throws SQLException {
        Connection c = st.connection();
        c.setAutoCommit(false);
        try {
            List<JournalValues.TxnRow> rows = rows(batch, now, tally);
            for (int i = 0; i < rows.size(); ) {
                int n = chunk(rows.size() - i, ROW_CHUNK);
                int size = Integer.numberOfTrailingZeros(n);
                if (postgres) {
                    execute(st.get(UPSERT_POSTGRES[size]), rows, i, n);
                } else {
                    Savepoint before = c.setSavepoint();
                    if (execute(st.get(INSERT_H2[size]), rows, i, n) < n) {
                        c.rollback(before); // some were in place: merge the chunk instead
                        execute(st.get(UPSERT_H2[size]), rows, i, n);
                    }
                    c.releaseSavepoint(before);
                }
                i += n;
            }
            c.commit();
            return rows.size();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Binds rows {@code from} … {@code from + n - 1} to {@code ps} and runs it: the rows it changed. */
    private static int execute(PreparedStatement ps, List<JournalValues.TxnRow> rows, int from, int n)
            throws SQLException {
        int p = 1;
        for (int k = from; k < from + n; k++) {
            p = bind(ps, p, rows.get(k));
        }
        return ps.executeUpdate();
    }

    /**
     * One row per record of the batch (by its journal key), in the order the records first appear:
     * at its latest change, with the steps of all its changes in the batch in order, each once, and
     * the messages' text the changes brought.
     */
    private static List<JournalValues.TxnRow> rows(List<Change> batch, long now, JournalValues.Tally tally) {
        Map<String, List<Change>> byRrn = new LinkedHashMap<>();
        for (Change ch : batch) {
            byRrn.computeIfAbsent(JournalValues.rrn(ch.record().rrn), k -> new ArrayList<>(4)).add(ch);
        }
        List<JournalValues.TxnRow> rows = new ArrayList<>(byRrn.size());
        StringBuilder steps = new StringBuilder(256);
        for (List<Change> changes : byRrn.values()) {
            if (changes.size() > 1) {
                changes.sort(Comparator.comparingLong(Change::seq)); // stable: equal seqs keep their order
            }
            Change latest = changes.getLast();
            String request = null;
            String answer = null;
            steps.setLength(0);
            long lastSeq = -1;
            String lastCode = null;
            for (Change ch : changes) {
                request = ch.requestText() != null ? ch.requestText() : request;
                answer = ch.answerText() != null ? ch.answerText() : answer;
                String code = ch.record().responseCode;
                if (ch.seq() == lastSeq && Objects.equals(code, lastCode)) {
                    continue; // the same change twice: queued, and re-read from the store
                }
                lastSeq = ch.seq();
                lastCode = code;
                if (steps.length() < Steps.MAX_APPEND) {
                    Steps.append(steps, ch, tally);
                }
            }
            rows.add(JournalValues.txn(latest, now, steps.toString(), request, answer, tally));
        }
        return rows;
    }

    /**
     * Puts {@code ch} in {@code journal_quarantine} with {@code reason} (one row per RRN and
     * {@code seq}: a change quarantined again keeps its first row), in a transaction of its own.
     * The values are the normalised row in printable ASCII, so that they cannot be refused.
     */
    void quarantine(Connection c, Change ch, String reason, long now) throws SQLException {
        JournalValues.TxnRow row = JournalValues.txn(ch, now, new JournalValues.Tally());
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT_QUARANTINE)) {
            ps.setString(1, JournalValues.ascii(row.rrn(), JournalValues.Column.RRN.width()));
            ps.setLong(2, row.seq());
            ps.setString(3, row.state());
            ps.setString(4, JournalValues.ascii(reason, QUARANTINE_REASON_WIDTH));
            ps.setString(5, JournalValues.ascii(row.toString(), QUARANTINE_VALUES_WIDTH));
            ps.setObject(6, JournalValues.utc(now));
            ps.executeUpdate();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static int bind(PreparedStatement ps, int i, JournalValues.TxnRow r) throws SQLException {
        ps.setString(i++, r.rrn());
        ps.setLong(i++, r.seq());
        ps.setString(i++, r.state());
        ps.setString(i++, r.messageClass());
        ps.setString(i++, r.mti());
        ps.setString(i++, r.processingCode());
        ps.setString(i++, r.terminalId());
        ps.setString(i++, r.merchantId());
        ps.setString(i++, r.terminalStan());
        ps.setString(i++, r.maskedPan());
        ps.setLong(i++, r.amount());
        ps.setString(i++, r.currency());
        ps.setString(i++, r.issuer());
        ps.setString(i++, r.responseCode());
        ps.setString(i++, r.authCode());
        ps.setBoolean(i++, r.delivered());
        ps.setString(i++, r.reversalReason());
        ps.setInt(i++, r.safAttempts());
        ps.setBoolean(i++, r.safExpired());
        setTime(ps, i++, r.receivedAt());
        setTime(ps, i++, r.forwardedAt());
        setTime(ps, i++, r.completedAt());
        setTime(ps, i++, r.reversedAt());
        setTime(ps, i++, r.journaledAt());
        ps.setString(i++, r.originalRrn());
        ps.setString(i++, r.batch());
        ps.setString(i++, r.flag());
        ps.setInt(i++, r.duplicates());
        setTime(ps, i++, r.lastDuplicateAt());
        ps.setString(i++, r.steps());
        setText(ps, i++, r.requestFields());
        setText(ps, i++, r.answerFields());
        return i;
    }

    /** A timestamp column: SQL NULL for {@code null} (never happened, or not a time the journal stores). */
    private static void setTime(PreparedStatement ps, int i, OffsetDateTime t) throws SQLException {
        if (t != null) {
            ps.setObject(i, t);
        } else {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    /** A nullable text column: SQL NULL for {@code null}. */
    private static void setText(PreparedStatement ps, int i, String s) throws SQLException {
        if (s != null) {
            ps.setString(i, s);
        } else {
            ps.setNull(i, Types.VARCHAR);
        }
    }

    /** The URL without anything after '?' or ';' that could carry a password. */
    static String redacted(String url) {
        int cut = url.indexOf('?');
        return cut < 0 ? url : url.substring(0, cut) + "?…";
    }
}
