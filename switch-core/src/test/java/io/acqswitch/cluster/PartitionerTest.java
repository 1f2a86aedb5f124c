package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionerTest {
    private final Partitioner partitioner = new Partitioner(12);

    private static TxnRecord record(String rrn, String acquirer, String terminal) {
        TxnRecord r = new TxnRecord();
        r.rrn = rrn;
        r.acquirerId = acquirer;
        r.merchantId = "MERCHANT0000001";
        r.terminalId = terminal;
        r.originalKey = "S|" + acquirer + "|MERCHANT0000001|" + terminal + "|000123";
        r.dedupeKey = "D|" + acquirer + "|MERCHANT0000001|" + terminal + "|000123|1205120000";
        return r;
    }

    @Test
    void shouldPlaceATerminalWhereKafkasOwnKeyHashWould() {
        for (String t : List.of("123456|MERCHANT0000001|TERM0001", "|M|T", "999|MERCHANT0000002|TERM0077")) {
            assertEquals(BuiltInPartitioner.partitionForKey(t.getBytes(StandardCharsets.UTF_8), 12), partitioner.ofTerminal(t), t);
        }
    }

    @Test
    void shouldKeepARecordAndItsIndexKeysInOnePartition() {
        TxnRecord r = record("633910000001", "123456", "TERM0001");
        int p = partitioner.ofRecord(new RecordCodec().encode(r));
        assertEquals(partitioner.ofTerminal("123456|MERCHANT0000001|TERM0001"), p);
        assertEquals(p, partitioner.ofIndexKey(r.dedupeKey));
        assertEquals(p, partitioner.ofIndexKey(r.originalKey));
        assertEquals(p, partitioner.ofIndexKey("R|123456|MERCHANT0000001|TERM0001|000124"), "an early-reversal marker");
    }

    @Test
    void shouldReadTheTerminalFromTheBytesAsADecodeWould() {
        RecordCodec codec = new RecordCodec();
        for (int i = 0; i < 300; i++) {
            TxnRecord r = record(String.format("6339%08d", i), i % 3 == 0 ? "" : "12345" + i % 7, "TÉRM" + i);
            r.mti = "0200";
            r.processingCode = "000000";
            r.maskedPan = "476173******0010";
            byte[] bytes = codec.encode(r);
            String terminal = Partitioner.terminalOfKey(RecordCodec.decode(bytes).originalKey);
            assertEquals(partitioner.ofTerminal(terminal), partitioner.ofRecord(bytes), terminal);
            assertEquals(partitioner.ofRecord(bytes), partitioner.ofRecord(RecordCodec.decode(bytes)), "decoded: " + terminal);
        }
        TxnRecord keyless = record("633900000001", "123456", "TERM0001");
        keyless.originalKey = "";
        assertEquals(partitioner.ofTerminal("123456|MERCHANT0000001|TERM0001"), partitioner.ofRecord(codec.encode(keyless)),
                "without an original key: the record's own acquirer, merchant and terminal");
        assertEquals(partitioner.ofRecord(codec.encode(keyless)), partitioner.ofRecord(RecordCodec.decode(codec.encode(keyless))));
    }

    @Test
    void shouldSpreadTerminalsOverThePartitions() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            used.add(partitioner.ofTerminal("123456|MERCHANT0000001|TERM" + i));
        }
        assertEquals(12, used.size());
    }

    @Test
    void shouldFindTheTerminalInsideAKey() {
        assertEquals("a|m|t", Partitioner.terminalOfKey("S|a|m|t|000001"));
        assertEquals("a|m|t", Partitioner.terminalOfKey("D|a|m|t|000001|x"));
        assertNull(Partitioner.terminalOfKey("C|m|t"));
        assertNull(Partitioner.terminalOfKey("plain"));
    }

    @Test
    void shouldKeepEveryChangeInOrderWithItsTerminalsPartition() {
        HeapTransactionStore local = new HeapTransactionStore();
        ReplicatingStore store = new ReplicatingStore(local, partitioner, p -> true, () -> { });
        TxnRecord r = record("633910000001", "123456", "TERM0001");
        int p = partitioner.ofTerminal("123456|MERCHANT0000001|TERM0001");
        store.put(r.rrn, new RecordCodec().encode(r));
        store.putIndex(r.dedupeKey, r.rrn);
        store.putIndex("C|MERCHANT0000001|TERM0001|000001", r.rrn); // no acquirer in the key: goes with its record
        store.removeIndex(r.dedupeKey);
        store.remove(r.rrn);
        store.putIndex("C|MERCHANT0000001|TERM0001|000002", r.rrn); // names a record removed in this batch
        store.remove("633910000999"); // never there: nothing to replicate
        store.removeIndex("D|none");
        List<Change> changes = store.drain();
        assertEquals(List.of("R633910000001", "I" + r.dedupeKey, "IC|MERCHANT0000001|TERM0001|000001", "I" + r.dedupeKey,
                "R633910000001", "IC|MERCHANT0000001|TERM0001|000002"),
                changes.stream().map(c -> (char) c.key()[0] + Change.name(c.key())).toList());
        assertTrue(changes.stream().allMatch(c -> c.partition() == p), "all in the terminal's partition");
        assertNull(changes.get(3).value(), "an index removal is a tombstone");
        assertNull(changes.get(4).value(), "a record removal is a tombstone");
        assertEquals(List.of(), store.drain(), "drained");
        assertEquals(0, local.records());
    }

    @Test
    void shouldKeepChangesOfAPartitionNotServedLocalAndCountThem() {
        HeapTransactionStore local = new HeapTransactionStore();
        int[] dropped = {0};
        TxnRecord mine = record("633910000001", "123456", "TERM0001");
        int served = partitioner.ofRecord(new RecordCodec().encode(mine));
        TxnRecord other = null;
        for (int i = 2; other == null; i++) {
            TxnRecord r = record(String.format("6339100000%02d", i), "123456", "TERM" + i);
            if (partitioner.ofRecord(new RecordCodec().encode(r)) != served) {
                other = r;
            }
        }
        ReplicatingStore store = new ReplicatingStore(local, partitioner, p -> p == served, () -> dropped[0]++);
        store.put(mine.rrn, new RecordCodec().encode(mine));
        store.put(other.rrn, new RecordCodec().encode(other));
        store.putIndex(other.dedupeKey, other.rrn);
        store.remove(other.rrn);
        assertEquals(List.of("R" + mine.rrn), store.drain().stream().map(c -> (char) c.key()[0] + Change.name(c.key())).toList(),
                "only the served partition's change is replicated");
        assertEquals(3, dropped[0], "the other partition's put, index and removal");
        assertEquals(1, local.records(), "the local store took every change");
        assertEquals(other.rrn, local.index(other.dedupeKey));
    }
}
