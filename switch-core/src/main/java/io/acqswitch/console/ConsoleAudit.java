package io.acqswitch.console;

import io.acqswitch.journal.JournalDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The console's audit: every operator action as a row of {@code console_audit} in the journal's
 * database (schema V7): who, when, what, on what, the note and the outcome. Free text is cut to its
 * column; nothing here ever holds card data (targets are RRNs and periods). Thread-safe: each call
 * opens its own connection.
 */
final class ConsoleAudit {
    /** One audited action, as the SAF page lists it. */
    record Entry(Instant at, String who, String action, String target, String note, String outcome) {}

    private final JournalDb db;

    ConsoleAudit(JournalDb db) {
        this.db = db;
    }

    void record(Instant at, String who, String action, String target, String note, String outcome) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO console_audit (at, who, action, target, note, outcome) VALUES (?,?,?,?,?,?)")) {
            ps.setObject(1, at.atOffset(ZoneOffset.UTC));
            ps.setString(2, cut(who, 64));
            ps.setString(3, cut(action, 32));
            ps.setString(4, cut(target, 100));
            ps.setString(5, cut(note, 500));
            ps.setString(6, cut(outcome, 200));
            ps.executeUpdate();
        }
    }

    /** The newest {@code limit} entries, newest first. */
    List<Entry> recent(int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT at, who, action, target, note, outcome FROM console_audit ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
        }
        return out;
    }

    private static String cut(String s, int width) {
        String v = s == null ? "" : s;
        return v.length() <= width ? v : v.substring(0, width);
    }
}
