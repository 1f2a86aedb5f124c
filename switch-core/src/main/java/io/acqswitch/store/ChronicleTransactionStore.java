package io.acqswitch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.ChecksumEntry;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TransactionStore} on three persisted Chronicle Maps under {@code <dataDir>/store}:
 * {@code records.cm} (RRN → record bytes), {@code index.cm} (key → RRN) and {@code counters.cm}.
 * A marker file {@code open.lock} exists while the store is open; finding it at start means the
 * last process died without closing, and the maps are opened with Chronicle's recovery (which also
 * frees segment locks a killed process held).
 *
 * <p>The caller must hold the data directory's {@link DataDirLock} ({@code SwitchNode} takes it
 * before anything else): recovery is then run only when the lock was free and the marker is left
 * over, i.e. on files no live process has open. Without the lock, a second process would take a
 * running switch's marker for a crash and "recover" maps that switch is writing.
 */
public final class ChronicleTransactionStore implements TransactionStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleTransactionStore.class);

    private final ChronicleMap<String, byte[]> records;
    private final ChronicleMap<String, String> index;
    private final ChronicleMap<String, Long> counters;
    private final long capacity;
    private final Path marker;
    /** The bytes of the entry {@link #edit} works on: one flyweight, re-aimed per call. */
    private final EntryBytes entryBytes = new EntryBytes();
    /** The caller's buffer {@link #put(String, byte[], int)} last wrote from, and its wrapper. */
    private byte[] wrappedArray;
    private BytesStore<?, ?> wrapped;

    /**
     * Opens (creating if needed) the store; the caller holds {@code dataDir}'s {@link DataDirLock}.
     *
     * @param expectedEntries records it must hold (the index is sized at three keys per record)
     * @throws UncheckedIOException when the files cannot be created or opened
     */
    public ChronicleTransactionStore(Path dataDir, long expectedEntries) {
        Path dir = dataDir.resolve("store");
        this.capacity = expectedEntries;
        this.marker = dir.resolve("open.lock");
        try {
            Files.createDirectories(dir);
            // under the caller's DataDirLock no live process owns a marker found here: it is a dead one's
            boolean unclean = Files.exists(marker);
            if (unclean) {
                LOG.warn("store {} was not closed cleanly (crash or kill): recovering its files", dir);
            }
            Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
            records = open(ChronicleMapBuilder.of(String.class, byte[].class).name("records")
                    .entries(expectedEntries).averageKeySize(12).averageValueSize(420), dir.resolve("records.cm"), unclean);
            index = open(ChronicleMapBuilder.of(String.class, String.class).name("index")
                    .entries(expectedEntries * 3).averageKeySize(48).averageValueSize(12), dir.resolve("index.cm"), unclean);
            counters = open(ChronicleMapBuilder.of(String.class, Long.class).name("counters")
                    .entries(64).averageKeySize(16), dir.resolve("counters.cm"), unclean);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the transaction store under " + dir, e);
        }
    }

    private static <K, V> ChronicleMap<K, V> open(ChronicleMapBuilder<K, V> b, Path file, boolean unclean)
            throws IOException {
        if (unclean && Files.exists(file)) {
            return b.recoverPersistedTo(file.toFile(), true);
        }
        return b.createPersistedTo(file.toFile());
    }

    @Override
    public byte[] get(String rrn) {
        return records.get(rrn);
    }

    /**
     * Writes the record into its entry as {@link #put(String, byte[], int)} does, not through
     * {@code Map.put}, which reads the value it replaces back into a new array only to return it
     * (the journal's puts, and the cluster's, come this way). Any thread.
     */
    @Override
    public void put(String rrn, byte[] record) {
        write(rrn, BytesStore.wrap(record), record.length);
    }

    /**
     * Writes the record's bytes straight from the caller's buffer into the entry (inserted or
     * replaced under its write lock): no array is made for them. The processor's thread only (the
     * wrapper of its reused buffer is kept).
     */
    @Override
    public void put(String rrn, byte[] buffer, int length) {
        if (buffer != wrappedArray) { // the caller's buffer is reused; it changes only when it grows
            wrapped = BytesStore.wrap(buffer);
            wrappedArray = buffer;
        }
        write(rrn, wrapped, length);
    }

    private void write(String rrn, BytesStore<?, ?> bytes, int length) {
        try (ExternalMapQueryContext<String, byte[], ?> c = records.queryContext(rrn)) {
            c.writeLock().lock();
            Data<byte[]> value = c.wrapValueBytesAsData(bytes, 0, length);
            MapEntry<String, byte[]> entry = c.entry();
            if (entry != null) {
                entry.doReplaceValue(value);
            } else {
                c.absentEntry().doInsert(value);
            }
        } catch (IllegalStateException e) {
            throw full("records", e);
        }
    }

    /** This store keeps no request: {@link #put(String, byte[], int)}. */
    @Override
    public void put(String rrn, byte[] buffer, int length, ISOMsg request) {
        put(rrn, buffer, length);
    }

    @Override
    public void remove(String rrn) {
        records.remove(rrn);
    }

    /**
     * Changes the record's bytes in the map's memory, under the entry's write lock, and updates
     * the entry's checksum: no copy out, no copy back, no new entry. The change is as durable as a
     * put (the memory-mapped file's pages survive the process).
     */
    @Override
    public boolean edit(String rrn, RecordBytes.Edit edit) {
        try (ExternalMapQueryContext<String, byte[], ?> c = records.queryContext(rrn)) {
            c.writeLock().lock();
            MapEntry<String, byte[]> entry = c.entry();
            if (entry == null) {
                return false;
            }
            Data<byte[]> value = entry.value();
            entryBytes.aim(value.bytes(), value.offset(), value.size());
            boolean changed;
            try {
                changed = edit.apply(entryBytes);
            } finally {
                entryBytes.aim(null, 0, 0);
            }
            if (changed && entry instanceof ChecksumEntry checksummed) {
                checksummed.updateChecksum();
            }
            return changed;
        }
    }

    /** A map entry's value bytes as {@link RecordBytes}; valid while its query context is open. */
    private static final class EntryBytes implements RecordBytes {
        private RandomDataInput in;
        private RandomDataOutput<?> out;
        private long offset;
        private int length;

        /** {@code bytes}: the segment's memory, which Chronicle hands out as input but is writable. */
        void aim(RandomDataInput bytes, long offset, long length) {
            this.in = bytes;
            this.out = (RandomDataOutput<?>) bytes;
            this.offset = offset;
            this.length = (int) length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public byte get(int i) {
            return in.readByte(offset + checked(i));
        }

        @Override
        public void set(int i, byte b) {
            out.writeByte(offset + checked(i), b);
        }

        private int checked(int i) {
            if (i < 0 || i >= length) {
                throw new IndexOutOfBoundsException("byte " + i + " of a " + length + "-byte record");
            }
            return i;
        }
    }

    @Override
    public String index(String key) {
        return index.get(key);
    }

    @Override
    public void putIndex(String key, String rrn) {
        try {
            index.put(key, rrn);
        } catch (IllegalStateException e) {
            throw full("index", e);
        }
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
        Long v = counters.merge(counter, 1L, Long::sum);
        return v;
    }

    @Override
    public long records() {
        return records.longSize();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public boolean isOpen() {
        return records.isOpen() && index.isOpen() && counters.isOpen();
    }

    private StoreFullException full(String map, IllegalStateException e) {
        return new StoreFullException("transaction store cannot take another entry (" + map + ", "
                + records.longSize() + " records, sized for " + capacity + "; raise store.expectedEntries): "
                + e.getMessage(), e);
    }

    @Override
    public void close() {
        records.close();
        index.close();
        counters.close();
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LOG.warn("could not remove {}: the next start will run recovery", marker);
        }
    }
}
