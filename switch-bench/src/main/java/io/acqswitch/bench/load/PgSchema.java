package io.acqswitch.bench.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own on the harness's PostgreSQL server for one run of the switch's pg variant, so
 * that its journal starts empty whatever earlier runs left; dropped with everything in it on close.
 */
final class PgSchema implements AutoCloseable {
    private final LoadOptions.Postgres server;
    private final String name;

    private PgSchema(LoadOptions.Postgres server, String name) {
        this.server = server;
        this.name = name;
    }

    /** @throws SQLException when the server cannot be reached or the schema not created */
    static PgSchema create(LoadOptions.Postgres server) throws SQLException {
        PgSchema schema = new PgSchema(server, "loadharness_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        schema.execute("CREATE SCHEMA " + schema.name);
        return schema;
    }

    /** The server's URL with this schema as the current one: what the switch's {@code journal.url} gets. */
    String url() {
        return server.url() + (server.url().contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    @Override
    public void close() throws SQLException {
        execute("DROP SCHEMA " + name + " CASCADE");
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url(), server.user(), server.password());
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
