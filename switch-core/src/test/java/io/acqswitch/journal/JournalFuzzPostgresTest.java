package io.acqswitch.journal;

import io.acqswitch.support.PostgresJournal;
import org.junit.jupiter.api.Tag;

/** {@link JournalFuzzTest} on PostgreSQL, which refuses NUL in text (skipped without a server; see {@code PostgresJournal}). */
@Tag("postgres")
class JournalFuzzPostgresTest extends JournalFuzzTest {
    private PostgresJournal pg;

    @Override
    protected JournalDb openDb() throws Exception {
        pg = PostgresJournal.createOrSkip();
        return new JournalDb(pg.url(), pg.user(), pg.password());
    }

    @Override
    protected void closeDb() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }
}
