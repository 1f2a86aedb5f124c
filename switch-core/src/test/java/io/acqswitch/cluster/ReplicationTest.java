package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.net.Issuers;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.support.KafkaBroker;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replication against a real KRaft broker: what one node replicates, a node on an empty store
 * restores byte for byte; a node whose partition another node took (a zombie) has its writes
 * refused and none of them is visible to a read_committed reader.
 */
@Tag("slow")
class ReplicationTest {
    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static SwitchConfig.Cluster cluster(String topic, int nodeId) {
        return new SwitchConfig.Cluster(nodeId, kafka.bootstrap(), topic, 4, SwitchConfig.Replication.SYNC, Duration.ofSeconds(10), null, null, null);
    }

    private static byte[] record(String rrn, String terminal, TxnState state, long amount) {
        TxnRecord r = new TxnRecord();
        r.rrn = rrn;
        r.state = state;
        r.terminalId = terminal;
        r.merchantId = "MERCHANT0000001";
        r.acquirerId = "123456";
        r.originalKey = "S|123456|MERCHANT0000001|" + terminal + "|000" + rrn.substring(rrn.length() - 3);
        r.dedupeKey = "D|123456|MERCHANT0000001|" + terminal + "|000" + rrn.substring(rrn.length() - 3) + "|1205120000";
        r.maskedPan = "476173******0010";
        r.amount = amount;
        return new RecordCodec().encode(r);
    }

    /** Everything a store holds, as text keys to bytes: records as {@code R<rrn>}, index entries as {@code I<key>}. */
    private static Map<String, byte[]> contents(TransactionStore s) {
        Map<String, byte[]> m = new TreeMap<>();
        s.forEach((rrn, bytes) -> m.put("R" + rrn, bytes));
        s.forEachIndex("", (key, value) -> m.put("I" + key, value.getBytes(StandardCharsets.UTF_8)));
        return m;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRestoreReplicatedChangesByteForByte() throws Exception {
        HeapTransactionStore local = new HeapTransactionStore();
        try (ClusterNode node = ClusterNode.start(cluster("restore", 1), null, local, new SimpleMeterRegistry())) {
            TransactionStore store = node.replicating(local);
            Issuers gate = node.gate(new NoIssuers());
            List<String> terminals = List.of("TERM0001", "TERM0002", "TERM0003", "TERM0004", "TERM0005", "TERM0006");
            for (int i = 0; i < 60; i++) { // six terminals: several partitions
                String rrn = String.format("63391%07d", i);
                String terminal = terminals.get(i % terminals.size());
                byte[] forwarded = record(rrn, terminal, TxnState.FORWARDED, 100 + i);
                store.put(rrn, forwarded);
                TxnRecord r = RecordCodec.decode(forwarded);
                store.putIndex(r.dedupeKey, rrn);
                store.putIndex(r.originalKey, rrn);
                if (i % 3 == 0) {
                    gate.flush(); // a ring batch ends
                }
                store.put(rrn, record(rrn, terminal, i % 2 == 0 ? TxnState.APPROVED : TxnState.DECLINED, 100 + i));
                if (i % 10 == 0) { // retention takes some away again
                    store.removeIndex(r.dedupeKey);
                    store.removeIndex(r.originalKey);
                    store.remove(rrn);
                }
            }
            store.putIndex("R|123456|MERCHANT0000001|TERM0009|000777", "marker:1:100:978"); // a marker: no record behind it
            gate.flush();
            assertTrue(node.partitions().size() == 4 && node.lost().isEmpty(), node.health().toString());
        }
        HeapTransactionStore fresh = new HeapTransactionStore();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ClusterNode taker = ClusterNode.start(cluster("restore", 2), null, fresh, registry)) {
            assertEquals(4.0, registry.get("switch_cluster_takeovers").counter().count());
            assertEquals(List.of(0, 1, 2, 3), taker.partitions());
        }
        Map<String, byte[]> expected = contents(local);
        Map<String, byte[]> restored = contents(fresh);
        assertEquals(54 * 3 + 1, expected.size(), "54 records with two index keys each, and one marker");
        assertEquals(expected.keySet(), restored.keySet());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), restored.get(e.getKey()), e.getKey());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseAFencedZombiesWrites() throws Exception {
        String topic = "zombie";
        HeapTransactionStore zombieLocal = new HeapTransactionStore();
        try (ClusterNode zombie = ClusterNode.start(cluster(topic, 1), null, zombieLocal, new SimpleMeterRegistry())) {
            TransactionStore zombieStore = zombie.replicating(zombieLocal);
            Issuers zombieGate = zombie.gate(new NoIssuers());
            zombieStore.put("633910000001", record("633910000001", "TERM0001", TxnState.FORWARDED, 100));
            zombieGate.flush();
            int partition = new Partitioner(4).ofRecord(zombieLocal.get("633910000001"));

            // another node takes the partitions over while the zombie still believes it owns them: the zombie stops
            // polling the owners' group (paused), so the group puts it out after its max poll interval and assigns
            // every partition to the new node, which fences the zombie's producers
            HeapTransactionStore ownerLocal = new HeapTransactionStore();
            try (ClusterNode owner = ClusterNode.start(cluster(topic, 2), null, ownerLocal, new SimpleMeterRegistry())) {
                assertArrayEquals(zombieLocal.get("633910000001"), ownerLocal.get("633910000001"), "restored before the zombie wakes");
                TransactionStore ownerStore = owner.replicating(ownerLocal);
                Issuers ownerGate = owner.gate(new NoIssuers());

                zombieStore.put("633910000001", record("633910000001", "TERM0001", TxnState.APPROVED, 100));
                zombieStore.put("633910000002", record("633910000002", "TERM0001", TxnState.FORWARDED, 200));
                assertThrows(ReplicationException.class, zombieGate::flush, "a sync barrier on a fenced partition fails");
                assertEquals(List.of(partition), zombie.lost());
                assertThrows(ReplicationException.class, zombieGate::flush, "and keeps failing");

                ownerStore.put("633920000001", record("633920000001", "TERM0001", TxnState.FORWARDED, 300));
                ownerGate.flush();
            }
            List<String> seen = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : readCommitted(topic, partition)) {
                TxnRecord rec = RecordCodec.decode(r.value());
                seen.add(rec.rrn + " " + rec.state);
            }
            assertEquals(List.of("633910000001 FORWARDED", "633920000001 FORWARDED"), seen,
                    "the zombie's first write and the new owner's; nothing the zombie wrote after the fence");
            assertFalse(zombie.partitions().contains(partition));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int partition) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** No issuer at all: these tests only need the flush that carries the barrier. */
    private static final class NoIssuers implements Issuers {
        @Override
        public int issuerCount() {
            return 0;
        }

        @Override
        public int indexOf(String issuerId) {
            return -1;
        }

        @Override
        public SwitchConfig.Issuer issuer(int issuer) {
            throw new IndexOutOfBoundsException(issuer);
        }

        @Override
        public int send(int issuer, ISOMsg request) {
            return NO_LINK_UP;
        }

        @Override
        public int sendAfter(int issuer, ISOMsg request, int link) {
            return NO_LINK_UP;
        }

        @Override
        public void abandon(int issuer, int link) {
        }

        @Override
        public int linksUp(int issuer) {
            return 0;
        }
    }
}
