package io.acqswitch.cluster;

import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.net.Issuers;
import io.acqswitch.store.TransactionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the cluster (docs/cluster.md): the state topic, one {@link PartitionWriter}
 * per owned partition, and the take-over of those partitions. Today a node owns every partition
 * (ownership through a consumer group is not built yet). {@link #start} runs before the processor:
 * it makes sure the topic exists, fences every earlier owner of each partition, and, when the
 * local store is empty (a new node, or a replacement for a lost one), restores the partitions from
 * the topic; the processor's crash recovery then runs over them as after any restart.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final SwitchConfig.Cluster cfg;
    private final Partitioner partitioner;
    private final PartitionWriter[] writers;
    private final AtomicLong lag = new AtomicLong();
    private final Counter commits;
    private final Counter failures;
    private final Counter takeovers;
    private ReplicatingStore store;
    private Replication replication;

    private ClusterNode(SwitchConfig.Cluster cfg, MeterRegistry registry) {
        this.cfg = cfg;
        this.partitioner = new Partitioner(cfg.partitions());
        this.writers = new PartitionWriter[cfg.partitions()];
        commits = Counter.builder("switch_cluster_replication_commits").description("Kafka transactions committed by this node")
                .register(registry);
        failures = Counter.builder("switch_cluster_replication_failures")
                .description("Replication commits that failed, and sync barriers that timed out").register(registry);
        takeovers = Counter.builder("switch_cluster_takeovers").description("Partitions restored from Kafka and recovered by this node")
                .register(registry);
        Gauge.builder("switch_cluster_partitions_owned", this, ClusterNode::partitionsOwned)
                .description("Partitions of the state topic this node serves").register(registry);
        Gauge.builder("switch_cluster_replication_lag", lag, AtomicLong::get)
                .description("Store changes handed to Kafka and not yet committed").register(registry);
    }

    /**
     * Joins the cluster with {@code store} (the local store, not yet wrapped): topic, writers
     * (fencing), restore when the store is empty.
     *
     * @throws StartupException {@code cluster.bootstrap=...: why} when Kafka does not answer or
     *         refuses, {@code cluster.partitions=N: why} when the topic has another partition count
     */
    public static ClusterNode start(SwitchConfig.Cluster cfg, TransactionStore store, MeterRegistry registry)
            throws StartupException {
        ClusterNode node = new ClusterNode(cfg, registry);
        try {
            node.ensureTopic();
            for (int p = 0; p < cfg.partitions(); p++) {
                node.writers[p] = new PartitionWriter(cfg.bootstrap(), cfg.topic(), p, cfg.startTimeout(), node.lag,
                        node.commits::increment, node.failures::increment);
            }
            if (store.records() == 0) {
                List<Integer> all = new ArrayList<>();
                for (int p = 0; p < cfg.partitions(); p++) {
                    all.add(p);
                }
                long applied = Restore.partitions(cfg.bootstrap(), cfg.topic(), all, store, cfg.startTimeout());
                node.takeovers.increment(all.size());
                LOG.info("cluster: took over partitions 0-{} of {}: {} changes restored, {} records", cfg.partitions() - 1,
                        cfg.topic(), applied, store.records());
            } else {
                LOG.info("cluster: {} records in the local store: kept (a restart), partitions 0-{} of {} fenced and owned",
                        store.records(), cfg.partitions() - 1, cfg.topic());
            }
        } catch (KafkaException e) {
            node.close();
            throw new StartupException("cluster.bootstrap=" + cfg.bootstrap() + ": " + e.getMessage(), e);
        } catch (StartupException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** The store the processor writes: every change it makes is kept for replication. */
    public TransactionStore replicating(TransactionStore local) {
        store = new ReplicatingStore(local, partitioner);
        replication = new Replication(store, writers, cfg.replication(), cfg.ackTimeout(), failures::increment);
        return store;
    }

    /** The issuers the processor sends to: their flush passes the replication barrier first. Call after {@link #replicating}. */
    public Issuers gate(Issuers issuers) {
        return new ReplicationGate(issuers, replication);
    }

    /** Partitions this node owns and can still write. */
    public List<Integer> partitions() {
        List<Integer> l = new ArrayList<>();
        for (PartitionWriter w : writers) {
            if (w != null && !w.isLost()) {
                l.add(w.partition());
            }
        }
        return l;
    }

    /** Owned partitions this node may no longer write (fenced). */
    public List<Integer> lost() {
        List<Integer> l = new ArrayList<>();
        for (PartitionWriter w : writers) {
            if (w != null && w.isLost()) {
                l.add(w.partition());
            }
        }
        return l;
    }

    private double partitionsOwned() {
        return partitions().size();
    }

    /** The {@code cluster} field of {@code /health}. */
    public Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("nodeId", cfg.nodeId());
        h.put("replication", cfg.replication().configName());
        h.put("partitions", partitions());
        h.put("fenced", lost());
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
            TopicDescription d = admin.describeTopics(List.of(cfg.topic())).allTopicNames()
                    .get(cfg.startTimeout().toMillis(), TimeUnit.MILLISECONDS).get(cfg.topic());
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

    @Override
    public void close() {
        for (PartitionWriter w : writers) {
            if (w != null) {
                w.close();
            }
        }
    }
}
