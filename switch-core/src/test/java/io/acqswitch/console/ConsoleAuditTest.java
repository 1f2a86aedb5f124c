package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.support.PostgresJournal;
import io.acqswitch.support.TempFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The console's audit (schema V7) on the embedded H2 and, when .ci/run gives one, on PostgreSQL. */
class ConsoleAuditTest {
    static void shouldListActionsNewestFirstCutToTheirColumns(JournalDb db) throws Exception {
        try (Connection c = db.connect()) {
            db.migrate(c);
        }
        ConsoleAudit audit = new ConsoleAudit(db);
        Instant t = Instant.parse("2026-12-05T12:00:00Z");
        audit.record(t, "alice", "requeue", "633900001000", "issuer back online", "queued");
        audit.record(t.plusSeconds(1), "b".repeat(100), "resolve", "633900001001", "n".repeat(600), "queued");
        List<ConsoleAudit.Entry> rows = audit.recent(10);
        assertEquals(2, rows.size());
        assertEquals(new ConsoleAudit.Entry(t.plusSeconds(1), "b".repeat(64), "resolve", "633900001001", "n".repeat(500),
                "queued"), rows.get(0));
        assertEquals(new ConsoleAudit.Entry(t, "alice", "requeue", "633900001000", "issuer back online", "queued"), rows.get(1));
        assertEquals(1, audit.recent(1).size());
    }

    @Test
    void shouldAuditOnH2() throws Exception {
        Path dir = TempFiles.newDir("audit");
        try {
            shouldListActionsNewestFirstCutToTheirColumns(new JournalDb(SwitchConfig.Journal.embeddedUrl(dir), "sa", ""));
        } finally {
            TempFiles.delete(dir);
        }
    }

    @Test
    @Tag("postgres")
    void shouldAuditOnPostgres() throws Exception {
        try (PostgresJournal pg = PostgresJournal.createOrSkip()) {
            shouldListActionsNewestFirstCutToTheirColumns(new JournalDb(pg.url(), pg.user(), pg.password()));
        }
    }
}
