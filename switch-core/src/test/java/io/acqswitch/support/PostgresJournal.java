package io.acqswitch.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A journal schema of its own on the real PostgreSQL server that {@code .ci/run} starts and exports
 * as {@code JOURNAL_PG_URL}, {@code JOURNAL_PG_USER}, {@code JOURNAL_PG_PASSWORD}; without it the
 * calling test is skipped, saying why. Dropped on close.
 */
public final class PostgresJournal implements AutoCloseable {
    private static final String SERVER = System.getenv("JOURNAL_PG_URL");
    private static final String USER = env("JOURNAL_PG_USER");
    private static final String PASSWORD = env("JOURNAL_PG_PASSWORD");

    private final String schema;
    private final String url;

    private PostgresJournal(String schema) {
        this.schema = schema;
        this.url = SERVER + (SERVER.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "" : v;
    }

    /** A fresh schema, or the calling test skipped when no server is given. */
    public static PostgresJournal createOrSkip() throws SQLException {
        Assumptions.assumeTrue(SERVER != null && !SERVER.isBlank(),
                "JOURNAL_PG_URL is not set: no PostgreSQL to test against (.ci/run starts one when it can)");
        PostgresJournal pg = new PostgresJournal("journal_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + pg.schema);
        }
        return pg;
    }

    public String url() {
        return url;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    /** The switch configuration's journal block for this schema (short retries for outage tests). */
    public String yaml() {
        return """
                journal:
                  url: "%s"
                  user: "%s"
                  password: "%s"
                  retryMin: 50ms
                  retryMax: 500ms
                """.formatted(url, USER, PASSWORD);
    }

    /** The {@code recon} options that read this journal. */
    public List<String> reconArgs() {
        return List.of("--journal-url", url, "--journal-user", USER, "--journal-password", PASSWORD);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
