package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.SwitchNode;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A switch that cannot start says which setting stopped it, in one line {@code name=value: why} on
 * stderr, exits 2, and prints no stack trace; whatever it had started is closed again.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class StartupErrorsTest {
    @Test
    void shouldExitTwoNamingListenerPortInUseWithoutStackTrace() throws Exception {
        Path dir = Path.of("target", "startup-errors-" + System.currentTimeMillis());
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            ChildSwitch sw = new ChildSwitch(dir, stub.port(), 5_000, yaml -> yaml);
            try (ServerSocket taken = new ServerSocket(sw.port, 50, InetAddress.getLoopbackAddress())) {
                ChildSwitch.Exit exit = sw.runUntilExit();

                String why = "exit " + exit.code() + ", stdout:\n" + exit.stdout() + "stderr:\n" + exit.stderr();
                assertEquals(2, exit.code(), why);
                assertEquals("listeners[0].port=" + taken.getLocalPort() + ": address already in use", exit.stderr().strip(), why);
                assertFalse(exit.stdout().contains("Exception") || exit.stdout().contains("\tat "), why);
            }
        }
    }

    @Test
    void shouldNameHttpPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            StartupException e = startRefused(yaml -> yaml.replace("http: {port: 0}", "http: {port: " + taken.getLocalPort() + "}"));
            assertEquals("http.port=" + taken.getLocalPort() + ": address already in use", e.getMessage());
        }
    }

    @Test
    void shouldNameStubPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            StartupException e = startRefused(yaml -> yaml.replace("stubs: []",
                    "stubs: [{name: a, port: 0}, {name: b, port: " + taken.getLocalPort() + "}]"));
            assertEquals("stubs[1].port=" + taken.getLocalPort() + ": address already in use", e.getMessage());
        }
    }

    @Test
    void shouldNameBadStubRuleBeforeAnythingStarts() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("stubs:\n  - name: a\n  - name: b\n    port: 9584\n    rules: {withholdRatio: 3}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> DemoStubs.node(cfg));
        assertEquals(List.of("stubs[1].rules.withholdRatio=3.0: must be between 0 and 1"), e.problems());
    }

    /** Starts a node that must fail with a {@link StartupException}, then proves it let go of its dataDir. */
    private static StartupException startRefused(UnaryOperator<String> edit) throws Exception {
        Path dataDir = TempFiles.newDir("startup-errors");
        try {
            SwitchConfig cfg = ConfigLoader.parse(edit.apply(Rig.yaml(List.of("127.0.0.1:1"), 5_000, dataDir)));
            StartupException e = assertThrows(StartupException.class, () -> DemoStubs.node(cfg).start());
            SwitchConfig fine = ConfigLoader.parse(Rig.yaml(List.of("127.0.0.1:1"), 5_000, dataDir));
            try (SwitchNode next = new SwitchNode(fine).start()) {
                assertTrue(next.store().isOpen(), "the refused node released the dataDir");
            }
            return e;
        } finally {
            TempFiles.delete(dataDir);
        }
    }
}
