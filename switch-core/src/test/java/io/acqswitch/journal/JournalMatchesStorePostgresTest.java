package io.acqswitch.journal;

import org.junit.jupiter.api.Tag;

/** {@link JournalMatchesStoreTest} with the journal on PostgreSQL (skipped without one; see {@code PostgresJournal}). */
@Tag("postgres")
class JournalMatchesStorePostgresTest extends JournalMatchesStoreTest {
    @Override
    protected boolean onPostgres() {
        return true;
    }
}
