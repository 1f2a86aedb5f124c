package io.acqswitch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.SwitchNode;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.Rig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One switch per dataDir: a second one, in another process or in the same JVM, is refused before it
 * touches the store, and the first keeps serving on a store no one "recovered" under it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class DataDirLockTest {
    private static final String PAN = "4761739001010010";
    /** What the store logs when it runs Chronicle's recovery. */
    private static final String RECOVERY = "was not closed cleanly";

    /** Under target/ so the processes' output survives a failure for reading. */
    private final Path dir = Path.of("target", "datadir-lock-" + System.currentTimeMillis());

    @Test
    void shouldRefuseSecondProcessOnSameDataDir() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            ChildSwitch sw = new ChildSwitch(dir, stub.port(), 5_000, yaml -> yaml);
            try {
                sw.start();
                Path dataDir = dir.resolve("data");

                ChildSwitch.Exit second = sw.runUntilExit();

                String why = "exit " + second.code() + ", stdout:\n" + second.stdout() + "stderr:\n" + second.stderr();
                assertEquals(2, second.code(), why);
                assertEquals("dataDir=" + dataDir + ": in use by process " + sw.pid(), second.stderr().strip(), why);
                assertFalse(second.stdout().contains("Exception"), why);
                try (TerminalClient t = sw.terminal()) {
                    assertEquals("00", t.exchange(TerminalMessages.sale(PAN, 100, "000001", "TERM0001", "MERCHANT0000001"))
                            .getString(39), "the first switch still serves");
                }
                assertEquals(Long.toString(sw.pid()), Files.readString(dataDir.resolve("store/open.lock")),
                        "the store's open marker is still the first switch's");
                assertEquals(Long.toString(sw.pid()), Files.readString(dataDir.resolve(DataDirLock.FILE)));
                assertFalse(Files.readString(sw.log()).contains(RECOVERY), "no recovery ran");
                assertFalse(second.stdout().contains(RECOVERY), "no recovery ran");
            } finally {
                sw.kill();
            }
        }
    }

    /**
     * The same JVM holds the lock's OS lock for both nodes, so the refusal comes from the lock's own
     * registry; and the refused node must not drop the first one's OS lock on its way out (on Linux,
     * closing any channel on the file would), which a second process then proves.
     */
    @Test
    void shouldRefuseSecondNodeInSameJvmOnSameDataDir() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            Path dataDir = dir.resolve("data");
            SwitchConfig cfg = ConfigLoader.parse(Rig.yaml(List.of("127.0.0.1:" + stub.port()), 5_000, dataDir));
            try (SwitchNode first = new SwitchNode(cfg).start()) {
                StartupException refused = assertThrows(StartupException.class, () -> new SwitchNode(cfg).start());
                assertEquals("dataDir=" + dataDir + ": in use by process " + ProcessHandle.current().pid(),
                        refused.getMessage());

                ChildSwitch.Exit other = new ChildSwitch(dir, stub.port(), 5_000, yaml -> yaml).runUntilExit();

                assertEquals(2, other.code(), other.stdout() + other.stderr());
                assertTrue(other.stderr().contains("in use by process " + ProcessHandle.current().pid()), other.stderr());
                assertTrue(first.store().isOpen());
            }
            try (SwitchNode next = new SwitchNode(cfg).start()) {
                assertTrue(next.store().isOpen(), "a closed node leaves the dataDir to the next");
            }
        }
    }
}
