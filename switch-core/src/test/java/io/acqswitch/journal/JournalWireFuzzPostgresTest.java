package io.acqswitch.journal;

import org.junit.jupiter.api.Tag;

/** {@link JournalWireFuzzTest} with the journal on PostgreSQL, which refuses NUL in text (skipped without one; see {@code PostgresJournal}). */
@Tag("postgres")
class JournalWireFuzzPostgresTest extends JournalWireFuzzTest {
    @Override
    protected boolean onPostgres() {
        return true;
    }
}
