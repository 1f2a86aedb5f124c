package io.acqswitch.support;

import io.acqswitch.sim.TerminalClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Base of tests that run one terminal against a fresh {@link Rig} (approve-all stub, 400 ms issuer
 * deadline) per test method. The journal is the embedded H2 one; a subclass that answers
 * {@link #onPostgres()} true runs the same tests with the journal on PostgreSQL
 * ({@link PostgresJournal}: skipped without a server).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
public abstract class RigTest {
    private final AtomicInteger stan = new AtomicInteger();
    protected Rig rig;
    protected TerminalClient t;
    private PostgresJournal pg;
    private final Deque<AutoCloseable> afterRig = new ArrayDeque<>();

    @BeforeEach
    void startRig() throws Exception {
        if (onPostgres()) {
            pg = PostgresJournal.createOrSkip();
            afterRig(pg);
        }
        rig = Rig.start(400, yaml -> configure(yaml) + (pg == null ? "" : pg.yaml()));
        t = rig.terminal();
    }

    @AfterEach
    void stopRig() throws Exception {
        try {
            if (t != null) {
                t.close();
            }
            if (rig != null) {
                rig.close();
            }
        } finally {
            while (!afterRig.isEmpty()) {
                afterRig.pop().close();
            }
        }
    }

    /** Closes {@code resource} once the rig is closed (last registered, first closed). */
    protected void afterRig(AutoCloseable resource) {
        afterRig.push(resource);
    }

    /** Edits the switch's configuration ({@link Rig#yaml}) before it starts; none by default. */
    protected String configure(String yaml) {
        return yaml;
    }

    /** Whether the journal is on PostgreSQL instead of the embedded H2. */
    protected boolean onPostgres() {
        return false;
    }

    /** The {@code recon} options that read this rig's journal. */
    protected List<String> reconArgs() {
        return pg != null ? pg.reconArgs()
                : List.of("--journal-url", rig.node.journal().db().url(), "--journal-user", "sa");
    }

    /** {@code recon} with {@code args} after the options that select this rig's journal. */
    protected String[] recon(String... args) {
        List<String> all = new ArrayList<>(List.of("recon"));
        if (args.length > 0 && !args[0].startsWith("-")) {
            all.add(args[0]); // a subcommand comes first
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        all.addAll(reconArgs());
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    /** {@code recon --ledger} with this rig's stub's ledger export, against this rig's journal. */
    protected String[] reconLedger() throws IOException {
        return reconLedger(rig.stub.ledger().toCsv());
    }

    /**
     * {@code recon --ledger} with {@code csv} as the ledger export (e.g. the stub's, edited) and
     * {@code more} options (e.g. {@code --from}), against this rig's journal.
     */
    protected String[] reconLedger(String csv, String... more) throws IOException {
        Path ledger = Files.createTempFile(rig.dataDir, "ledger", ".csv");
        Files.writeString(ledger, csv);
        List<String> args = new ArrayList<>(List.of("--ledger", ledger.toString()));
        args.addAll(List.of(more));
        return recon(args.toArray(String[]::new));
    }

    /** The next terminal STAN, six digits. */
    protected String stan() {
        return String.format("%06d", stan.incrementAndGet());
    }
}
