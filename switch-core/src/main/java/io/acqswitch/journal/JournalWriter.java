package io.acqswitch.journal;

import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.StringCache;
import io.acqswitch.txn.TxnRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies record changes to the journal database on its own thread, in batches.
 *
 * <p>{@link #offer} (the processor thread, through {@link JournalingStore}) never blocks and, while
 * the queue has room, allocates nothing: a change is appended to a bounded {@link ChangeQueue}, or
 * when the queue is full its RRN goes into a "dirty" set and the writer later re-reads that record
 * from the store (so the latest state is never lost; the intermediate steps of an overflowed record
 * may be merged into one event). If the dirty set itself fills, the writer rescans the whole store.
 * At start, and again whenever writes succeed after failing, it rescans the store too, writing only
 * records the journal does not have at their current {@code seq}: what a crash or an outage left
 * unwritten, or what a failing database lost after acknowledging it, is written then.
 *
 * <p>Batches adapt to the backlog and coalesce each record's changes. A batch takes as many changes
 * as wait, at least {@code batchSize} and at most {@code maxBatchSize} (so the further behind the
 * writer is, the bigger and cheaper per change its batches, and it catches up); with fewer than
 * {@code batchSize} queued it waits up to {@code batchWindow} from its first change for more, so
 * that a transaction's changes (a sale's FORWARDED, APPROVED and delivered come milliseconds apart)
 * usually meet in one batch; and the changes of a record still in flight (waiting for its issuer,
 * or an approval for its delivery) are held back up to {@value #HOLD_WINDOWS} batch windows for its
 * next change ({@link #holdBack}). {@link JournalDb#write} then writes each record's row once, at
 * its latest change, with every change appended to the row's history ({@link Steps}), in
 * multi-row statements, in one database transaction: a sale is usually one row insert.
 *
 * <p>Every value is fitted to its column first ({@link JournalValues}: lengths, NULs and control
 * characters, masking, timestamps), so an odd transaction does not fail a batch. A batch that fails
 * all the same is rolled back and its changes are written one by one to find the refused one:
 *
 * <ul>
 *   <li>a change the database refuses for its data (SQLState class 22 or 23, or one that cannot be
 *       bound) is <em>quarantined</em> at once: a row in {@code journal_quarantine} with the reason,
 *       or, when even that fails, a line in {@code quarantineFile}, or at worst only an ERROR line
 *       (the store still holds the record; the next rescan tries it again), and the rest goes on;
 *   <li>a change that fails otherwise while others are written is a suspect: it is tried again
 *       beside newer changes, and quarantined after {@value #QUARANTINE_AFTER} such failures;
 *   <li>when the first change tried fails for another reason than its data, the database is taken
 *       to be down (connection lost, disk full): nothing is quarantined, and the batch is retried
 *       with doubling backoff ({@code retryMin} … {@code retryMax}) while changes queue up and
 *       overflow into the dirty set.
 * </ul>
 *
 * So one bad record is never retried for ever, and an outage never quarantines good ones. Meters
 * (on the node's registry): {@code switch_journal_queue_depth}, {@code switch_journal_dirty_records},
 * {@code switch_journal_rescan_left},
 * {@code switch_journal_oldest_pending_seconds}, {@code switch_journal_overflows_total},
 * {@code switch_journal_batch_failures_total}, {@code switch_journal_changes_written_total},
 * {@code switch_journal_rows_written_total}, {@code switch_journal_batches_written_total},
 * {@code switch_journal_decode_errors_total}, {@code switch_journal_up},
 * {@code switch_journal_quarantined_total{to}}, {@code switch_journal_values_normalised_total{reason}}
 * and the histogram {@code switch_journal_lag_seconds}: the processor's store write of a change to
 * the commit of its row (changes found by a rescan are not timed: when they were made is not known).
 */
public final class JournalWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final long FAILURE_LOG_EVERY_MS = 30_000;
    /** Failures alone (while other changes were written) after which a suspect change is quarantined. */
    static final int QUARANTINE_AFTER = 3;
    /** Changes in a row failing for another reason than their data, none written, that mean the database is down. */
    static final int OUTAGE_AFTER = 2;
    /**
     * A record in flight is held back at most this many batch windows (20 ms as shipped: 200 ms), a
     * sale's time from the issuer request to its delivered answer well beyond the 99th percentile
     * under load; a record that takes longer is written as it is, and again when it changes.
     */
    static final int HOLD_WINDOWS = 10;

    /** Where a refused change went: the {@code to} tag of {@code switch_journal_quarantined_total}. */
    enum Quarantine {
        /** A row in {@code journal_quarantine}. */
        TABLE("table"),
        /** The table refused it too: a line in the quarantine file under dataDir. */
        FILE("file"),
        /** Table and file both failed: only the ERROR log line (and the store) hold it. */
        LOG("log");

        private final String tag;

        Quarantine(String tag) {
            this.tag = tag;
        }
    }

    private final JournalDb db;
    private final TransactionStore store;
    private final Path quarantineFile;
    private final ChangeQueue queue;
    /** RRNs to re-read from the store, each with when its oldest unwritten change overflowed. */
    private final ConcurrentHashMap<String, Long> dirty = new ConcurrentHashMap<>();
    private final int maxDirty;
    private final AtomicBoolean rescanRequested = new AtomicBoolean(true);
    private final int batchSize;
    private final int maxBatchSize;
    private final long batchWindowNanos;
    /** How long the changes of a record in flight may wait for its next change ({@link #holdBack}). */
    private final long holdMs;
    private final long retryMinMs;
    private final long retryMaxMs;
    private final LongSupplier clock;
    private final Counter overflows;
    private final Counter batchFailures;
    private final Counter changesWritten;
    private final Counter rowsWritten;
    private final Counter batchesWritten;
    private final Counter decodeErrors;
    private final Map<Quarantine, Counter> quarantined = new EnumMap<>(Quarantine.class);
    private final Map<JournalValues.Fix, Counter> normalised = new EnumMap<>(JournalValues.Fix.class);
    private final Timer lag;
    /**
     * Of the changes in the batch (writer thread only): failures alone while the database wrote
     * others (towards quarantine), and failures alone of any kind (tried last next time).
     */
    private final Map<String, Integer> strikes = new HashMap<>();
    private final Map<String, Integer> failedAlone = new HashMap<>();
    /**
     * Keys ({@code rrn:seq}, as in {@code journal_quarantine}) of the changes quarantined lately: a
     * batch can hold the same change twice (queued, and found again by a rescan before the
     * quarantine), and the copy is dropped rather than quarantined again. Bounded; writer thread only.
     */
    private final Map<String, Boolean> refused = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 4096;
        }
    };
    private final AtomicLong written = new AtomicLong();
    /** The decoded strings that repeat from change to change (writer thread only). */
    private final StringCache strings = new StringCache();
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
    /** The writer's prepared statements on {@link #conn}. */
    private JournalDb.Statements statements;
    private boolean preferBacklog;
    private long lastSplitLog;

    /**
     * A writer with batches of a fixed size and no batch window: it writes whatever it finds queued,
     * up to {@code batchSize} changes (as the switch's writer did before batches adapted).
     *
     * @see #JournalWriter(JournalDb, TransactionStore, Path, int, int, int, Duration, Duration, Duration,
     *      MeterRegistry, LongSupplier)
     */
    public JournalWriter(JournalDb db, TransactionStore store, Path quarantineFile, int queueCapacity, int batchSize,
            Duration retryMin, Duration retryMax, MeterRegistry registry, LongSupplier clock) {
        this(db, store, quarantineFile, queueCapacity, batchSize, batchSize, Duration.ZERO, retryMin, retryMax, registry,
                clock);
    }

    /**
     * @param store          the undecorated store: the writer only reads it (Chronicle Map is safe to
     *                       read from another thread), to re-read dirty records and to rescan
     * @param quarantineFile where a refused change goes when the quarantine table refuses it too
     *                       (appended, created with its directory when needed; the switch puts it
     *                       under dataDir), or {@code null} for none
     * @param batchSize      changes a batch waits for: with fewer queued, the writer waits up to
     *                       {@code batchWindow} for more before it writes
     * @param maxBatchSize   the most changes in one batch (one database transaction): with a backlog a
     *                       batch takes as many as are waiting, from {@code batchSize} up to this
     * @param batchWindow    how long a batch's first change waits for others (so that the changes
     *                       of one transaction, a few milliseconds apart, are written together, its
     *                       row once); {@link Duration#ZERO} writes at once
     * @param clock          epoch milliseconds; times the lag and stamps the rows
     */
    public JournalWriter(JournalDb db, TransactionStore store, Path quarantineFile, int queueCapacity, int batchSize,
            int maxBatchSize, Duration batchWindow, Duration retryMin, Duration retryMax, MeterRegistry registry,
            LongSupplier clock) {
        if (batchSize < 1 || maxBatchSize < batchSize) {
            throw new IllegalArgumentException("batchSize " + batchSize + ", maxBatchSize " + maxBatchSize);
        }
        this.db = db;
        this.store = store;
        this.quarantineFile = quarantineFile;
        this.queue = new ChangeQueue(queueCapacity);
        this.maxDirty = Math.max(1024, queueCapacity);
        this.batchSize = batchSize;
        this.maxBatchSize = maxBatchSize;
        this.batchWindowNanos = batchWindow.toNanos();
        this.holdMs = HOLD_WINDOWS * batchWindow.toMillis();
        this.retryMinMs = retryMin.toMillis();
        this.retryMaxMs = retryMax.toMillis();
        this.clock = clock;
        overflows = Counter.builder("switch_journal_overflows")
                .description("Changes that found the journal queue full (their records are re-read from the store)")
                .register(registry);
        batchFailures = Counter.builder("switch_journal_batch_failures")
                .description("Journal batches that failed: retried (database slow or down) or written change by change"
                        + " to quarantine the refused one").register(registry);
        changesWritten = Counter.builder("switch_journal_changes_written")
                .description("Record changes written to the journal").register(registry);
        rowsWritten = Counter.builder("switch_journal_rows_written")
                .description("Transaction rows written to the journal: one per record per batch, at its latest change"
                        + " (fewer than the changes when a record's changes were coalesced)").register(registry);
        batchesWritten = Counter.builder("switch_journal_batches_written")
                .description("Journal batches committed (changes written per batch: changes_written / batches_written)")
                .register(registry);
        decodeErrors = Counter.builder("switch_journal_decode_errors")
                .description("Store records the journal could not decode (skipped; a bug)").register(registry);
        for (Quarantine q : Quarantine.values()) {
            quarantined.put(q, Counter.builder("switch_journal_quarantined")
                    .description("Changes the journal database refused (quarantined instead of retried for ever),"
                            + " by where they went: table journal_quarantine, the file under dataDir, or only the log")
                    .tag("to", q.tag).register(registry));
        }
        for (JournalValues.Fix f : JournalValues.Fix.values()) {
            normalised.put(f, Counter.builder("switch_journal_values_normalised")
                    .description("Values fitted to their journal column in rows written: cut, bad characters replaced,"
                            + " a PAN masked again, an impossible time dropped")
                    .tag("reason", f.tag()).register(registry));
        }
        lag = Timer.builder("switch_journal_lag")
                .description("Journal lag: the processor's store write of a change to the commit of its journal row")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        Gauge.builder("switch_journal_queue_depth", queue, ChangeQueue::size)
                .description("Changes waiting for the journal writer").register(registry);
        Gauge.builder("switch_journal_dirty_records", dirty, Map::size)
                .description("Records to re-read from the store after a queue overflow").register(registry);
        Gauge.builder("switch_journal_rescan_left", this, w -> w.rescanLeft + (w.rescanRequested.get() ? 1 : 0))
                .description("Store records still to check against the journal (at start, after an outage); "
                        + "1 while a check waits to begin").register(registry);
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
     * Hands one change to the writer; any thread, never blocks. Allocates nothing while the queue
     * has room: the change is three values appended to {@link ChangeQueue}'s arrays (the record's
     * bytes are the array the caller made for the store, not a copy). On overflow the RRN goes into
     * the dirty set.
     *
     * @return {@code false} when the queue was full (the record is re-read from the store later)
     */
    public boolean offer(String rrn, byte[] record) {
        return offer(rrn, record, null);
    }

    /**
     * As {@link #offer(String, byte[])}, with the terminal's request the record was made from (or
     * null), by reference: the writer turns it, and the answer the record holds, into the masked
     * text of {@code transaction_messages} ({@link MessageText}). A change that overflows loses its
     * request (the store does not hold it), so its messages are not journaled.
     */
    public boolean offer(String rrn, byte[] record, ISOMsg request) {
        long now = clock.getAsLong();
        if (queue.offer(rrn, record, request, now)) {
            return true;
        }
        overflows.increment();
        if (dirty.size() < maxDirty) {
            if (dirty.isEmpty()) {
                dirtySince = now;
            }
            dirty.putIfAbsent(rrn, now);
        } else {
            rescanRequested.set(true);
        }
        return false;
    }

    /**
     * As {@link #offer(String, byte[])} for a change made to the stored bytes where they lie: the
     * writer reads the record from the store when it takes the change (it then holds that moment's
     * state, the same or newer). A record gone from the store by then (retention removes only
     * records long finished) leaves nothing to write for this change.
     */
    public boolean offerStored(String rrn) {
        return offer(rrn, null, null);
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
        oldest = Math.min(oldest, queue.oldestOfferedAt());
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
                // topped up after a failure too: a suspect change is tried beside newer ones, whose
                // success tells a refused change from a database that is down
                fill(batch);
                pendingInBatch = batch.size();
                batchSince = batch.stream().mapToLong(JournalDb.Change::observedAt).min().orElse(0);
                if (batch.isEmpty()) {
                    idleRounds.incrementAndGet();
                    continue;
                }
                List<JournalDb.Change> held = holdBack(batch);
                int suspects;
                try {
                    if (!batch.isEmpty()) {
                        writeBatch(batch);
                    }
                } finally {
                    suspects = batch.size(); // kept after a failed batch's one-by-one pass
                    batch.addAll(held);
                }
                pendingInBatch = batch.size();
                batchSince = batch.stream().mapToLong(JournalDb.Change::observedAt).min().orElse(0);
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
                if (suspects > 0) {
                    Thread.sleep(retryMinMs); // suspects kept: give newer changes time to join them
                } else if (!held.isEmpty() && batch.size() >= batchSize) {
                    queue.await(maxBatchSize, batchWindowNanos); // only held records: no spinning until they are due
                }
            } catch (InterruptedException e) {
                break;
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

    /**
     * Takes out of {@code batch}, and returns, the changes of records still in flight whose latest
     * change is younger than {@link #holdMs}: waiting for the issuer's answer ({@code RECEIVED},
     * {@code FORWARDED}), or an approval for its delivery to the terminal. They stay in the batch
     * for the next round, so that a transaction's changes, some milliseconds apart, meet in one
     * batch and its row is written once (one insert) instead of once per batch they fall into.
     * Nothing is held while the writer stops, or when the batch window is 0.
     */
    private List<JournalDb.Change> holdBack(List<JournalDb.Change> batch) {
        if (holdMs <= 0 || !running) {
            return List.of();
        }
        Map<String, JournalDb.Change> latest = new HashMap<>(batch.size() * 2);
        for (JournalDb.Change ch : batch) {
            latest.merge(ch.record().rrn, ch, (a, b) -> b.seq() >= a.seq() ? b : a);
        }
        long now = clock.getAsLong();
        Set<String> hold = null;
        for (JournalDb.Change ch : latest.values()) {
            if (inFlight(ch.record()) && now - ch.observedAt() < holdMs) {
                if (hold == null) {
                    hold = new HashSet<>();
                }
                hold.add(ch.record().rrn);
            }
        }
        if (hold == null) {
            return List.of();
        }
        Set<String> holding = hold;
        List<JournalDb.Change> held = new ArrayList<>(hold.size() * 2);
        batch.removeIf(ch -> holding.contains(ch.record().rrn) && held.add(ch));
        return held;
    }

    /** Whether {@code r} is about to change again: waiting for its issuer, or an approval for its delivery. */
    static boolean inFlight(TxnRecord r) {
        return switch (r.state) {
            case RECEIVED, FORWARDED -> true;
            case APPROVED -> r.awaitsDelivery() && r.safAttempts == 0;
            default -> false;
        };
    }

    /**
     * Writes {@code batch} in one transaction and empties it. When that fails, writes its changes
     * one by one ({@link #isolate}): what is written or quarantined leaves the batch, suspects stay.
     *
     * @throws SQLException the database looks down: the batch keeps every change not yet written
     */
    private void writeBatch(List<JournalDb.Change> batch) throws SQLException {
        JournalValues.Tally tally = new JournalValues.Tally();
        int rows;
        try {
            rows = db.write(statements, batch, clock.getAsLong(), tally);
        } catch (SQLException | RuntimeException e) {
            long now = System.currentTimeMillis();
            if (now - lastSplitLog > FAILURE_LOG_EVERY_MS) {
                LOG.warn("journal batch of {} changes failed, writing them one by one to find any the database refuses"
                        + " (logged at most every {} s): {}", batch.size(), FAILURE_LOG_EVERY_MS / 1000,
                        JournalValues.ascii(e.toString(), 500));
                lastSplitLog = now;
            }
            boolean allWritten = isolate(batch);
            batchFailures.increment(); // failed as a batch, though each change was written or dealt with alone
            if (allWritten && !(e instanceof RuntimeException) && !JournalValues.isDataError(e)) {
                // the batch failed, yet every change went in alone: the database was failing (H2 on a
                // full disk) and may have lost commits it had acknowledged, as after an outage
                rescanRequested.set(true);
            }
            return;
        }
        committed(batch, rows, tally);
        strikes.clear(); // only kept for changes in the batch
        failedAlone.clear();
        batch.clear();
    }

    /**
     * Writes the changes of a failed batch one by one, each in its own transaction, those that
     * failed alone before last (fresh changes show first whether the database works at all). A
     * change refused for its data ({@link JournalValues#isDataError}, or a runtime exception: it
     * cannot be bound) is quarantined. A change failing otherwise once another was written in this
     * pass (before or after it) gets a strike and stays in the batch; it is quarantined at its
     * {@value #QUARANTINE_AFTER}th. A copy of a change quarantined lately is dropped.
     *
     * @return whether every change was written (none quarantined, dropped or kept)
     * @throws SQLException when {@value #OUTAGE_AFTER} changes failed for another reason than their
     *                      data before any was written, or the pass ends with none written: the
     *                      database is down. The batch keeps what is unwritten; those that failed
     *                      are tried after the others next time, so that bad changes cannot pass
     *                      for an outage for ever once newer changes come
     */
    private boolean isolate(List<JournalDb.Change> batch) throws SQLException {
        List<JournalDb.Change> order = new ArrayList<>(batch);
        order.sort(Comparator.comparingInt(ch -> failedAlone.getOrDefault(key(ch), 0)));
        List<JournalDb.Change> kept = new ArrayList<>();
        Map<JournalDb.Change, SQLException> held = new LinkedHashMap<>(); // failed otherwise, none written yet
        boolean anyWritten = false;
        boolean allWritten = true;
        for (int i = 0; i < order.size(); i++) {
            JournalDb.Change ch = order.get(i);
            if (refused.containsKey(key(ch))) {
                forget(ch);
                allWritten = false;
                continue;
            }
            JournalValues.Tally tally = new JournalValues.Tally();
            try {
                int rows = db.write(statements, List.of(ch), clock.getAsLong(), tally);
                committed(List.of(ch), rows, tally);
                forget(ch);
                anyWritten = true;
                held.forEach((h, why) -> strike(h, why, kept)); // the database works: what failed before is suspect
                held.clear();
            } catch (RuntimeException e) {
                allWritten = false;
                setAside(ch, e);
            } catch (SQLException e) {
                allWritten = false;
                failedAlone.merge(key(ch), 1, Integer::sum);
                if (JournalValues.isDataError(e)) {
                    setAside(ch, e);
                } else if (anyWritten) {
                    strike(ch, e, kept);
                } else {
                    held.put(ch, e);
                    if (held.size() >= OUTAGE_AFTER) {
                        outage(batch, kept, order.subList(i + 1, order.size()), held.keySet());
                        throw e;
                    }
                }
            }
        }
        if (!held.isEmpty()) { // nothing was written: it cannot be told from an outage
            SQLException why = held.values().iterator().next();
            outage(batch, kept, List.of(), held.keySet());
            throw why;
        }
        batch.clear();
        batch.addAll(kept);
        return allWritten;
    }

    /** A change's key in {@code journal_quarantine} and in the writer's strike counts. */
    private static String key(JournalDb.Change ch) {
        return ch.record().rrn + ":" + ch.seq();
    }

    /** A change failed alone while the database wrote others: kept for another try, or quarantined at its last strike. */
    private void strike(JournalDb.Change ch, SQLException why, List<JournalDb.Change> kept) {
        if (refused.containsKey(key(ch))) {
            forget(ch);
        } else if (strikes.merge(key(ch), 1, Integer::sum) >= QUARANTINE_AFTER) {
            setAside(ch, why);
        } else {
            kept.add(ch);
        }
    }

    /** Quarantines {@code ch}, which leaves the batch; a copy of it met later is dropped. */
    private void setAside(JournalDb.Change ch, Throwable why) {
        forget(ch);
        if (refused.put(key(ch), Boolean.TRUE) == null) {
            quarantine(ch, why);
        }
    }

    /** {@code ch} leaves the batch. */
    private void forget(JournalDb.Change ch) {
        strikes.remove(key(ch));
        failedAlone.remove(key(ch));
    }

    /** The batch after an outage: untried changes first, then suspects, then those that just failed. */
    private static void outage(List<JournalDb.Change> batch, List<JournalDb.Change> kept, List<JournalDb.Change> untried,
            Collection<JournalDb.Change> failed) {
        List<JournalDb.Change> next = new ArrayList<>(kept.size() + untried.size() + failed.size());
        next.addAll(untried);
        next.addAll(kept);
        next.addAll(failed);
        batch.clear();
        batch.addAll(next);
    }

    /** Counts what a commit wrote: changes, rows, their lag, the values the normaliser fixed. */
    private void committed(List<JournalDb.Change> changes, int rows, JournalValues.Tally tally) {
        long now = clock.getAsLong();
        for (JournalDb.Change ch : changes) {
            if (ch.changedAt() > 0) {
                lag.record(Math.max(0, now - ch.changedAt()), TimeUnit.MILLISECONDS);
            }
        }
        for (JournalValues.Fix f : JournalValues.Fix.values()) {
            int n = tally.count(f);
            if (n > 0) {
                normalised.get(f).increment(n);
            }
        }
        written.addAndGet(changes.size());
        changesWritten.increment(changes.size());
        rowsWritten.increment(rows);
        batchesWritten.increment();
    }

    /**
     * Sets aside a change the database refused, with why: a row in {@code journal_quarantine},
     * else a line in the quarantine file, else only an ERROR line. Never throws; counted by where
     * it went. The reason is masked (no digit run that could be a PAN) and in ASCII.
     */
    private void quarantine(JournalDb.Change ch, Throwable why) {
        long now = clock.getAsLong();
        String rrn = JournalValues.rrn(ch.record().rrn);
        String reason = JournalValues.reason(why, rrn, JournalDb.QUARANTINE_REASON_WIDTH);
        Throwable tableFailure;
        try {
            db.quarantine(conn, ch, reason, now);
            quarantined.get(Quarantine.TABLE).increment();
            LOG.error("journal: the database refused rrn {} (seq {}); quarantined in journal_quarantine, the journal"
                    + " goes on: {}", JournalValues.ascii(rrn, 64), ch.seq(), reason);
            return;
        } catch (SQLException | RuntimeException e) {
            tableFailure = e;
        }
        String fileFailure = "no quarantine file";
        if (quarantineFile != null) {
            String line = Instant.ofEpochMilli(now) + " rrn=" + JournalValues.ascii(rrn, 64) + " seq=" + ch.seq()
                    + " reason=" + reason + " values=" + JournalValues.ascii(
                            JournalValues.txn(ch, now, new JournalValues.Tally()).toString(),
                            JournalDb.QUARANTINE_VALUES_WIDTH) + "\n";
            try {
                Path dir = quarantineFile.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.writeString(quarantineFile, line, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.DSYNC);
                quarantined.get(Quarantine.FILE).increment();
                LOG.error("journal: the database refused rrn {} (seq {}) and its quarantine table too ({}); quarantined"
                        + " in {}, the journal goes on: {}", JournalValues.ascii(rrn, 64), ch.seq(),
                        JournalValues.reason(tableFailure, rrn, 300), quarantineFile, reason);
                return;
            } catch (IOException | RuntimeException e) {
                fileFailure = e.toString();
            }
        }
        quarantined.get(Quarantine.LOG).increment();
        LOG.error("journal: the database refused rrn {} (seq {}) and it could not be quarantined (table: {}; file: {});"
                + " only the store holds it, the next rescan tries it again; the journal goes on: {}",
                JournalValues.ascii(rrn, 64), ch.seq(), JournalValues.reason(tableFailure, rrn, 300),
                JournalValues.ascii(fileFailure, 300), reason);
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
        statements = new JournalDb.Statements(c);
        up = true;
    }

    private void closeConnection() {
        if (statements != null) {
            statements.close();
            statements = null;
        }
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
     * How many changes the next batch may hold: as many as wait (queue, dirty set, rescan), at least
     * {@code batchSize} and at most {@code maxBatchSize}. A bigger backlog makes bigger batches, whose
     * commits and statements cost less per change and coalesce more of each transaction's changes,
     * so the writer catches up faster the further behind it is; the bound keeps a transaction's
     * size, and a failed batch's one-by-one pass, in check.
     */
    private int limit() {
        long waiting = (long) queue.size() + dirty.size() + rescanLeft;
        return (int) Math.min(maxBatchSize, Math.max(batchSize, waiting));
    }

    /**
     * Tops {@code batch} up to {@link #limit}: queued changes, then dirty records and rescan chunks
     * (alternating which comes first, so a busy queue cannot starve a rescan). Waits up to 50 ms
     * for a first change when idle; then, with fewer than {@code batchSize} changes, up to the batch
     * window from when it took the first, for the rest of their transactions' changes.
     */
    private void fill(List<JournalDb.Change> batch) throws SQLException {
        int limit = limit();
        if (batch.size() >= limit) {
            return;
        }
        preferBacklog = !preferBacklog;
        if (preferBacklog) {
            fillBacklog(batch, limit);
        }
        drainQueue(batch, limit);
        if (!preferBacklog) {
            fillBacklog(batch, limit);
        }
        if (batch.isEmpty()) {
            queue.await(1, TimeUnit.MILLISECONDS.toNanos(50));
            if (Thread.interrupted()) {
                running = false;
            }
            drainQueue(batch, limit);
        }
        if (batch.isEmpty() || batchWindowNanos <= 0) {
            return;
        }
        pendingInBatch = batch.size(); // counted in the backlog while the window is open
        batchSince = batch.stream().mapToLong(JournalDb.Change::observedAt).min().orElse(0);
        long until = System.nanoTime() + batchWindowNanos;
        long left;
        // bounded by the window: each pass waits at most what is left of it
        while (running && batch.size() < batchSize && (left = until - System.nanoTime()) > 0) {
            queue.await(batchSize - batch.size(), left);
            if (Thread.interrupted()) {
                running = false;
            }
            drainQueue(batch, limit);
            pendingInBatch = batch.size();
        }
    }

    private void drainQueue(List<JournalDb.Change> batch, int limit) {
        if (batch.size() < limit) {
            queue.drain((rrn, bytes, request, at) -> take(batch, rrn, bytes, request, at), limit - batch.size());
        }
    }

    /** Adds a queued change to {@code batch}; one without bytes ({@link #offerStored}) is read from the store. */
    private void take(List<JournalDb.Change> batch, String rrn, byte[] bytes, ISOMsg request, long at) {
        byte[] record = bytes != null ? bytes : store.get(rrn);
        if (record != null) {
            add(batch, rrn, record, request, at, at);
        }
    }

    private void fillBacklog(List<JournalDb.Change> batch, int limit) throws SQLException {
        long now = clock.getAsLong();
        Iterator<Map.Entry<String, Long>> it = dirty.entrySet().iterator();
        while (batch.size() < limit && it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            it.remove();
            byte[] bytes = store.get(e.getKey());
            if (bytes != null) {
                add(batch, e.getKey(), bytes, null, now, e.getValue());
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
        if (rescan != null && batch.size() < limit) {
            List<JournalDb.Change> chunk = new ArrayList<>();
            while (chunk.size() < limit - batch.size() && rescan.hasNext()) {
                String rrn = rescan.next();
                rescanLeft--;
                byte[] bytes = store.get(rrn);
                if (bytes != null) {
                    add(chunk, rrn, bytes, null, now, 0); // when it changed is not known: not timed
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

    private void add(List<JournalDb.Change> batch, String rrn, byte[] bytes, ISOMsg request, long at, long changedAt) {
        try {
            TxnRecord r = RecordCodec.decodeJournaled(bytes, strings);
            if (r.rrn == null || r.rrn.isEmpty()) {
                r.rrn = rrn;
            }
            String requestText = null;
            String answerText = null;
            if (request != null) {
                try {
                    answerText = MessageText.answer(bytes, request);
                    requestText = MessageText.request(r, request, answerText != null);
                } catch (RuntimeException e) { // the change is journaled all the same, without its messages
                    decodeErrors.increment();
                    LOG.error("journal: cannot render the messages of rrn {} (left out): {}", rrn, e.toString());
                }
            }
            batch.add(new JournalDb.Change(r, at, changedAt, requestText, answerText));
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
