package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.StartupException;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.TestSwitch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A cluster node whose Kafka does not answer refuses to start, naming the setting, instead of serving unreplicated. */
@Tag("slow")
class ClusterStartupTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseToStartWhenKafkaDoesNotAnswer() throws Exception {
        int nobody = ChildSwitch.freePort(); // nothing listens there
        // how long it waits is a setting (30 s by default): what is checked here is that it refuses, and how
        String yaml = "stubs: []\ncluster: {nodeId: 1, bootstrap: \"127.0.0.1:" + nobody + "\", startTimeout: 2s}\n";
        StartupException e = assertThrows(StartupException.class, () -> TestSwitch.start(yaml, l -> l).close());
        assertTrue(e.getMessage().startsWith("cluster.bootstrap=127.0.0.1:" + nobody + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
