package io.acqswitch.store;

import java.util.Arrays;
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
     * Stores the first {@code length} bytes of {@code buffer} as the record of {@code rrn}. The store
     * keeps none of {@code buffer}: the caller reuses it. This default copies them to an array of
     * their own for {@link #put(String, byte[])} (so a wrapping store sees that put); a store that can
     * write from the caller's buffer does so without the copy.
     *
     * @throws StoreFullException when the store has no room left
     */
    default void put(String rrn, byte[] buffer, int length) {
        put(rrn, Arrays.copyOf(buffer, length));
    }

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

    /**
     * {@link #put(String, byte[], int)} with the terminal's request the record was made from (null:
     * none), as in {@link #put(String, byte[], ISOMsg)}. This default copies the bytes for a store
     * that journals; a store that ignores the request writes from the buffer.
     *
     * @throws StoreFullException when the store has no room left
     */
    default void put(String rrn, byte[] buffer, int length, ISOMsg request) {
        if (request == null) {
            put(rrn, buffer, length);
        } else {
            put(rrn, Arrays.copyOf(buffer, length), request);
        }
    }

    void remove(String rrn);

    /**
     * Applies {@code edit} to the stored bytes of {@code rrn}, if there are any. This default copies
     * them out and puts them back when changed (so a wrapping store sees a {@link #put}); a store
     * that can change them where they lie does so without the copies.
     *
     * @return what {@code edit} returned; false when there is no such record
     * @throws StoreFullException when the store has no room left
     */
    default boolean edit(String rrn, RecordBytes.Edit edit) {
        byte[] stored = get(rrn);
        if (stored == null || !edit.apply(RecordBytes.of(stored))) {
            return false;
        }
        put(rrn, stored);
        return true;
    }

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
