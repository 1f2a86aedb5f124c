package io.acqswitch.store;

import java.util.function.BiConsumer;
import org.jpos.iso.ISOMsg;

/**
 * Durable storage of transaction records (encoded bytes keyed by RRN) and string indexes (dedupe
 * key → RRN, terminal+STAN → RRN, …). Used by the processor thread only. A write returns once the
 * data is in the store's memory-mapped file: it survives a process crash (the OS keeps the pages).
 */
public interface TransactionStore extends AutoCloseable {
    /** The encoded record, or {@code null}: an array of the caller's own, which it may change and put back. */
    byte[] get(String rrn);

    /** @throws StoreFullException when the store has no room left */
    void put(String rrn, byte[] record);

    /**
     * As {@link #put(String, byte[])}, with the terminal's request the record was made from (null:
     * none), for a store that journals: it may hand the reference to its journal, never keep it
     * (card data). Plain stores ignore it.
     *
     * @throws StoreFullException when the store has no room left
     */
    default void put(String rrn, byte[] record, ISOMsg request) {
        put(rrn, record);
    }

    void remove(String rrn);

    /** The RRN an index key points to, or {@code null}. */
    String index(String key);

    /** @throws StoreFullException when the store has no room left */
    void putIndex(String key, String rrn);

    void removeIndex(String key);

    /** Visits every record (start-up recovery, retention sweeps); the visitor must not write to the store. */
    void forEach(BiConsumer<String, byte[]> visitor);

    /** Visits every index entry whose key starts with {@code prefix} (start-up only: it scans the whole index). */
    void forEachIndex(String prefix, BiConsumer<String, String> visitor);

    /** Next value of a persistent counter (RRN and STAN sequences); survives restarts. */
    long next(String counter);

    long records();

    /** Records the store was sized for. */
    long capacity();

    /** False once closed (or, for an implementation that can tell, when its files are no longer usable). */
    default boolean isOpen() {
        return true;
    }

    @Override
    void close();
}
