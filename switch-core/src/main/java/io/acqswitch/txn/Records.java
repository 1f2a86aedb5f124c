package io.acqswitch.txn;

import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.store.StoreFullException;
import io.acqswitch.store.TransactionStore;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The core that applies transitions: records are created, moved through {@link Transitions},
 * written to the store (retention told first) and indexed here, and found again, live ones first
 * (in flight, or reversal pending) so every part works on the one instance. Processor thread only.
 */
final class Records {
    private final TransactionStore store;
    private final Transitions transitions;
    private final Retention retention;
    private final Sequences sequences;
    private final CardKey cardKey;
    private final RecordCodec codec = new RecordCodec();
    private final Function<String, TxnRecord> live;
    private final Consumer<TxnRecord> created;
    /** New records the store may still take before new requests are refused (96); refreshed every tick. */
    private long storeRoom;

    /**
     * @param live    a record still in memory (in flight, reversal pending) by RRN, or null
     * @param created told of each new record (its batch lists it)
     */
    Records(TransactionStore store, Transitions transitions, Retention retention, Sequences sequences,
            CardKey cardKey, Function<String, TxnRecord> live, Consumer<TxnRecord> created) {
        this.store = store;
        this.transitions = transitions;
        this.retention = retention;
        this.sequences = sequences;
        this.cardKey = cardKey;
        this.live = live;
        this.created = created;
        refreshStoreRoom();
    }

    TransactionStore store() {
        return store;
    }

    Sequences sequences() {
        return sequences;
    }

    CardKey cardKey() {
        return cardKey;
    }

    /** @return false (the record unchanged) when the state machine refuses */
    boolean transition(TxnRecord r, TxnState next) {
        return transitions.apply(r, next);
    }

    /**
     * Writes {@code r} to the store, handing its terminal request along by reference (a journaling
     * store turns it into masked text on its own thread). Once a write has carried the answer too,
     * the record lets the request go: the journal has both, and card data is not kept in memory.
     */
    void persist(TxnRecord r) {
        retention.writing(r); // first: it marks the record it queues
        int length = codec.encodeInBuffer(r);
        store.put(r.rrn, codec.buffer(), length, r.request);
        if (r.response.length > 0) {
            r.request = null;
        }
    }

    TxnRecord load(String rrn) {
        TxnRecord r = live(rrn);
        if (r != null) {
            return r;
        }
        byte[] b = store.get(rrn);
        return b == null ? null : RecordCodec.decode(b);
    }

    /** The record of {@code rrn} if it is in memory (in flight, or its reversal pending), else null. */
    TxnRecord live(String rrn) {
        return live.apply(rrn);
    }

    /** The RRN an index key names, or null. */
    String index(String key) {
        return store.index(key);
    }

    /** Both keys that find a decided record: its dedupe key (repeats) and its original key (reversals, voids). */
    void indexDecided(TxnRecord r) {
        store.putIndex(r.dedupeKey, r.rrn);
        store.putIndex(r.originalKey, r.rrn);
    }

    /** Takes back a record and its keys that the store refused part of (nothing else may name it). */
    void takeBack(TxnRecord r) {
        store.remove(r.rrn);
        removeIndex(r.dedupeKey, r.rrn);
        removeIndex(r.originalKey, r.rrn);
    }

    private void removeIndex(String key, String rrn) {
        if (rrn.equals(store.index(key))) {
            store.removeIndex(key);
        }
    }

    /**
     * New requests are admitted up to the store's sized capacity, not until Chronicle Map refuses a
     * put: an accepted transaction's later writes (answer, reversal) must always find room.
     */
    void refreshStoreRoom() {
        storeRoom = store.capacity() > 0 ? store.capacity() - store.records() : Long.MAX_VALUE;
    }

    /**
     * A new record for a request seen for the first time (RECEIVED, not yet written).
     *
     * @throws StoreFullException when the store is at its sized capacity (answered 96)
     */
    TxnRecord create(TerminalRequest req, String key, long fingerprint, long now) {
        if (storeRoom <= 0) { // past this the store may refuse the updates of transactions already accepted
            throw new StoreFullException("transaction store at capacity (sized for " + store.capacity()
                    + " records; raise store.expectedEntries)", null);
        }
        storeRoom--;
        TxnRecord r = new TxnRecord();
        r.rrn = sequences.nextRrn(now);
        r.messageClass = req.messageClass();
        r.mti = req.mti();
        r.processingCode = req.processingCode();
        r.dedupeKey = key;
        r.fingerprint = fingerprint;
        r.originalKey = DedupeKeys.original(req, req.stan());
        r.terminalStan = req.stan();
        r.terminalId = req.terminalId();
        r.merchantId = req.merchantId();
        r.acquirerId = orEmpty(req.message().getString(32));
        r.maskedPan = req.maskedPan();
        r.panHash = cardKey.hash(req.pan());
        r.amount = req.amount();
        r.currency = orEmpty(req.message().getString(49));
        r.receivedAt = now;
        r.batch = Settlement.batchOf(req.message().getString(60));
        r.request = req.message();
        created.accept(r);
        return r;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
