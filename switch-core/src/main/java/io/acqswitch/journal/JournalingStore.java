package io.acqswitch.journal;

import io.acqswitch.store.TransactionStore;
import java.util.function.BiConsumer;

/**
 * A {@link TransactionStore} that copies every record write to the journal: {@link #put} forwards
 * to the real store first (durability does not depend on the journal), then offers the same bytes
 * to the {@link JournalWriter}, which never blocks. Everything else is forwarded unchanged. Same
 * threading as the wrapped store (the processor thread).
 */
public final class JournalingStore implements TransactionStore {
    private final TransactionStore store;
    private final JournalWriter journal;

    public JournalingStore(TransactionStore store, JournalWriter journal) {
        this.store = store;
        this.journal = journal;
    }

    @Override
    public byte[] get(String rrn) {
        return store.get(rrn);
    }

    /** The bytes are handed to another thread: callers must not change the array after the call (encoders return fresh arrays). */
    @Override
    public void put(String rrn, byte[] record) {
        store.put(rrn, record);
        journal.offer(rrn, record);
    }

    @Override
    public void remove(String rrn) {
        store.remove(rrn);
    }

    @Override
    public String index(String key) {
        return store.index(key);
    }

    @Override
    public void putIndex(String key, String rrn) {
        store.putIndex(key, rrn);
    }

    @Override
    public void removeIndex(String key) {
        store.removeIndex(key);
    }

    @Override
    public void forEach(BiConsumer<String, byte[]> visitor) {
        store.forEach(visitor);
    }

    @Override
    public void forEachIndex(String prefix, BiConsumer<String, String> visitor) {
        store.forEachIndex(prefix, visitor);
    }

    @Override
    public long next(String counter) {
        return store.next(counter);
    }

    @Override
    public long records() {
        return store.records();
    }

    @Override
    public long capacity() {
        return store.capacity();
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    @Override
    public void close() {
        store.close();
    }
}
