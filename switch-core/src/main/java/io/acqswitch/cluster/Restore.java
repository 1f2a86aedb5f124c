package io.acqswitch.cluster;

import io.acqswitch.store.TransactionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Rebuilds partitions of the store from the state topic: a {@code read_committed} consumer reads
 * each partition from its beginning to its last stable offset ({@link #read}); what the local
 * store holds of those partitions is removed ({@link #clear}: records a node kept from an earlier
 * ownership may be stale) and every change applied in order (a later value of a key wins, a null
 * removes it). Read only after the partitions' writers exist (their {@code initTransactions()}
 * fenced every earlier owner, so nothing can be committed behind the read). {@link #read}: any
 * thread; {@link #clear} and {@link #apply}: the thread that writes the store (start-up, or the
 * processor's through a ring task).
 */
final class Restore {
    private Restore() {}

    /**
     * @return the partitions' changes, each partition's in topic order
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer within {@code timeout}
     */
    static List<Change> read(String bootstrap, String topic, Collection<Integer> partitions, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "acqswitch-restore-" + topic);
        List<TopicPartition> tps = new ArrayList<>();
        for (int partition : partitions) {
            tps.add(new TopicPartition(topic, partition));
        }
        List<Change> changes = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout); // the last stable offset, read_committed
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "restore of " + topic + " did not reach " + end + " within " + timeout.toMillis() + "ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    changes.add(new Change(r.partition(), r.key(), r.value()));
                }
            }
        }
        return changes;
    }

    /**
     * Removes every record and index entry of the partitions {@code which} accepts from {@code
     * store} (the local store, not a replicating one: nothing of this is replicated). An index
     * entry goes with the record it names, else with the terminal in its key, as when it was
     * replicated. Scans the whole store: a take-over's cost, not a request's.
     *
     * @return records removed
     */
    static int clear(TransactionStore store, Partitioner partitioner, IntPredicate which) {
        List<String> rrns = new ArrayList<>();
        store.forEach((rrn, bytes) -> {
            if (which.test(partitioner.ofRecord(bytes))) {
                rrns.add(rrn);
            }
        });
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        store.forEachIndex("", (key, value) -> entries.add(Map.entry(key, value))); // no writes while iterating
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, String> e : entries) {
            byte[] named = store.get(e.getValue());
            int p = named != null ? partitioner.ofRecord(named) : partitioner.ofIndexKey(e.getKey());
            if (which.test(p)) {
                keys.add(e.getKey());
            }
        }
        rrns.forEach(store::remove);
        keys.forEach(store::removeIndex);
        return rrns.size();
    }

    /** Applies {@code changes} in order. */
    static void apply(TransactionStore store, List<Change> changes) {
        for (Change c : changes) {
            apply(store, c.key(), c.value());
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** One change onto the store: {@code R<rrn>} a record, {@code I<key>} an index entry; null value removes. */
    static void apply(TransactionStore store, byte[] key, byte[] value) {
        String name = Change.name(key);
        switch (key[0]) {
            case Change.RECORD -> {
                if (value == null) {
                    store.remove(name);
                } else {
                    store.put(name, value);
                }
            }
            case Change.INDEX -> {
                if (value == null) {
                    store.removeIndex(name);
                } else {
                    store.putIndex(name, new String(value, StandardCharsets.UTF_8));
                }
            }
            default -> throw new IllegalArgumentException("unknown change kind " + key[0] + " in the state topic");
        }
    }
}
