package io.acqswitch;

import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.admin.Health;
import io.acqswitch.admin.OpsApi;
import io.acqswitch.cluster.ClusterNode;
import io.acqswitch.config.StartupException;
import io.acqswitch.console.Console;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.journal.JournalWriter;
import io.acqswitch.journal.JournalingStore;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.IssuerGateway;
import io.acqswitch.net.PeerLinks;
import io.acqswitch.net.PeerServer;
import io.acqswitch.net.TerminalSecurity;
import io.acqswitch.net.TerminalServer;
import io.acqswitch.net.TlsContexts;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.Handoff;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.route.Router;
import io.acqswitch.security.KeyService;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.store.DataDirLock;
import io.acqswitch.store.FillWatch;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.saf.Saf;
import io.acqswitch.net.Issuers;
import io.acqswitch.txn.TransactionProcessor;
import io.acqswitch.txn.TxnClock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * One running switch node: the dataDir's lock (taken before anything else), the store (recovered
 * first), the ring and its processor, the issuer links, the terminal listeners (opened last, once
 * recovery is done) and the HTTP endpoint. {@link #start} binds every socket or fails;
 * {@link #close} stops in reverse order and releases the lock last.
 */
public final class SwitchNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchNode.class);

    private final SwitchConfig cfg;
    private final SwitchMetrics metrics = new SwitchMetrics();
    private final List<TerminalServer> listeners = new ArrayList<>();
    private final List<Companion> companions;
    private final List<Companion> started = new ArrayList<>();
    private DataDirLock dataDirLock;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private TransactionStore store;
    private JournalWriter journal;
    private Router router;
    private IssuerGateway issuers;
    private KeyService keys;
    private TransactionProcessor processor;
    private Ring ring;
    private Handoff handoff;
    private ScheduledExecutorService ticker;
    private AdminHttpServer http;
    /** This node's part in a cluster, or {@code null} without a {@code cluster:} section. */
    private ClusterNode cluster;
    /** In a cluster with {@code cluster.peerListen}: where other nodes forward this node's partitions' requests. */
    private PeerServer peerServer;
    /** In a cluster: the links to the owners of other nodes' partitions. */
    private PeerLinks peerLinks;
    private Console console;
    private boolean closed;

    /**
     * Something started and stopped with the node that the node itself does not know: started after
     * the dataDir's lock and before the issuer links (so a link to it comes up at once), on the node's
     * event loops, and given the node's HTTP endpoint before it opens. The demo issuer stubs of
     * {@code stubs:} are one ({@code cli.DemoStubs}); production packages never import the stubs.
     */
    public interface Companion extends AutoCloseable {
        /** Binds what it serves; on failure it has released what it took. @throws StartupException naming the setting */
        void start(EventLoopGroup boss, EventLoopGroup workers) throws StartupException, InterruptedException;

        /** Adds its routes to the node's HTTP endpoint (called once, before the endpoint starts). */
        void mount(AdminHttpServer http);

        /** Stops it; called once by {@link SwitchNode#close} after the issuer links are closed. */
        @Override
        void close();
    }

    /** A node with nothing but its own components. */
    public SwitchNode(SwitchConfig cfg) {
        this(cfg, List.of());
    }

    /** A node that also starts, shows on its HTTP endpoint and stops {@code companions}, in order. */
    public SwitchNode(SwitchConfig cfg, List<? extends Companion> companions) {
        this.cfg = cfg;
        this.companions = List.copyOf(companions);
    }

    /**
     * Starts every component; on failure closes what was started and rethrows. The dataDir's lock
     * comes first, so a second switch on the same dataDir stops before it touches stubs, store or
     * sockets, and the store's crash recovery can only ever run on files no live process has open.
     *
     * @throws StartupException one line {@code name=value: why}: {@code dataDir=<path>: in use by
     *         process <pid>}, or a socket that cannot be bound ({@code listeners[i].port},
     *         {@code http.port}, {@code stubs[i].port}, or {@code .bind} for an address not of this
     *         host), {@code routesFile} refused, or a {@code tls} file that does not hold what it should
     */
    public SwitchNode start() throws StartupException, IOException, InterruptedException {
        try {
            dataDirLock = DataDirLock.acquire(cfg.dataDir());
            // every TLS context first: a certificate or key that will not load stops start-up before anything listens
            List<SslContext> listenerTls = new ArrayList<>();
            for (int i = 0; i < cfg.listeners().size(); i++) {
                listenerTls.add(TlsContexts.server(cfg.listeners().get(i).tls(), "listeners[" + i + "].tls"));
            }
            List<SslContext> issuerTls = new ArrayList<>();
            for (int i = 0; i < cfg.issuers().size(); i++) {
                issuerTls.add(TlsContexts.client(cfg.issuers().get(i).tls(), "issuers[" + i + "].tls"));
            }
            SslContext httpTls = TlsContexts.server(cfg.http().tls(), "http.tls");
            metrics.bindJvm();
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
            for (Companion c : companions) {
                started.add(c); // closed by close() even when its start fails half way
                c.start(boss, workers);
            }
            // the security module: its LMK is created under dataDir/security on the first start
            keys = KeyService.open(cfg.dataDir());
            store = new ChronicleTransactionStore(cfg.dataDir(), cfg.store().expectedEntries());
            SwitchConfig.Journal jc = cfg.journal();
            if (jc.enabled()) {
                // started before recovery so recovery's own changes are journaled too; never blocks the processor.
                // The quarantine file is where a refused change goes when the database refuses its quarantine row too
                journal = new JournalWriter(new JournalDb(cfg.journalUrl(), jc.user(), jc.password()), store,
                        cfg.dataDir().resolve("journal").resolve("quarantine.log"), jc.queueCapacity(), jc.batchSize(),
                        jc.maxBatchSize(), jc.batchWindow(), jc.retryMin(), jc.retryMax(), metrics.registry(),
                        System::currentTimeMillis).start();
                store = new JournalingStore(store, journal);
            }
            List<IsoCodec> codecs = new ArrayList<>();
            for (SwitchConfig.Listener l : cfg.listeners()) {
                codecs.add(l.packager() != null ? IsoCodec.fromXml(l.dialect(), l.packager()) : IsoCodec.of(l.dialect()));
            }
            if (cfg.cluster() != null) {
                String peerListen = cfg.cluster().peerListen();
                if (peerListen != null) {
                    // bound before the node joins the group: its address goes into its group membership
                    Map<String, IsoCodec> byListener = new LinkedHashMap<>();
                    for (int i = 0; i < codecs.size(); i++) {
                        byListener.put(cfg.listeners().get(i).name(), codecs.get(i));
                    }
                    peerServer = new PeerServer(peerListen, cfg.cluster().nodeId(), byListener, metrics, boss, workers);
                    try {
                        peerServer.start();
                    } catch (IOException e) {
                        int colon = peerListen.lastIndexOf(':');
                        throw StartupException.cannotListen("cluster.peerListen", peerListen.substring(0, colon),
                                Integer.parseInt(peerListen.substring(colon + 1)), e);
                    }
                    LOG.info("cluster: requests forwarded by other nodes accepted on {}", peerServer.advertised());
                }
                // joins the owners' group; fences earlier owners of the partitions assigned and restores them from Kafka:
                // before recovery runs over them
                cluster = ClusterNode.start(cfg.cluster(), peerServer != null ? peerServer.advertised() : null, store,
                        metrics.registry());
                store = cluster.replicating(store);
            }
            router = Router.of(cfg, cfg.routesFile());
            if (cfg.routesFile() != null) {
                if (router.reload() instanceof Router.Reload.Rejected r) {
                    throw new StartupException("routesFile=" + cfg.routesFile() + ": " + String.join("; ", r.problems()));
                }
                router.watch(cfg.routesFile(), Duration.ofSeconds(2));
            }
            issuers = new IssuerGateway(cfg.issuers(), (issuer, msg) -> handoff.issuerResponse(issuer, msg), metrics, workers, keys,
                    issuerTls);
            Issuers gated = cluster != null ? cluster.gate(issuers) : issuers;
            processor = new TransactionProcessor(cfg, store, gated, router::route, metrics, TxnClock.SYSTEM,
                    Saf.factory(cfg, store, gated, metrics, TxnClock.SYSTEM));
            ring = new Ring(cfg.pipeline().ringSize(), cfg.pipeline().waitStrategy(), processor);
            handoff = new Handoff(ring, metrics);
            processor.attach(ring);
            if (cluster != null) {
                processor.ownedBy(cluster.ownership()); // recovery and requests: the owned partitions only
            }
            processor.recover();
            Gauge.builder("switch_ring_remaining_capacity", ring, Ring::remainingCapacity)
                    .description("Free ring slots").register(metrics.registry());
            Gauge.builder("switch_ring_capacity", () -> cfg.pipeline().ringSize())
                    .description("Ring slots in all (pipeline.ringSize)").register(metrics.registry());
            FunctionCounter.builder("switch_processor_errors", ring, Ring::handlerErrors)
                    .description("Exceptions the processor survived (bugs: each is logged)").register(metrics.registry());
            Gauge.builder("switch_store_records", store, TransactionStore::records)
                    .description("Transaction records in the store").register(metrics.registry());
            Gauge.builder("switch_store_capacity_records", store, TransactionStore::capacity)
                    .description("Records the store is sized for").register(metrics.registry());
            Gauge.builder("switch_store_free_records", store, s -> Math.max(0, s.capacity() - s.records()))
                    .description("Records the store can still take before new requests are answered 96")
                    .register(metrics.registry());
            ring.start();
            issuers.start();
            if (cluster != null) {
                peerLinks = new PeerLinks(cfg.cluster().nodeId(), metrics, workers, ClusterNode.FORWARD_TIMEOUT);
                cluster.serve(ring, processor, peerLinks); // later rebalances: take-over and hand-over on the ring
                if (peerServer != null) {
                    peerServer.serve(handoff::terminalRequest); // forwarded requests join the ring like local ones
                }
            }
            long tick = cfg.pipeline().tick().toMillis();
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ticker");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(ring::tryPublishTick, tick, tick, TimeUnit.MILLISECONDS);
            ticker.scheduleWithFixedDelay(new FillWatch(store), 0, 5, TimeUnit.SECONDS);
            for (int i = 0; i < cfg.listeners().size(); i++) {
                SwitchConfig.Listener l = cfg.listeners().get(i);
                try {
                    listeners.add(new TerminalServer(l, codecs.get(i), metrics, handoff::terminalRequest,
                            new TerminalSecurity(keys, cfg.security().testKeys(), metrics), listenerTls.get(i),
                            boss, workers).start());
                } catch (IOException e) {
                    throw StartupException.cannotListen("listeners[" + i + "]", l.bind(), l.port(), e);
                }
                LOG.info("terminal listener {} on {}:{} dialect={}{}", l.name(), l.bind(), listeners.getLast().port(),
                        l.dialect().configName(), l.tls() != null ? " tls clientAuth=" + l.tls().clientAuth().configName() : "");
            }
            try {
                http = new AdminHttpServer(cfg.http(), metrics.registry(), httpTls);
            } catch (IOException e) {
                throw StartupException.cannotListen("http", cfg.http().bind(), cfg.http().port(), e);
            }
            Health health = new Health(new Health.Sources(
                    () -> !listeners.isEmpty() && listeners.stream().allMatch(TerminalServer::isBound),
                    () -> store.isOpen(), this::linksUp, processor::safDepth, cluster != null ? cluster::health : null));
            http.probe("/metrics", ex -> AdminHttpServer.Reply.text(200, metrics.scrape()))
                    .probe("/health", ex -> health.reply());
            router.mount(http, "/routes");
            if (journal != null) {
                OpsApi.SafCommands safCommands = (requeue, rrn, note) -> ring.tryPublishAdmin(
                        requeue ? EventType.SAF_REQUEUE : EventType.SAF_RESOLVE, rrn, note);
                new OpsApi(new JournalQueries(journal.db()), cfg.http().token(), safCommands).mount(http, "/ops");
                console = new Console(journal.db(), cfg.http().token(), safCommands, new Console.Sources(metrics.registry(),
                        processor::safDepth, this::linksUp), System::currentTimeMillis).start(http);
            }
            for (Companion c : companions) {
                c.mount(http);
            }
            http.start();
            LOG.info("{} on {}:{} (/metrics, /health, /routes{})", httpTls != null ? "https" : "http", cfg.http().bind(), http.port(),
                    journal != null ? ", /ops, /console" : "");
            return this;
        } catch (StartupException | IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Issuer links up, by issuer id in configuration order (health, the console's Live page). */
    private Map<String, Integer> linksUp() {
        Map<String, Integer> up = new LinkedHashMap<>();
        for (int i = 0; i < issuers.issuerCount(); i++) {
            up.put(issuers.issuer(i).id(), issuers.linksUp(i));
        }
        return up;
    }

    public SwitchMetrics metrics() {
        return metrics;
    }

    /** The transaction store (the journal's source of truth); read-only use outside the processor. */
    public TransactionStore store() {
        return store;
    }

    public TransactionProcessor processor() {
        return processor;
    }

    /** The journal writer, or {@code null} when {@code journal.enabled} is false. */
    public JournalWriter journal() {
        return journal;
    }

    /** The security module and key store (docs/security.md). */
    public KeyService keys() {
        return keys;
    }

    public IssuerGateway issuers() {
        return issuers;
    }

    /** The bound port of the listener at {@code index} in configuration order. */
    public int terminalPort(int index) {
        return listeners.get(index).port();
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TerminalServer s : listeners.reversed()) {
            s.close();
        }
        if (peerServer != null) {
            peerServer.close(); // no new forwarded requests; open links still carry the answers of those in flight
        }
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.leave(); // while the ring runs: its partitions are handed over on the processor's thread
        }
        if (console != null) {
            console.close();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (issuers != null) {
            issuers.close();
        }
        if (ring != null) {
            ring.close();
        }
        if (peerLinks != null) {
            peerLinks.close(); // requests still waiting for another node are answered 91
        }
        if (router != null) {
            router.close();
        }
        for (Companion c : started.reversed()) {
            c.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (cluster != null) {
            cluster.close(); // after the ring: nothing more to replicate
        }
        if (journal != null) {
            journal.close(); // before the store: it reads records while it drains
        }
        if (store != null) {
            store.close();
        }
        metrics.close();
        if (dataDirLock != null) {
            dataDirLock.close(); // last: once the store's files are closed another switch may open them
        }
    }
}
