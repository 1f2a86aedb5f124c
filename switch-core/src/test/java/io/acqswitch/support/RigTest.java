package io.acqswitch.support;

import io.acqswitch.sim.TerminalClient;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of tests that run one terminal against a fresh {@link Rig} (approve-all stub, 400 ms issuer
 * deadline) per test method.
 */
public abstract class RigTest {
    private final AtomicInteger stan = new AtomicInteger();
    protected Rig rig;
    protected TerminalClient t;

    @BeforeEach
    void startRig() throws Exception {
        rig = Rig.start(400);
        t = rig.terminal();
    }

    @AfterEach
    void stopRig() throws Exception {
        t.close();
        rig.close();
    }

    /** The next terminal STAN, six digits. */
    protected String stan() {
        return String.format("%06d", stan.incrementAndGet());
    }
}
