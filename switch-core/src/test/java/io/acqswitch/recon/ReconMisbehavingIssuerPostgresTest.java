package io.acqswitch.recon;

import org.junit.jupiter.api.Tag;

/** {@link ReconMisbehavingIssuerTest} with the journal on PostgreSQL (skipped without one; see {@code PostgresJournal}). */
@Tag("postgres")
class ReconMisbehavingIssuerPostgresTest extends ReconMisbehavingIssuerTest {
    @Override
    protected boolean onPostgres() {
        return true;
    }
}
