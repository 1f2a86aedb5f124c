package io.acqswitch.txn;

import org.junit.jupiter.api.Tag;

/** {@link SettlementTest} with the journal on PostgreSQL (skipped without one; see {@code PostgresJournal}). */
@Tag("postgres")
class SettlementPostgresTest extends SettlementTest {
    @Override
    protected boolean onPostgres() {
        return true;
    }
}
