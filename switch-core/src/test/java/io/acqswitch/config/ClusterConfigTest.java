package io.acqswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    private static String problem(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().getFirst();
    }

    @Test
    void shouldBeASingleNodeWithoutTheSection() throws Exception {
        assertNull(ConfigLoader.parse("").cluster());
        assertNull(ConfigLoader.parse("acquirerId: \"123456\"\n").cluster());
    }

    @Test
    void shouldFillDefaultsAroundTheNodeId() throws Exception {
        SwitchConfig.Cluster c = ConfigLoader.parse("cluster:\n  nodeId: 3\n").cluster();
        assertEquals(3, c.nodeId());
        assertEquals("127.0.0.1:9092", c.bootstrap());
        assertEquals("acqswitch-state", c.topic());
        assertEquals(12, c.partitions());
        assertEquals(SwitchConfig.Replication.SYNC, c.replication());
        assertEquals(Duration.ofSeconds(5), c.ackTimeout());
        assertEquals(Duration.ofSeconds(30), c.startTimeout());
        assertNull(c.peerListen(), "accepts no forwarded requests unless told");
    }

    @Test
    void shouldReadEverySetting() throws Exception {
        SwitchConfig.Cluster c = ConfigLoader.parse("""
                cluster:
                  nodeId: 0
                  bootstrap: kafka1:9092,kafka2:9093
                  topic: state.v1
                  partitions: 6
                  replication: async
                  ackTimeout: 250ms
                  startTimeout: 3s
                  peerListen: node0.internal:7700
                  cardKey: /etc/acqswitch/card.key
                """).cluster();
        assertEquals(new SwitchConfig.Cluster(0, "kafka1:9092,kafka2:9093", "state.v1", 6,
                SwitchConfig.Replication.ASYNC, Duration.ofMillis(250), Duration.ofSeconds(3), "node0.internal:7700",
                "/etc/acqswitch/card.key"), c);
    }

    @Test
    void shouldRefuseBadValuesByName() {
        assertEquals("cluster.nodeId=null: required, 0 to 9 (one digit inside every RRN and switch STAN)",
                problem("cluster:\n  topic: t\n"));
        assertEquals("cluster.nodeId=10: required, 0 to 9 (one digit inside every RRN and switch STAN)",
                problem("cluster:\n  nodeId: 10\n"));
        assertEquals("cluster.bootstrap=kafka: must be host:port[,host:port...]",
                problem("cluster:\n  nodeId: 1\n  bootstrap: kafka\n"));
        assertEquals("cluster.topic=a topic: must be 1 to 200 of a-z A-Z 0-9 . _ - (a Kafka topic name)",
                problem("cluster:\n  nodeId: 1\n  topic: a topic\n"));
        assertEquals("cluster.partitions=0: must be 1 to 1000", problem("cluster:\n  nodeId: 1\n  partitions: 0\n"));
        assertEquals("cluster.ackTimeout=600s: must be between 1ms and 5m", problem("cluster:\n  nodeId: 1\n  ackTimeout: 10m\n"));
        assertEquals("cluster.startTimeout=0s: must be between 1ms and 10m", problem("cluster:\n  nodeId: 1\n  startTimeout: 0s\n"));
        assertEquals("cluster.replication=eventually: must be sync or async",
                problem("cluster:\n  nodeId: 1\n  replication: eventually\n"));
        String peer = ": must be host:port, port 0 to 65535, the host an address the other nodes reach (it is advertised to them)";
        assertEquals("cluster.peerListen=7700" + peer, problem("cluster:\n  nodeId: 1\n  peerListen: 7700\n"));
        assertEquals("cluster.peerListen=0.0.0.0:7700" + peer, problem("cluster:\n  nodeId: 1\n  peerListen: 0.0.0.0:7700\n"));
        assertEquals("cluster.peerListen=n1:70000" + peer, problem("cluster:\n  nodeId: 1\n  peerListen: n1:70000\n"));
    }
}
