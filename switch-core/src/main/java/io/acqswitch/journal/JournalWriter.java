package io.acqswitch.journal;

import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies record changes to the journal database on its own thread, in batches.
 *
 * <p>{@link #offer} (the processor thread, through {@link JournalingStore}) never blocks: a change
 * goes into a bounded queue, or when the queue is full its RRN goes into a "dirty" set and the
 * writer later re-reads that record from the store (so the latest state is never lost; the
 * intermediate steps of an overflowed record may be merged into one event). If the dirty set
 * itself fills, the writer rescans the whole store. At start, and again whenever writes succeed
 * after failing, it rescans the store too, writing only records the journal does not have at their
 * current {@code seq}: what a crash or an outage left unwritten, or what a failing database lost
 * after acknowledging it, is written then.
 *
 * <p>Every value is fitted to its column first ({@link JournalValues}: lengths, NULs and control
 * characters, masking, timestamps), so an odd transaction does not fail a batch. A failed batch is
 * rolled back and retried with doubling backoff ({@code retryMin} … {@code retryMax}); meanwhile
 * changes queue up and overflow into the dirty set. Meters (on the node's registry):
 * {@code switch_journal_queue_depth}, {@code switch_journal_dirty_records},
 * {@code switch_journal_oldest_pending_seconds}, {@code switch_journal_overflows_total},
 * {@code switch_journal_batch_failures_total}, {@code switch_journal_changes_written_total},
 * {@code switch_journal_decode_errors_total}, {@code switch_journal_up},
 * {@code switch_journal_values_normalised_total{reason}}.
 */
public final class JournalWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final long FAILURE_LOG_EVERY_MS = 30_000;

    private record Pending(String rrn, byte[] bytes, long offeredAt) {}

    private final JournalDb db;
    private final TransactionStore store;
    private final ArrayBlockingQueue<Pending> queue;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final int maxDirty;
    private final AtomicBoolean rescanRequested = new AtomicBoolean(true);
    private final int batchSize;
    private final long retryMinMs;
    private final long retryMaxMs;
    private final LongSupplier clock;
    private final Counter overflows;
    private final Counter batchFailures;
    private final Counter changesWritten;
    private final Counter decodeErrors;
    private final Map<JournalValues.Fix, Counter> normalised = new EnumMap<>(JournalValues.Fix.class);
    private final AtomicLong written = new AtomicLong();
    /** Writer iterations that found nothing to do: lets {@link #awaitCaughtUp} see past an item in hand. */
    private final AtomicLong idleRounds = new AtomicLong();
    private final Thread thread;

    private volatile boolean running;
    private volatile long stopBy = Long.MAX_VALUE;
    private volatile long batchSince;
    private volatile long dirtySince;
    private volatile boolean up;
    private volatile int pendingInBatch;
    private volatile int rescanLeft;
    private Iterator<String> rescan;
    private Connection conn;
    private boolean preferBacklog;

    /**
     * @param store the undecorated store: the writer only reads it (Chronicle Map is safe to read
     *              from another thread), to re-read dirty records and to rescan
     */
    public JournalWriter(JournalDb db, TransactionStore store, int queueCapacity, int batchSize, Duration retryMin,
            Duration retryMax, MeterRegistry registry, LongSupplier clock) {
        this.db = db;
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxDirty = Math.max(1024, queueCapacity);
        this.batchSize = batchSize;
        this.retryMinMs = retryMin.toMillis();
        this.retryMaxMs = retryMax.toMillis();
        this.clock = clock;
        overflows = Counter.builder("switch_journal_overflows")
                .description("Changes that found the journal queue full (their records are re-read from the store)")
                .register(registry);
        batchFailures = Counter.builder("switch_journal_batch_failures")
                .description("Journal batches that failed and were retried (database slow or down)").register(registry);
        changesWritten = Counter.builder("switch_journal_changes_written")
                .description("Record changes written to the journal").register(registry);
        decodeErrors = Counter.builder("switch_journal_decode_errors")
                .description("Store records the journal could not decode (skipped; a bug)").register(registry);
        for (JournalValues.Fix f : JournalValues.Fix.values()) {
            normalised.put(f, Counter.builder("switch_journal_values_normalised")
                    .description("Values fitted to their journal column in rows written: cut, bad characters replaced,"
                            + " a PAN masked again, an impossible time dropped")
                    .tag("reason", f.tag()).register(registry));
        }
        Gauge.builder("switch_journal_queue_depth", queue, ArrayBlockingQueue::size)
                .description("Changes waiting for the journal writer").register(registry);
        Gauge.builder("switch_journal_dirty_records", dirty, Set::size)
                .description("Records to re-read from the store after a queue overflow").register(registry);
        Gauge.builder("switch_journal_oldest_pending_seconds", this, JournalWriter::oldestPendingSeconds)
                .description("Age of the oldest change not yet in the journal (0 when caught up)").register(registry);
        Gauge.builder("switch_journal_up", this, w -> w.up ? 1 : 0)
                .description("1 when the last journal write succeeded").register(registry);
        thread = new Thread(this::run, "journal-writer");
        thread.setDaemon(true);
    }

    /** Starts the writer thread: it connects (retrying), migrates the schema, rescans the store, then writes. */
    public JournalWriter start() {
        running = true;
        thread.start();
        return this;
    }

    /**
     * Hands one change to the writer; any thread, never blocks, allocates one small holder.
     *
     * @return {@code false} when the queue was full (the record is re-read from the store later)
     */
    public boolean offer(String rrn, byte[] record) {
        if (queue.offer(new Pending(rrn, record, clock.getAsLong()))) {
            return true;
        }
        overflows.increment();
        if (dirty.size() < maxDirty) {
            if (dirty.isEmpty()) {
                dirtySince = clock.getAsLong();
            }
            dirty.add(rrn);
        } else {
            rescanRequested.set(true);
        }
        return false;
    }

    /** Changes accepted but not yet confirmed written (queue, dirty set, batch in flight, rescan left). */
    public long backlog() {
        return queue.size() + dirty.size() + pendingInBatch + rescanLeft + (rescanRequested.get() ? 1 : 0);
    }

    /** Record changes confirmed written since start. */
    public long written() {
        return written.get();
    }

    /** The last write (or the schema check at start) succeeded. */
    public boolean isUp() {
        return up;
    }

    public JournalDb db() {
        return db;
    }

    /**
     * Waits until everything offered so far is written: the backlog is empty, the database is up,
     * and the writer has since gone twice round its loop finding nothing (so no change it had
     * already taken is still unwritten). {@code false} if {@code limit} passed first.
     */
    public boolean awaitCaughtUp(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            while (backlog() > 0 || !up) {
                if (System.nanoTime() > end) {
                    return false;
                }
                Thread.sleep(10);
            }
            long rounds = idleRounds.get();
            while (idleRounds.get() < rounds + 2 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            if (backlog() == 0 && up && idleRounds.get() >= rounds + 2) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
        }
    }

    private double oldestPendingSeconds() {
        long now = clock.getAsLong();
        long oldest = Long.MAX_VALUE;
        Pending head = queue.peek();
        if (head != null) {
            oldest = head.offeredAt();
        }
        if (pendingInBatch > 0 && batchSince > 0) {
            oldest = Math.min(oldest, batchSince);
        }
        if (!dirty.isEmpty() && dirtySince > 0) {
            oldest = Math.min(oldest, dirtySince);
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, now - oldest) / 1000.0;
    }

    private void run() {
        List<JournalDb.Change> batch = new ArrayList<>(batchSize);
        long backoff = retryMinMs;
        long failingSince = 0;
        long lastFailureLog = 0;
        long failures = 0;
        while (true) {
            if (!running && ((backlog() == 0 && batch.isEmpty()) || System.currentTimeMillis() > stopBy)) {
                break;
            }
            try {
                connect();
                if (batch.isEmpty()) {
                    fill(batch);
                    pendingInBatch = batch.size();
                    batchSince = batch.isEmpty() ? 0 : batch.stream().mapToLong(JournalDb.Change::observedAt).min().orElse(0);
                }
                if (batch.isEmpty()) {
                    idleRounds.incrementAndGet();
                    continue;
                }
                JournalValues.Tally tally = new JournalValues.Tally();
                db.write(conn, batch, clock.getAsLong(), tally);
                written.addAndGet(batch.size());
                changesWritten.increment(batch.size());
                for (JournalValues.Fix f : JournalValues.Fix.values()) { // counted once committed: a retry fixes again
                    if (tally.count(f) > 0) {
                        normalised.get(f).increment(tally.count(f));
                    }
                }
                batch.clear();
                pendingInBatch = 0;
                batchSince = 0;
                backoff = retryMinMs;
                if (failingSince != 0) {
                    // a database that failed may have lost writes it had already acknowledged (H2
                    // stores commits in the background: a full disk loses them when it closes)
                    rescanRequested.set(true);
                    LOG.info("journal writes succeed again after {} failed batches ({} s); re-checking the store's"
                            + " records against the journal", failures, (System.currentTimeMillis() - failingSince) / 1000);
                    failingSince = 0;
                    failures = 0;
                }
                up = true;
            } catch (SQLException | RuntimeException e) {
                up = false;
                batchFailures.increment();
                failures++;
                closeConnection();
                long now = System.currentTimeMillis();
                if (failingSince == 0 || now - lastFailureLog > FAILURE_LOG_EVERY_MS) {
                    LOG.warn("journal write failed ({} so far; backlog {}, retrying in {} ms): {}", failures, backlog(),
                            backoff, e.toString());
                    lastFailureLog = now;
                }
                if (failingSince == 0) {
                    failingSince = now;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(retryMaxMs, backoff * 2);
            }
        }
        closeConnection();
    }

    private void connect() throws SQLException {
        if (conn != null) {
            return;
        }
        Connection c = db.connect();
        try {
            db.migrate(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        conn = c;
        up = true;
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                LOG.debug("closing the journal connection", e);
            }
            conn = null;
        }
    }

    /**
     * Fills {@code batch}: queued changes first, then dirty records and rescan chunks (alternating
     * which comes first, so a busy queue cannot starve a rescan). Waits up to 50 ms when idle.
     */
    private void fill(List<JournalDb.Change> batch) throws SQLException {
        preferBacklog = !preferBacklog;
        if (preferBacklog) {
            fillBacklog(batch);
        }
        drainQueue(batch);
        if (!preferBacklog) {
            fillBacklog(batch);
        }
        if (batch.isEmpty()) {
            try {
                Pending p = queue.poll(50, TimeUnit.MILLISECONDS);
                if (p != null) {
                    add(batch, p.rrn(), p.bytes(), p.offeredAt());
                    drainQueue(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void drainQueue(List<JournalDb.Change> batch) {
        Pending p;
        while (batch.size() < batchSize && (p = queue.poll()) != null) {
            add(batch, p.rrn(), p.bytes(), p.offeredAt());
        }
    }

    private void fillBacklog(List<JournalDb.Change> batch) throws SQLException {
        long now = clock.getAsLong();
        Iterator<String> it = dirty.iterator();
        while (batch.size() < batchSize && it.hasNext()) {
            String rrn = it.next();
            it.remove();
            byte[] bytes = store.get(rrn);
            if (bytes != null) {
                add(batch, rrn, bytes, now);
            }
        }
        if (dirty.isEmpty()) {
            dirtySince = 0;
        }
        if (rescan == null && rescanRequested.getAndSet(false)) {
            List<String> all = new ArrayList<>();
            store.forEach((rrn, bytes) -> all.add(rrn)); // collect keys only: no database work under the store's locks
            rescan = all.iterator();
            rescanLeft = all.size();
            LOG.info("journal: checking {} store records against the journal", all.size());
        }
        if (rescan != null && batch.size() < batchSize) {
            List<JournalDb.Change> chunk = new ArrayList<>();
            while (chunk.size() < batchSize - batch.size() && rescan.hasNext()) {
                String rrn = rescan.next();
                rescanLeft--;
                byte[] bytes = store.get(rrn);
                if (bytes != null) {
                    add(chunk, rrn, bytes, now);
                }
            }
            if (!rescan.hasNext()) {
                rescan = null;
                rescanLeft = 0;
            }
            Map<String, Long> have = db.seqs(conn, chunk.stream().map(ch -> ch.record().rrn).toList());
            for (JournalDb.Change ch : chunk) {
                Long seq = have.get(ch.record().rrn);
                if (seq == null || seq < ch.seq()) {
                    batch.add(ch);
                }
            }
        }
    }

    private void add(List<JournalDb.Change> batch, String rrn, byte[] bytes, long at) {
        try {
            TxnRecord r = RecordCodec.decode(bytes);
            if (r.rrn == null || r.rrn.isEmpty()) {
                r.rrn = rrn;
            }
            batch.add(new JournalDb.Change(r, at));
        } catch (RuntimeException e) {
            decodeErrors.increment();
            LOG.error("journal: cannot decode the store record of rrn {} (skipped): {}", rrn, e.toString());
        }
    }

    /**
     * Stops the writer: it keeps writing until its backlog is empty or {@code drain} has passed
     * (what is left is written from the store at the next start), then closes its connection.
     */
    public void close(Duration drain) {
        stopBy = System.currentTimeMillis() + drain.toMillis();
        running = false;
        try {
            thread.join(drain.toMillis() + 1000);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(2000);
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
        long left = backlog();
        if (left > 0) {
            LOG.warn("journal stopped with {} changes unwritten: they are written from the store at the next start", left);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
