package io.acqswitch.store;

import java.util.function.BiConsumer;

/**
 * A {@link TransactionStore} that forwards every call to another: the base of stores that add to
 * some calls (the journal's copy of every write, a test's refusals) and leave the rest alone. Same
 * threading as the store it wraps.
 */
public abstract class ForwardingTransactionStore implements TransactionStore {
    private final TransactionStore store;

    protected ForwardingTransactionStore(TransactionStore store) {
        this.store = store;
    }

    /** The store this one wraps (for a subclass that forwards a call the base leaves to the interface's default). */
    protected final TransactionStore wrapped() {
        return store;
    }

    @Override
    public byte[] get(String rrn) {
        return store.get(rrn);
    }

    @Override
    public void put(String rrn, byte[] record) {
        store.put(rrn, record);
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
