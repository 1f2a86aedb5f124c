package io.acqswitch.cluster;

import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.net.Issuers;
import io.acqswitch.net.PeerLinks;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.Ownership;
import io.acqswitch.txn.TransactionProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the cluster (docs/cluster.md): the state topic, its membership in the
 * consumer group {@code <topic>-owners} (the partitions the group assigns it are the ones it
 * owns), one {@link PartitionWriter} per owned partition, and the take-over and hand-over of
 * partitions as the group moves them.
 *
 * <p>{@link #start} (start-up thread, before the processor) joins the group and takes over its
 * first assignment directly: fence, restore. The processor's crash recovery then runs over the
 * owned partitions only. {@link #serve} hands the group to a thread of its own
 * ({@code cluster-ownership}), where every later rebalance is handled: a partition assigned is
 * fenced and read from the topic there, then cleared, restored and recovered on the processor's
 * thread (a ring task), and only then served; a partition revoked stops being served on the
 * processor's thread (its requests in flight answered 91, its reversals left to the new owner),
 * then its writer is closed. The group consumer reads nothing: its partitions stay paused.
 *
 * <p>Requests of the partitions other nodes own are forwarded to them ({@link OwnedPartitions},
 * through the links the node is given in {@link #serve}); which node owns which partition is read
 * from the same group's description ({@link Owners}), where every member's {@code client.id}
 * carries its peer address.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** How long the ownership thread waits for a take-over or hand-over on the processor's thread. */
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);
    /** The group's session: a node silent this long loses its partitions to the others. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A node alive but not polling the group this long (a stuck ownership thread, a paused process)
     * is put out of it, and its partitions go to the others (who fence it). Longer than a take-over
     * should take: a rebalance waits this long at most for a member that does not poll.
     */
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(45);
    /**
     * How long a request forwarded to its owner waits for the answer before this node answers it 91
     * (the owner answers within its issuer deadline, unless it hangs); a later answer is reported
     * undelivered, so the owner reverses it.
     */
    public static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(60);

    private final SwitchConfig.Cluster cfg;
    private final TransactionStore local;
    private final Partitioner partitioner;
    private final AtomicReferenceArray<PartitionWriter> writers;
    private final OwnedPartitions owned;
    private final Owners owners;
    /** This node's peer address ({@code cluster.peerListen} as bound), or null when it accepts no forwarded requests. */
    private final String peerAddress;
    private final AtomicLong lag = new AtomicLong();
    private final Counter commits;
    private final Counter failures;
    private final Counter takeovers;
    private final Counter handovers;
    private final Counter dropped;
    private ReplicatingStore store;
    private Replication replication;
    private KafkaConsumer<byte[], byte[]> group;
    private boolean assigned;
    /** Set by {@link #serve}: from then on partitions are taken over and given up on the processor's thread. */
    private volatile Ring ring;
    private volatile TransactionProcessor processor;
    /** Set by {@link #serve}: the links to the owners this node forwards to. */
    private volatile PeerLinks links;
    private volatile boolean running;
    /** The ownership thread stopped on an error and left the group: nothing is served or taken over any more. */
    private volatile boolean leftOnError;
    private Thread thread;

    private ClusterNode(SwitchConfig.Cluster cfg, String peerAddress, TransactionStore local, MeterRegistry registry) {
        this.cfg = cfg;
        this.peerAddress = peerAddress;
        this.owners = new Owners(cfg.bootstrap(), cfg.topic() + "-owners", cfg.topic(), cfg.partitions());
        this.local = local;
        this.partitioner = new Partitioner(cfg.partitions());
        this.writers = new AtomicReferenceArray<>(cfg.partitions());
        this.owned = new OwnedPartitions(partitioner);
        commits = Counter.builder("switch_cluster_replication_commits").description("Kafka transactions committed by this node")
                .register(registry);
        failures = Counter.builder("switch_cluster_replication_failures")
                .description("Replication commits that failed, and sync barriers that timed out").register(registry);
        takeovers = Counter.builder("switch_cluster_takeovers").description("Partitions restored from Kafka and recovered by this node")
                .register(registry);
        handovers = Counter.builder("switch_cluster_handovers").description("Partitions this node gave up (revoked or lost)")
                .register(registry);
        dropped = Counter.builder("switch_cluster_unowned_changes")
                .description("Store changes of partitions this node does not serve: kept local, not replicated").register(registry);
        Gauge.builder("switch_cluster_partitions_owned", this, ClusterNode::partitionsOwned)
                .description("Partitions of the state topic this node serves").register(registry);
        Gauge.builder("switch_cluster_replication_lag", lag, AtomicLong::get)
                .description("Store changes handed to Kafka and not yet committed").register(registry);
    }

    /**
     * Joins the cluster with {@code store} (the local store, not yet wrapped): topic, group
     * membership, and for the partitions first assigned: writers (fencing), then their records in
     * the store replaced by the topic's.
     *
     * @param peerAddress where the other nodes forward this node's partitions' requests ({@code
     *                    cluster.peerListen} as bound; in the group member's {@code client.id}), or null
     *
     * @throws StartupException {@code cluster.bootstrap=...: why} when Kafka does not answer or
     *         refuses, {@code cluster.partitions=N: why} when the topic has another partition count
     */
    public static ClusterNode start(SwitchConfig.Cluster cfg, String peerAddress, TransactionStore store, MeterRegistry registry)
            throws StartupException {
        ClusterNode node = new ClusterNode(cfg, peerAddress, store, registry);
        try {
            node.ensureTopic();
            node.join();
        } catch (KafkaException e) {
            node.close();
            throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": " + e.getMessage(), e);
        } catch (StartupException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Subscribes to the group and polls until its first assignment is taken over (on this thread). */
    private void join() throws StartupException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.topic() + "-owners");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, Owners.clientId(cfg.nodeId(), peerAddress)); // how the others find this node
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis() / 4);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) MAX_POLL_INTERVAL.toMillis());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) cfg.startTimeout().toMillis());
        group = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        group.subscribe(List.of(cfg.topic()), new Rebalance());
        Duration limit = MAX_POLL_INTERVAL.plus(cfg.startTimeout()); // a member that stopped polling holds the rebalance up
        long deadline = System.nanoTime() + limit.toNanos();
        while (!assigned) {
            if (System.nanoTime() > deadline) {
                throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": no partition assignment from group "
                        + cfg.topic() + "-owners within " + limit.toSeconds() + "s");
            }
            group.poll(Duration.ofMillis(200));
        }
    }

    /**
     * From now on the group is polled on a thread of its own, and partitions come and go on the
     * processor's thread through {@code ring}, and requests of other nodes' partitions are forwarded
     * to their owners through {@code links}. Call once the ring runs and recovery is done.
     */
    public void serve(Ring ring, TransactionProcessor processor, PeerLinks links) {
        this.ring = ring;
        this.processor = processor;
        this.links = links;
        owners.start();
        owned.forwardTo(owners, links, peerAddress);
        running = true;
        thread = new Thread(this::run, "cluster-ownership");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                group.poll(Duration.ofMillis(200));
            }
        } catch (WakeupException e) {
            // leave(): closing
        } catch (KafkaException e) {
            // e.g. a take-over that could not fence or read its partition: leaving lets another node take it
            leftOnError = true;
            LOG.error("cluster: the group consumer failed ({}); this node leaves the group and serves nothing more", e.toString());
        } finally {
            try {
                group.close(CloseOptions.timeout(Duration.ofSeconds(10))); // leaves the group: its partitions are given up here first
            } catch (KafkaException e) {
                LOG.error("cluster: leaving the group failed ({})", e.toString());
            }
        }
    }

    /**
     * Leaves the group, giving up every partition on the processor's thread (call while the ring
     * still runs): the other nodes take them over at once instead of after the session timeout.
     */
    public void leave() {
        if (thread == null) {
            return;
        }
        running = false;
        group.wakeup();
        try {
            thread.join(TASK_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    /** Rebalance callbacks: inside {@code poll}, on the start-up thread, then on the ownership thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            group.pause(partitions); // the assignment is all the node takes from the group
            assigned = true;
            if (!partitions.isEmpty()) {
                takeOver(numbers(partitions));
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                giveUp(numbers(partitions), true);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                giveUp(numbers(partitions), false);
            }
        }
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> s = new TreeSet<>();
        partitions.forEach(tp -> s.add(tp.partition()));
        return s;
    }

    /** Fence, read, then (on the processor's thread once serving) clear, restore, recover, serve. */
    private void takeOver(Set<Integer> partitions) {
        for (int p : partitions) {
            writers.set(p, new PartitionWriter(cfg.bootstrap(), cfg.topic(), p, cfg.startTimeout(), lag,
                    commits::increment, failures::increment));
        }
        List<Change> changes = Restore.read(cfg.bootstrap(), cfg.topic(), partitions, cfg.startTimeout());
        Runnable restore = () -> {
            int stale = Restore.clear(local, partitioner, partitions::contains);
            Restore.apply(local, changes);
            partitions.forEach(p -> owned.serve(p, true));
            LOG.info("cluster: took over partitions {} of {}: {} stale local records dropped, {} changes restored",
                    partitions, cfg.topic(), stale, changes.size());
        };
        TransactionProcessor running = processor;
        if (running == null) {
            restore.run(); // start-up: the processor's recovery runs next, over the owned partitions
        } else {
            onProcessor("take-over of " + partitions, () -> {
                restore.run();
                int reversed = running.takeOver(r -> partitions.contains(partitioner.ofRecord(r)));
                LOG.info("cluster: partitions {} recovered ({} put into reversal) and served", partitions, reversed);
            });
        }
        takeovers.increment(partitions.size());
    }

    /**
     * Stops serving the partitions (on the processor's thread once serving: what the batch
     * changed so far is replicated first, then their requests in flight are answered 91), then
     * closes their writers, after their last commit when {@code graceful}.
     */
    private void giveUp(Set<Integer> partitions, boolean graceful) {
        TransactionProcessor running = processor;
        if (running == null) {
            partitions.forEach(p -> owned.serve(p, false));
        } else {
            onProcessor("hand-over of " + partitions, () -> {
                try {
                    replication.barrier(); // the batch's changes so far, while this node still writes them
                } catch (ReplicationException e) {
                    LOG.warn("cluster: last changes of partitions {} not acknowledged before the hand-over ({})", partitions,
                            e.getMessage());
                }
                partitions.forEach(p -> owned.serve(p, false));
                running.release(r -> partitions.contains(partitioner.ofRecord(r)));
            });
        }
        for (int p : partitions) {
            PartitionWriter w = writers.getAndSet(p, null);
            if (w == null) {
                continue;
            }
            if (graceful) {
                try {
                    w.last().get(cfg.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("cluster: partition {}: last commit not confirmed before closing its writer ({})", p, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            w.close();
        }
        handovers.increment(partitions.size());
        LOG.info("cluster: gave up partitions {} of {} ({})", partitions, cfg.topic(), graceful ? "revoked" : "lost");
    }

    /** Runs {@code task} on the processor's thread and waits for it (bounded). */
    private void onProcessor(String what, Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ring.publishTask(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
        });
        try {
            done.get(TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("cluster: {} did not complete on the processor ({})", what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The store the processor writes: every change it makes to a partition it serves is kept for replication. */
    public TransactionStore replicating(TransactionStore local) {
        store = new ReplicatingStore(local, partitioner, owned::owns, dropped::increment);
        replication = new Replication(store, writers, cfg.replication(), cfg.ackTimeout(), failures::increment);
        return store;
    }

    /** What the processor asks before it serves a request or recovers a record. */
    public Ownership ownership() {
        return owned;
    }

    /** The issuers the processor sends to: their flush passes the replication barrier first. Call after {@link #replicating}. */
    public Issuers gate(Issuers issuers) {
        return new ReplicationGate(issuers, replication);
    }

    /** Partitions this node serves and can still write; any thread. */
    public List<Integer> partitions() {
        List<Integer> l = new ArrayList<>();
        for (int p : owned.served()) {
            PartitionWriter w = writers.get(p);
            if (w != null && !w.isLost()) {
                l.add(p);
            }
        }
        return l;
    }

    /** Served partitions this node may no longer write (fenced); any thread. */
    public List<Integer> lost() {
        List<Integer> l = new ArrayList<>();
        for (int p : owned.served()) {
            PartitionWriter w = writers.get(p);
            if (w != null && w.isLost()) {
                l.add(p);
            }
        }
        return l;
    }

    private double partitionsOwned() {
        return owned.served().size();
    }

    /** The {@code cluster} field of {@code /health}. */
    public Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("nodeId", cfg.nodeId());
        h.put("replication", cfg.replication().configName());
        h.put("partitions", partitions());
        h.put("fenced", lost());
        Map<String, List<Integer>> peers = owners.peers(); // the other nodes' partitions, by where their requests are forwarded
        if (peerAddress != null) {
            h.put("peerListen", peerAddress);
            peers.remove(peerAddress);
        }
        h.put("peers", peers);
        PeerLinks opened = links;
        if (opened != null) {
            h.put("links", opened.health());
        }
        if (leftOnError) {
            h.put("group", "left");
        }
        return h;
    }

    /** Creates the compacted topic when missing; refuses one with another partition count. */
    private void ensureTopic() throws StartupException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) cfg.startTimeout().toMillis());
        try (Admin admin = Admin.create(p)) {
            try {
                admin.createTopics(List.of(new NewTopic(cfg.topic(), Optional.of(cfg.partitions()), Optional.empty())
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(cfg.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("cluster: created topic {} with {} partitions", cfg.topic(), cfg.partitions());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": cannot create topic " + cfg.topic()
                            + " (" + e.getCause() + ")", e);
                }
            }
            TopicDescription d = describeTopic(admin);
            if (d.partitions().size() != cfg.partitions()) {
                throw new StartupException("cluster.partitions=" + cfg.partitions() + ": topic " + cfg.topic() + " has "
                        + d.partitions().size() + " partitions (a terminal's partition must not move)");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": Kafka did not answer (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": interrupted", e);
        }
    }

    /**
     * The state topic's description. Right after it was created the broker that answers may not know it
     * yet (UnknownTopicOrPartitionException: seen once, under load, failing a node's start): asked again
     * every 100 ms within {@code cluster.startTimeout}.
     */
    private TopicDescription describeTopic(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + cfg.startTimeout().toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(cfg.topic())).allTopicNames()
                        .get(cfg.startTimeout().toMillis(), TimeUnit.MILLISECONDS).get(cfg.topic());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Leaves the group (if {@link #leave} was not called) and closes every writer. */
    @Override
    public void close() {
        leave();
        owners.close();
        if (group != null && processor == null) {
            group.close(CloseOptions.timeout(Duration.ofSeconds(10))); // never served: the start-up thread still has it
        }
        for (int p = 0; p < writers.length(); p++) {
            PartitionWriter w = writers.getAndSet(p, null);
            if (w != null) {
                w.close();
            }
        }
    }
}
