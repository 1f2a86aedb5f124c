package io.acqswitch.bench.load;

import io.acqswitch.SwitchNode;
import io.acqswitch.bench.baseline.JposBaseline;
import io.acqswitch.bench.baseline.RelayBaseline;
import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The systems under load, in this process: an approve-all issuer stub and whichever of these the
 * targets need, each forwarding to that stub: a switch node (its defaults except an issuer
 * deadline of 10 s; its store in a temporary directory deleted on {@link #close()}), the
 * zero-logic {@link RelayBaseline} and the jPOS {@link JposBaseline}. Every port is an ephemeral
 * 127.0.0.1 port.
 *
 * <p>For timeouts the switch also gets a second issuer, {@link #silent}: a stub that applies every
 * financial request and never answers it ({@code withholdRatio} 1.0, as switch-core's tests make an
 * issuer deaf) but answers reversals. The switch routes {@link LoadGenerator#SILENT_PAN}'s BIN to it
 * with a deadline of {@link #SILENT_DEADLINE_SECONDS} s, so those sales are answered 68 and reversed
 * through the switch's SAF.
 */
final class LoadRig implements AutoCloseable {
    static final int SILENT_DEADLINE_SECONDS = 1;
    private static final StubRules DEAF = new StubRules(null, null, null, null, null, null, 1.0, null, null, null, null);

    final IssuerStub stub;
    /** The issuer that never answers financial requests; null unless started for timeouts. */
    IssuerStub silent;
    private SwitchNode node;
    private Path dataDir;
    private RelayBaseline relay;
    private JposBaseline jpos;

    private LoadRig(IssuerStub stub) {
        this.stub = stub;
    }

    /** The stub and a switch: what {@code --target both} needs. */
    static LoadRig start() throws IOException, InterruptedException {
        return start(Target.BOTH.runs(), 100_000, false, "");
    }

    /**
     * Starts the stub and what {@code targets} need (the switch's store sized for {@code storeEntries}
     * records; with {@code silentIssuer} a second, silent issuer for the switch; {@code switchYaml}
     * appended to the switch's configuration, e.g. a wait strategy or the journal off), each waiting (at most 10-20 s) until its
     * links are up.
     *
     * @throws IOException when a socket, the store or jPOS's deploy directory cannot be opened
     * @throws InterruptedException when interrupted while starting
     * @throws IllegalStateException when an issuer link does not come up
     */
    static LoadRig start(Collection<Target> targets, long storeEntries, boolean silentIssuer, String switchYaml)
            throws IOException, InterruptedException {
        LoadRig rig = new LoadRig(new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start());
        try {
            if (targets.contains(Target.SWITCH)) {
                if (silentIssuer) {
                    rig.silent = new IssuerStub("silent", "127.0.0.1", 0, DEAF).start();
                }
                rig.startSwitch(storeEntries, switchYaml);
            }
            if (targets.contains(Target.RELAY)) {
                rig.relay = new RelayBaseline("127.0.0.1", rig.stub.port()).start();
            }
            if (targets.contains(Target.JPOS)) {
                rig.jpos = new JposBaseline("127.0.0.1", rig.stub.port()).start();
            }
            return rig;
        } catch (IOException | InterruptedException | RuntimeException e) {
            rig.close();
            throw e;
        }
    }

    /** @param storeEntries the store's size: every request of the run is a record (a full store answers 96) */
    private void startSwitch(long storeEntries, String switchYaml) throws IOException, InterruptedException {
        dataDir = Files.createTempDirectory("loadharness");
        try {
            String yaml = (silent == null ? yaml(stub.port(), dataDir) : yaml(stub.port(), silent.port(), dataDir))
                    + "store: {expectedEntries: " + storeEntries + "}\n"
                    + switchYaml;
            SwitchConfig cfg = ConfigLoader.parse(yaml);
            node = new SwitchNode(cfg).start();
        } catch (ConfigException e) {
            throw new IllegalStateException("the harness's switch configuration is invalid: " + e.getMessage(), e);
        } catch (StartupException e) {
            throw new IOException("the harness's switch cannot start: " + e.getMessage(), e);
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (node.issuers().linksUp(0) == 0 || (silent != null && node.issuers().linksUp(1) == 0)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the switch's links to the issuer stubs did not come up in 10 s");
            }
            Thread.sleep(20);
        }
    }

    /** The switch configuration: one listener and HTTP on free ports, one issuer (the stub), no embedded stubs. */
    static String yaml(int stubPort, Path dataDir) {
        return """
                dataDir: "%s"
                http: {port: 0}
                listeners: [{port: 0, idleTimeout: 60s}]
                issuers:
                  - id: issuer-a
                    hosts: ["127.0.0.1:%d"]
                    connections: 2
                    timeout: 10s
                routing: {defaultIssuer: issuer-a}
                stubs: []
                """.formatted(dataDir, stubPort);
    }

    /**
     * As {@link #yaml(int, Path)} plus the silent issuer ({@code issuer-b}) for
     * {@link LoadGenerator#SILENT_PAN}'s BIN, with a short deadline.
     */
    static String yaml(int stubPort, int silentPort, Path dataDir) {
        return yaml(stubPort, dataDir).replace("routing: {defaultIssuer: issuer-a}\n", """
                  - id: issuer-b
                    hosts: ["127.0.0.1:%d"]
                    connections: 1
                    timeout: %ds
                routing:
                  defaultIssuer: issuer-a
                  routes: [{prefix: "%s", issuer: issuer-b}]
                """.formatted(silentPort, SILENT_DEADLINE_SECONDS, LoadGenerator.SILENT_PAN.substring(0, 6)));
    }

    /** Where {@code target}'s terminals connect. @throws IllegalStateException when it was not started */
    int port(Target target) {
        return switch (target) {
            case STUB -> stub.port();
            case SWITCH -> started(node, target).terminalPort(0);
            case RELAY -> started(relay, target).port();
            case JPOS -> started(jpos, target).port();
            case BOTH, ALL -> throw new IllegalArgumentException(target + " is not a single target");
        };
    }

    /** The switch node, for samplers. @throws IllegalStateException when no switch was started */
    SwitchNode node() {
        return started(node, Target.SWITCH);
    }

    /** The switch's data directory (store and journal), deleted on {@link #close()}. @throws IllegalStateException when no switch was started */
    Path dataDir() {
        return started(dataDir, Target.SWITCH);
    }

    private static <T> T started(T component, Target target) {
        if (component == null) {
            throw new IllegalStateException(target + " was not started by this rig");
        }
        return component;
    }

    @Override
    public void close() {
        if (jpos != null) {
            jpos.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (node != null) {
            node.close();
        }
        stub.close();
        if (silent != null) {
            silent.close();
        }
        if (dataDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("loadharness: could not delete " + dataDir + ": " + e);
        }
    }
}
