package io.acqswitch.support;

import io.acqswitch.SwitchNode;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * An issuer stub and a switch routed to it (the rig closes the stub only if it started it), both on ephemeral 127.0.0.1 ports, with a short issuer
 * deadline and fast SAF retries so that timeout and reversal paths run in a test's time.
 */
public final class Rig implements AutoCloseable {
    public final IssuerStub stub;
    public final SwitchNode node;
    public final Path dataDir;

    private boolean ownsStub;

    private Rig(IssuerStub stub, SwitchNode node, Path dataDir) {
        this.stub = stub;
        this.node = node;
        this.dataDir = dataDir;
    }

    /** A stub approving everything and a switch with a {@code timeoutMs} issuer deadline. */
    public static Rig start(long timeoutMs) throws Exception {
        return start(timeoutMs, yaml -> yaml);
    }

    /** As {@link #start(long)}, with the switch's configuration ({@link #yaml}) edited by {@code edit}. */
    public static Rig start(long timeoutMs, UnaryOperator<String> edit) throws Exception {
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        Path dir = TempFiles.newDir("rig");
        List<String> hosts = List.of("127.0.0.1:" + stub.port());
        Rig rig = start(stub, hosts, edit.apply(yaml(hosts, timeoutMs, dir)), dir);
        rig.ownsStub = true;
        return rig;
    }

    public static Rig start(IssuerStub stub, List<String> hosts, long timeoutMs, Path dataDir) throws Exception {
        return start(stub, hosts, yaml(hosts, timeoutMs, dataDir), dataDir);
    }

    /** A switch from {@code yaml} (e.g. {@link #yaml} with edits) in front of {@code stub}. */
    public static Rig start(IssuerStub stub, List<String> hosts, String yaml, Path dataDir) throws Exception {
        SwitchConfig cfg = ConfigLoader.parse(yaml);
        cfg = cfg.withListeners(cfg.listeners().stream().map(l -> l.withPort(0)).toList());
        SwitchNode node = new SwitchNode(cfg).start();
        Rig rig = new Rig(stub, node, dataDir);
        if (stub != null && hosts.contains("127.0.0.1:" + stub.port())) {
            rig.await("issuer link up", () -> node.issuers().linksUp(0) > 0, Duration.ofSeconds(10));
        }
        return rig;
    }

    /** The switch configuration the rig runs (also used to start a switch in another process). */
    public static String yaml(List<String> hosts, long timeoutMs, Path dataDir) {
        return """
                dataDir: %s
                http: {port: 0}
                listeners: [{port: 0, idleTimeout: 60s}]
                issuers:
                  - id: issuer-a
                    hosts: [%s]
                    connections: 2
                    timeout: %dms
                    reconnectMin: 50ms
                    reconnectMax: 500ms
                routing: {defaultIssuer: issuer-a}
                stubs: []
                saf: {firstRetry: 100ms, maxRetry: 400ms}
                pipeline: {tick: 20ms}
                store: {expectedEntries: 20000}
                """.formatted(dataDir, String.join(", ", hosts.stream().map(h -> "\"" + h + "\"").toList()), timeoutMs);
    }

    public TerminalClient terminal() throws IOException {
        return new TerminalClient("127.0.0.1", node.terminalPort(0), TestSwitch.ISO87, Duration.ofSeconds(10));
    }

    /** A terminal on the listener at {@code listener} (configuration order) speaking {@code codec}'s dialect. */
    public TerminalClient terminal(int listener, IsoCodec codec) throws IOException {
        return new TerminalClient("127.0.0.1", node.terminalPort(listener), codec, Duration.ofSeconds(10));
    }

    public Optional<LedgerEntry> ledger(String rrn) {
        return stub.ledger().entry(rrn);
    }

    /** Returns once {@code condition} holds, at most {@code limit}; fails with {@code what} if it never does ({@link Await#until}). */
    public void await(String what, BooleanSupplier condition, Duration limit) throws InterruptedException {
        Await.until(what, condition, limit);
    }

    /**
     * Asserts that the switch reversed {@code rrn} exactly once: the issuer applied the reversal,
     * and every reversal message it received for the entry was that one SAF entry's advice or one
     * of its counted repeats (a repeat is legitimate when the 0430 is slow to come back).
     */
    public void assertReversedOnce(String rrn) throws InterruptedException {
        assertReversedOnce(rrn, 0);
    }

    /**
     * As {@link #assertReversedOnce(String)} on a node that retried {@code retriedBefore} reversals
     * before this one was sent (a node shared by several tests): only the repeats since count.
     */
    public void assertReversedOnce(String rrn, double retriedBefore) throws InterruptedException {
        await("ledger debit " + rrn + " reversed", () -> ledger(rrn).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        await("SAF drained", () -> node.processor().safDepth() == 0, Duration.ofSeconds(10));
        await("every reversal message of " + rrn + " is the one advice or a counted repeat",
                () -> ledger(rrn).orElseThrow().reversalsReceived() == 1 + (int) (counted("switch_reversals_retried") - retriedBefore),
                Duration.ofSeconds(5));
    }

    public double counted(String name, String... tags) {
        return node.metrics().counted(name, tags);
    }

    /**
     * Closes the switch (and the stub it started), deletes its data directory, then fails if the
     * stub's ledger guard refused anything: the switch let a card be credited beyond its debit
     * (docs/lifecycle.md), whatever the test itself checked.
     */
    @Override
    public void close() {
        node.close();
        long breaches = stub == null ? 0 : stub.ledger().guardRefusals();
        if (ownsStub) {
            stub.close();
        }
        TempFiles.delete(dataDir); // the rig owns its data directory
        if (breaches > 0) {
            throw new AssertionError("the issuer stub's ledger guard refused " + breaches
                    + " request(s) or reversal(s) that would credit a card beyond its debit");
        }
    }
}
