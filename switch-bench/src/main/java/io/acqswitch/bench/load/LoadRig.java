package io.acqswitch.bench.load;

import io.acqswitch.SwitchNode;
import io.acqswitch.bench.baseline.JposBaseline;
import io.acqswitch.bench.baseline.RelayBaseline;
import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.config.ConfigException;
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
 */
final class LoadRig implements AutoCloseable {
    final IssuerStub stub;
    private SwitchNode node;
    private Path dataDir;
    private RelayBaseline relay;
    private JposBaseline jpos;

    private LoadRig(IssuerStub stub) {
        this.stub = stub;
    }

    /** The stub and a switch: what {@code --target both} needs. */
    static LoadRig start() throws IOException, InterruptedException {
        return start(Target.BOTH.runs(), 100_000);
    }

    /**
     * Starts the stub and what {@code targets} need (the switch's store sized for {@code storeEntries} records), each waiting (at most 10-20 s) until its link to the stub is up.
     *
     * @throws IOException when a socket, the store or jPOS's deploy directory cannot be opened
     * @throws InterruptedException when interrupted while starting
     * @throws IllegalStateException when an issuer link does not come up
     */
    static LoadRig start(Collection<Target> targets, long storeEntries) throws IOException, InterruptedException {
        LoadRig rig = new LoadRig(new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start());
        try {
            if (targets.contains(Target.SWITCH)) {
                rig.startSwitch(storeEntries);
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
    private void startSwitch(long storeEntries) throws IOException, InterruptedException {
        dataDir = Files.createTempDirectory("loadharness");
        try {
            SwitchConfig cfg = ConfigLoader.parse(yaml(stub.port(), dataDir) + "store: {expectedEntries: " + storeEntries + "}\n");
            node = new SwitchNode(cfg).start();
        } catch (ConfigException e) {
            throw new IllegalStateException("the harness's switch configuration is invalid: " + e.getMessage(), e);
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (node.issuers().linksUp(0) == 0) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the switch's link to the issuer stub did not come up in 10 s");
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
