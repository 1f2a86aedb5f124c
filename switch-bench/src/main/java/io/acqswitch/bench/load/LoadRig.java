package io.acqswitch.bench.load;

import io.acqswitch.SwitchNode;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The system under load, in this process: an approve-all issuer stub and a switch node routed to
 * it, both on ephemeral 127.0.0.1 ports, the switch's store in a temporary directory deleted on
 * {@link #close()}. The switch runs with its defaults except an issuer deadline of 10 s.
 */
final class LoadRig implements AutoCloseable {
    final IssuerStub stub;
    final SwitchNode node;
    private final Path dataDir;

    private LoadRig(IssuerStub stub, SwitchNode node, Path dataDir) {
        this.stub = stub;
        this.node = node;
        this.dataDir = dataDir;
    }

    /**
     * Starts both and waits (at most 10 s) until the switch's issuer link is up.
     *
     * @throws IOException when a socket or the store cannot be opened
     * @throws InterruptedException when interrupted while starting
     * @throws IllegalStateException when the issuer link does not come up
     */
    static LoadRig start() throws IOException, InterruptedException {
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        Path dataDir = Files.createTempDirectory("loadharness");
        SwitchNode node = null;
        try {
            SwitchConfig cfg = ConfigLoader.parse(yaml(stub.port(), dataDir));
            node = new SwitchNode(cfg).start();
            long end = System.nanoTime() + 10_000_000_000L;
            while (node.issuers().linksUp(0) == 0) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("the switch's link to the issuer stub did not come up in 10 s");
                }
                Thread.sleep(20);
            }
            return new LoadRig(stub, node, dataDir);
        } catch (ConfigException e) {
            close(stub, node, dataDir);
            throw new IllegalStateException("the harness's switch configuration is invalid: " + e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(stub, node, dataDir);
            throw e;
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

    int stubPort() {
        return stub.port();
    }

    int switchPort() {
        return node.terminalPort(0);
    }

    @Override
    public void close() {
        close(stub, node, dataDir);
    }

    private static void close(IssuerStub stub, SwitchNode node, Path dataDir) {
        if (node != null) {
            node.close();
        }
        stub.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("loadharness: could not delete " + dataDir + ": " + e);
        }
    }
}
