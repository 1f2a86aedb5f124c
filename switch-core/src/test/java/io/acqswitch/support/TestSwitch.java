package io.acqswitch.support;

import io.acqswitch.SwitchNode;
import io.acqswitch.cli.DemoStubs;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.TerminalClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/** A switch node on ephemeral ports for one test class; every test talks to it over 127.0.0.1. */
public final class TestSwitch implements AutoCloseable {
    public static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    private final SwitchNode node;
    private final Path dataDir;

    private TestSwitch(SwitchNode node, Path dataDir) {
        this.node = node;
        this.dataDir = dataDir;
    }

    /** Starts a node from YAML as {@code run} does (with its demo stubs), every listener and the HTTP port moved to free ports. */
    public static TestSwitch start(String yaml, UnaryOperator<SwitchConfig.Listener> listener) throws Exception {
        // a small store unless the test sizes it: the default (1M records) takes 800 MB of disk per switch
        SwitchConfig cfg = ConfigLoader.parse(yaml.contains("store:") ? yaml : yaml + "\nstore: {expectedEntries: 20000}\n");
        List<SwitchConfig.Listener> ls = cfg.listeners().stream().map(l -> listener.apply(l.withPort(0))).toList();
        Path dir = TempFiles.newDir("switch-test");
        cfg = cfg.withListeners(ls).withDataDirAndHttpPort(dir, 0);
        try {
            return new TestSwitch(DemoStubs.node(cfg).start(), dir);
        } catch (Exception | Error e) {
            TempFiles.delete(dir);
            throw e;
        }
    }

    public SwitchNode node() {
        return node;
    }

    public int port() {
        return node.terminalPort(0);
    }

    /** A new terminal connection with a 5 s read timeout. */
    public TerminalClient terminal() throws IOException {
        return terminal(Duration.ofSeconds(5));
    }

    public TerminalClient terminal(Duration timeout) throws IOException {
        return new TerminalClient("127.0.0.1", port(), ISO87, timeout);
    }

    @Override
    public void close() {
        node.close();
        TempFiles.delete(dataDir);
    }
}
