package io.acqswitch.journal;

import io.acqswitch.support.PostgresJournal;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

/**
 * {@link JournalCoalesceTest} on PostgreSQL, whose rows go through {@code INSERT … ON CONFLICT DO
 * UPDATE} rather than H2's {@code MERGE} (skipped without a server; see {@code PostgresJournal}).
 */
@Tag("postgres")
class JournalCoalescePostgresTest extends JournalCoalesceTest {
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

    @Override
    protected void countRowWrites(Statement st) throws SQLException {
        st.execute("CREATE FUNCTION test_count() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN UPDATE test_row_writes SET n = n + 1; RETURN NULL; END $$");
        st.execute("CREATE TRIGGER test_count AFTER INSERT OR UPDATE ON transactions FOR EACH ROW"
                + " EXECUTE FUNCTION test_count()");
    }
}
