package io.acqswitch.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node owns which partition, as every node learns it from Kafka (docs/cluster.md, "Requests
 * at the wrong node"): the owners' group itself. Each node joins it with its peer address in its
 * {@code client.id} ({@link #clientId}); a thread of its own ({@code cluster-peers}) describes the
 * group (Admin {@code describeConsumerGroups}) every {@link #REFRESH} and keeps, per partition, the address of the member it is assigned
 * to. The view may be stale for that long: the node it names re-checks ownership and answers 91
 * when it no longer owns the partition. Any thread reads it.
 */
final class Owners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Owners.class);
    /** How often the group is described. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    private static final String PREFIX = "acqswitch-owner-";

    private final String bootstrap;
    private final String group;
    private final String topic;
    private final AtomicReferenceArray<String> byPartition;
    private Admin admin;
    private ScheduledExecutorService refresher;

    Owners(String bootstrap, String group, String topic, int partitions) {
        this.bootstrap = bootstrap;
        this.group = group;
        this.topic = topic;
        this.byPartition = new AtomicReferenceArray<>(partitions);
    }

    /** A node's {@code client.id} in the owners' group: its id and, when it accepts forwarded requests, its peer address. */
    static String clientId(int nodeId, String peerAddress) {
        return PREFIX + nodeId + (peerAddress != null ? "@" + peerAddress : "");
    }

    /** The peer address in a member's {@code client.id}, or null (none, or not a switch node). */
    static String peerAddress(String clientId) {
        int at = clientId.indexOf('@');
        return clientId.startsWith(PREFIX) && at > 0 ? clientId.substring(at + 1) : null;
    }

    void start() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REFRESH.toMillis() * 3);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REFRESH.toMillis() * 5);
        admin = Admin.create(p);
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-peers");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        String[] next = new String[byPartition.length()];
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(REFRESH.toMillis() * 5, TimeUnit.MILLISECONDS);
            if (d.groupState() != GroupState.STABLE) {
                return; // a rebalance in progress: keep the last view (a stale owner answers 91) until it settles
            }
            for (MemberDescription m : d.members()) {
                String address = peerAddress(m.clientId());
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic) && tp.partition() < next.length) {
                        next[tp.partition()] = address;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.debug("cluster: describing group {} failed ({}); forwarding waits for the next try", group, e.toString());
            return; // keep the last view: a stale owner answers 91
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
            return;
        }
        for (int i = 0; i < next.length; i++) {
            byPartition.set(i, next[i]);
        }
    }

    /** The peer address of the node the group assigns {@code partition} to, or null (none, or it accepts no forwarded requests). */
    String of(int partition) {
        return byPartition.get(partition);
    }

    /** Peer address → the partitions it owns, as last described ({@code /health}). */
    Map<String, List<Integer>> peers() {
        Map<String, List<Integer>> m = new TreeMap<>();
        for (int p = 0; p < byPartition.length(); p++) {
            String a = byPartition.get(p);
            if (a != null) {
                m.computeIfAbsent(a, k -> new ArrayList<>()).add(p);
            }
        }
        return m;
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
            try {
                refresher.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            admin.close(Duration.ofSeconds(5));
        }
    }
}
