package io.acqswitch.journal;

import org.junit.jupiter.api.Tag;

/** {@link JournalPoisonTest} with the journal on PostgreSQL, which refuses NUL in text (skipped without one; see {@code PostgresJournal}). */
@Tag("postgres")
class JournalPoisonPostgresTest extends JournalPoisonTest {
    @Override
    protected boolean onPostgres() {
        return true;
    }
}
