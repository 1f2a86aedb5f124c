package io.acqswitch.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store: every terminal's and issuer's keys, each under the LMK, in an append-only text file
 * ({@value #FILE}, 0600) beside the LMK. One line per stored key; the last line for an owner and
 * type wins:
 * <pre>
 *   terminal 12345678 TAK 128 X 0 &lt;key under LMK, hex&gt; &lt;check value, hex&gt; &lt;epoch ms&gt;
 *   └owner┘ └─id───┘ type bits scheme variant
 * </pre>
 * Appending keeps a sign-on's write small whatever the number of terminals; {@link #open} compacts
 * the file when most of its lines are superseded.
 *
 * <p>Several processes share it (the switch and the {@code keys} command): writers append under a
 * lock file; readers pick up other writers' lines within {@link #REFRESH} or at once with
 * {@link #findFresh}. Thread-safe; lookups are lock-free.
 */
public final class KeyFile {
    public static final String FILE = "keys.log";
    /** How stale a lookup may be with respect to other processes' writes. */
    static final long REFRESH = TimeUnit.MILLISECONDS.toNanos(50);
    private static final Logger LOG = LoggerFactory.getLogger(KeyFile.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** A stored key with its owner's id and when it was stored. */
    public record Entry(String id, LmkKey key, Instant storedAt) {
        public String owner() {
            return key.type().owner().word();
        }
    }

    private final Path file;
    private final Path lockFile;
    /**
     * owner word + ':' + id → that owner's keys; each value is immutable, replaced whole. A full
     * re-read builds a new map and swaps it in, so a lookup never sees a half-read store (a keyed
     * terminal must never look unkeyed, even for an instant).
     */
    private volatile Map<String, Map<KeyType, Entry>> keys = new ConcurrentHashMap<>();
    private volatile long checkedAt;
    private Object fileKey;
    private long offset;
    private int lines;
    private int malformed;

    private KeyFile(Path dir) {
        this.file = dir.resolve(FILE);
        this.lockFile = dir.resolve(JceSecurityModule.LOCK_FILE);
    }

    /**
     * Opens (creating if needed, 0700 / 0600) the key store in {@code dir} and reads it, compacting
     * it first when more than half of its lines are superseded.
     *
     * @throws IOException when it cannot be created or read
     */
    public static KeyFile open(Path dir) throws IOException {
        OwnerOnly.directory(dir);
        KeyFile kf = new KeyFile(dir);
        synchronized (kf) {
            kf.reload();
            if (kf.lines > 100 && kf.lines > 2 * kf.size()) {
                kf.compact();
            }
        }
        return kf;
    }

    /** Whether {@code id} can name a key's owner: 1 to 40 of letters, digits, {@code . _ -}. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The key of {@code type} that {@code id} holds, or null; at most {@link #REFRESH} behind other processes. */
    public LmkKey find(String id, KeyType type) {
        refresh(false);
        return lookup(id, type);
    }

    /** As {@link #find}, after reading whatever other processes have written: for rare paths (sign-on). */
    public LmkKey findFresh(String id, KeyType type) {
        refresh(true);
        return lookup(id, type);
    }

    /** Whether {@code id} holds any key of its owner kind (e.g. a terminal with a TMK or working keys). */
    public boolean hasAny(KeyType.Owner owner, String id) {
        refresh(false);
        Map<KeyType, Entry> m = keys.get(owner.word() + ':' + id);
        return m != null && !m.isEmpty();
    }

    private LmkKey lookup(String id, KeyType type) {
        Map<KeyType, Entry> m = keys.get(type.owner().word() + ':' + id);
        Entry e = m == null ? null : m.get(type);
        return e == null ? null : e.key();
    }

    /**
     * Stores {@code key} as {@code id}'s key of its type (replacing any), durably: the line is on disk
     * when this returns.
     *
     * @throws IllegalArgumentException when {@code id} is not a {@link #validId valid id}
     * @throws IOException when it cannot be written
     */
    public void put(String id, LmkKey key) throws IOException {
        putAll(id, List.of(key));
    }

    /** As {@link #put}, for several keys of one owner in one append (a sign-on's working keys). */
    public void putAll(String id, List<LmkKey> newKeys) throws IOException {
        if (!validId(id)) {
            throw new IllegalArgumentException("not a valid key owner id (1 to 40 of letters, digits, . _ -)");
        }
        Instant now = Instant.now();
        List<Entry> entries = newKeys.stream().map(k -> new Entry(id, k, now)).toList();
        StringBuilder lines = new StringBuilder();
        entries.forEach(e -> lines.append(line(e)));
        OwnerOnly.Held held = OwnerOnly.lock(lockFile);
        try (FileChannel ch = OwnerOnly.append(file)) {
            ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        } finally {
            held.close();
        }
        synchronized (this) {
            entries.forEach(e -> apply(e, keys));
        }
    }

    /** Every stored key (the latest per owner and type), by owner, id and type. */
    public List<Entry> list() {
        refresh(true);
        List<Entry> all = new ArrayList<>();
        keys.values().forEach(m -> all.addAll(m.values()));
        all.sort(Comparator.comparing(Entry::owner).thenComparing(Entry::id).thenComparing(e -> e.key().type()));
        return all;
    }

    /** Keys held (latest per owner and type). */
    public int size() {
        return keys.values().stream().mapToInt(Map::size).sum();
    }

    private void refresh(boolean force) {
        long now = System.nanoTime();
        if (!force && now - checkedAt < REFRESH) {
            return;
        }
        synchronized (this) {
            checkedAt = now;
            try {
                reload();
            } catch (IOException e) {
                LOG.warn("key store {} unreadable; keeping the keys read before: {}", file, e.toString());
            }
        }
    }

    /** Reads what was appended since the last read, or the whole file when it was replaced (compacted). */
    private void reload() throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException none) {
            return;
        }
        Object key = attrs.fileKey() != null ? attrs.fileKey() : attrs.creationTime();
        Map<String, Map<KeyType, Entry>> into = keys;
        if (!key.equals(fileKey) || attrs.size() < offset) {
            fileKey = key;
            offset = 0;
            lines = 0;
            into = new ConcurrentHashMap<>();
        }
        if (attrs.size() == offset) {
            keys = into;
            return;
        }
        byte[] tail;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) (ch.size() - offset));
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // read to the end as it was when sized
            }
            tail = Arrays.copyOf(buf.array(), buf.position());
        }
        int start = 0;
        for (int i = 0; i < tail.length; i++) {
            if (tail[i] == '\n') { // only whole lines: a writer may be mid-append
                parse(new String(tail, start, i - start, StandardCharsets.US_ASCII), into);
                start = i + 1;
            }
        }
        offset += start;
        keys = into;
    }

    private void parse(String line, Map<String, Map<KeyType, Entry>> into) {
        if (line.isBlank() || line.startsWith("#")) {
            return;
        }
        lines++;
        String[] f = line.trim().split(" ");
        try {
            KeyType type = KeyType.valueOf(f[2]);
            if (f.length != 9 || !type.owner().word().equals(f[0]) || !validId(f[1])) {
                throw new IllegalArgumentException("fields");
            }
            LmkKey k = new LmkKey(type, Integer.parseInt(f[3]), f[4], Integer.parseInt(f[5]), HEX.parseHex(f[6]),
                    HEX.parseHex(f[7]));
            apply(new Entry(f[1], k, Instant.ofEpochMilli(Long.parseLong(f[8]))), into);
        } catch (RuntimeException e) {
            if (malformed++ == 0) {
                LOG.warn("key store {}: line {} is not a key line; skipped (further ones counted silently)", file, lines);
            }
        }
    }

    private static void apply(Entry e, Map<String, Map<KeyType, Entry>> into) {
        into.compute(e.owner() + ':' + e.id(), (k, old) -> {
            Map<KeyType, Entry> m = old == null ? new EnumMap<>(KeyType.class) : new EnumMap<>(old);
            m.put(e.key().type(), e);
            return Collections.unmodifiableMap(m);
        });
    }

    private static String line(Entry e) {
        LmkKey k = e.key();
        return String.join(" ", e.owner(), e.id(), k.type().name(), Integer.toString(k.bits()), k.scheme(),
                Integer.toString(k.variant()), HEX.formatHex(k.underLmk()), k.kcv(),
                Long.toString(e.storedAt().toEpochMilli())) + "\n";
    }

    /** Rewrites the file with the latest line per owner and type only; replaces it whole. */
    private void compact() throws IOException {
        OwnerOnly.Held held = OwnerOnly.lock(lockFile);
        try {
            reload(); // lines another writer appended before the lock
            Path tmp = file.resolveSibling(FILE + ".compact");
            Files.deleteIfExists(tmp);
            OwnerOnly.newFile(tmp);
            StringBuilder sb = new StringBuilder("# acquirer-switch key store: keys under the LMK, never in clear\n");
            keys.values().forEach(m -> m.values().forEach(e -> sb.append(line(e))));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("key store {} compacted from {} lines to {}", file, lines, size());
            fileKey = null;
            reload();
        } finally {
            held.close();
        }
    }
}
