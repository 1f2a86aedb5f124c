package io.acqswitch.bench.load;

import io.acqswitch.SwitchNode;
import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.StartupException;
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
 * The soak's systems under load, in this process (its sampler reads the switch's metrics, journal
 * and data directory directly): an approve-all issuer stub and a switch node forwarding to it (its
 * defaults except an issuer deadline of 10 s; its store in a temporary directory deleted on
 * {@link #close()}), on ephemeral 127.0.0.1 ports. The load harness runs its targets in JVMs of
 * their own instead ({@link ProcessRig}).
 */
final class LoadRig implements AutoCloseable {
    final IssuerStub stub;
    private SwitchNode node;
    private Path dataDir;

    private LoadRig(IssuerStub stub) {
        this.stub = stub;
    }

    /**
     * Starts the stub and, when {@code targets} has the switch, a switch (its store sized for
     * {@code storeEntries} records; {@code switchYaml} appended to its configuration, e.g. a wait
     * strategy or the journal off), waiting (at most 10 s) until its link is up.
     *
     * @throws IOException when a socket or the store cannot be opened
     * @throws InterruptedException when interrupted while starting
     * @throws IllegalArgumentException when {@code targets} has another target than the stub and the switch
     * @throws IllegalStateException when the issuer link does not come up
     */
    static LoadRig start(Collection<Target> targets, long storeEntries, String switchYaml)
            throws IOException, InterruptedException {
        for (Target t : targets) {
            if (t != Target.STUB && t != Target.SWITCH) {
                throw new IllegalArgumentException(t + ": the in-process rig has the stub and the switch only");
            }
        }
        LoadRig rig = new LoadRig(new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start());
        try {
            if (targets.contains(Target.SWITCH)) {
                rig.startSwitch(storeEntries, switchYaml);
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
            String yaml = yaml(stub.port(), dataDir) + "store: {expectedEntries: " + storeEntries + "}\n" + switchYaml;
            SwitchConfig cfg = ConfigLoader.parse(yaml);
            node = new SwitchNode(cfg).start();
        } catch (ConfigException e) {
            throw new IllegalStateException("the harness's switch configuration is invalid: " + e.getMessage(), e);
        } catch (StartupException e) {
            throw new IOException("the harness's switch cannot start: " + e.getMessage(), e);
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
            case SWITCH -> node().terminalPort(0);
            default -> throw new IllegalArgumentException(target + ": the in-process rig has the stub and the switch only");
        };
    }

    /** The switch node, for samplers. @throws IllegalStateException when no switch was started */
    SwitchNode node() {
        return started(node);
    }

    /** The switch's data directory (store and journal), deleted on {@link #close()}. @throws IllegalStateException when no switch was started */
    Path dataDir() {
        return started(dataDir);
    }

    private static <T> T started(T component) {
        if (component == null) {
            throw new IllegalStateException("the switch was not started by this rig");
        }
        return component;
    }

    @Override
    public void close() {
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
