package io.acqswitch.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of one Kafka partition of the state topic: an idempotent, transactional producer
 * ({@code transactional.id = <topic>-<partition>}, {@code acks=all}) on a thread of its own. The
 * constructor calls {@code initTransactions()}, which fences every earlier producer of the
 * partition (a zombie owner's next commit fails). Its thread puts every change waiting into one
 * Kafka transaction (group commit), then completes their acknowledgements in order.
 *
 * <p>A commit that fails for a passing reason is aborted and the same changes sent again (each is
 * a whole value, so a repeat is harmless); a fenced producer fails every acknowledgement, now and
 * later: the partition is lost to this node. {@link #submit}: any one thread at a time (the ring's).
 */
final class PartitionWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);

    /** Changes of one ring batch for this partition, and who waits for them. */
    private record Piece(List<Change> changes, CompletableFuture<Void> acked) {}

    private final String topic;
    private final int partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final LinkedBlockingQueue<Piece> queue = new LinkedBlockingQueue<>();
    private final AtomicLong lag;
    private final Runnable onCommit;
    private final Runnable onFailure;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable lost;
    /** The acknowledgement of the last piece submitted: waiting for it waits for every earlier one. */
    private volatile CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    /**
     * Connects and fences the partition's earlier producers.
     *
     * @param lag       changes submitted and not yet committed, shared by the writers (a gauge)
     * @param onCommit  called on the writer's thread after each committed transaction
     * @param onFailure called on the writer's thread after each failed one
     * @throws KafkaException when Kafka does not answer within {@code maxBlock} or refuses the id
     */
    PartitionWriter(String bootstrap, String topic, int partition, Duration maxBlock, AtomicLong lag,
                    Runnable onCommit, Runnable onFailure) {
        this.topic = topic;
        this.partition = partition;
        this.lag = lag;
        this.onCommit = onCommit;
        this.onFailure = onFailure;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-" + partition);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "acqswitch-" + topic + "-" + partition);
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        thread = new Thread(this::run, "replication-" + partition);
        thread.setDaemon(true);
        thread.start();
    }

    int partition() {
        return partition;
    }

    /** Queues one batch's changes of this partition; the future completes once Kafka has them committed. */
    CompletableFuture<Void> submit(List<Change> changes) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        if (lost != null) {
            acked.completeExceptionally(lost);
        } else {
            lag.addAndGet(changes.size());
            queue.add(new Piece(changes, acked));
        }
        last = acked;
        return acked;
    }

    /** The acknowledgement of everything submitted so far. */
    CompletableFuture<Void> last() {
        return last;
    }

    /** True once the producer is fenced (or failed for good): this node no longer writes the partition. */
    boolean isLost() {
        return lost != null;
    }

    private void run() {
        List<Piece> work = new ArrayList<>();
        while (running) {
            try {
                Piece first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                work.add(first);
                queue.drainTo(work);
                commit(work);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                work.clear();
            }
        }
    }

    /** One Kafka transaction for every piece waiting; retried until committed or fenced. */
    private void commit(List<Piece> work) throws InterruptedException {
        int count = 0;
        for (Piece piece : work) {
            count += piece.changes().size();
        }
        long backoff = 50;
        while (running && lost == null) {
            try {
                producer.beginTransaction();
                for (Piece piece : work) {
                    for (Change c : piece.changes()) {
                        producer.send(new ProducerRecord<>(topic, partition, c.key(), c.value()));
                    }
                }
                producer.commitTransaction();
                lag.addAndGet(-count);
                onCommit.run();
                for (Piece piece : work) {
                    piece.acked().complete(null);
                }
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException | TransactionalIdAuthorizationException e) {
                lose(e, work, count);
                return;
            } catch (KafkaException e) {
                onFailure.run();
                LOG.warn("replication of partition {}: commit failed ({}), sending again", partition, e.toString());
                try {
                    producer.abortTransaction();
                } catch (KafkaException fatal) {
                    lose(fatal, work, count);
                    return;
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 2000);
            }
        }
    }

    private void lose(Throwable why, List<Piece> work, int count) {
        lost = why;
        onFailure.run();
        LOG.error("replication of partition {}: this node may no longer write it ({}); it serves nothing more of it",
                partition, why.toString());
        lag.addAndGet(-count);
        for (Piece piece : work) {
            piece.acked().completeExceptionally(why);
        }
        List<Piece> rest = new ArrayList<>();
        queue.drainTo(rest);
        for (Piece piece : rest) {
            lag.addAndGet(-piece.changes().size());
            piece.acked().completeExceptionally(why);
        }
    }

    /** Stops the thread (changes not yet committed stay uncommitted) and closes the producer. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
