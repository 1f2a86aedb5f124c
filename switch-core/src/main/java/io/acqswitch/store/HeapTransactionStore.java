package io.acqswitch.store;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@link TransactionStore} on plain {@link HashMap}s: not durable. For the processor benchmark (the
 * baseline of the Chronicle store) and for unit tests of the processor and its rules; never a
 * switch's store.
 */
public final class HeapTransactionStore implements TransactionStore {
    private final Map<String, byte[]> records = new HashMap<>();
    private final Map<String, String> index = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();

    @Override
    public byte[] get(String rrn) {
        byte[] b = records.get(rrn);
        return b == null ? null : b.clone(); // the caller's own copy, as a Chronicle map's get gives
    }

    @Override
    public void put(String rrn, byte[] record) {
        records.put(rrn, record);
    }

    @Override
    public void remove(String rrn) {
        records.remove(rrn);
    }

    @Override
    public String index(String key) {
        return index.get(key);
    }

    @Override
    public void putIndex(String key, String rrn) {
        index.put(key, rrn);
    }

    @Override
    public void removeIndex(String key) {
        index.remove(key);
    }

    @Override
    public void forEach(BiConsumer<String, byte[]> visitor) {
        records.forEach(visitor);
    }

    @Override
    public void forEachIndex(String prefix, BiConsumer<String, String> visitor) {
        index.forEach((key, rrn) -> {
            if (key.startsWith(prefix)) {
                visitor.accept(key, rrn);
            }
        });
    }

    @Override
    public long next(String counter) {
        return counters.merge(counter, 1L, Long::sum);
    }

    @Override
    public long records() {
        return records.size();
    }

    @Override
    public long capacity() {
        return Long.MAX_VALUE;
    }

    @Override
    public void close() {
        records.clear();
        index.clear();
    }
}
