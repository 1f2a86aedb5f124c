package io.acqswitch.config;

import io.acqswitch.iso.Dialect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration of one switch node, as read from {@code config/switch.yaml}. Every
 * setting has a default (a {@code null} from YAML becomes the default), so {@link #defaults()} is a
 * runnable demo configuration: one terminal listener, two issuers served by two embedded issuer
 * stubs, and BIN routes for common test cards. Values are checked by {@link ConfigLoader}.
 *
 * <p>{@code portBase} ({@code null}: none) moves the demo's ports together; {@link ConfigLoader}
 * applies it (see {@link PortBase}), so the ports of a loaded configuration are the moved ones.
 */
public record SwitchConfig(
        Path dataDir,
        String acquirerId,
        Http http,
        List<Listener> listeners,
        List<Issuer> issuers,
        Routing routing,
        Path routesFile,
        List<Stub> stubs,
        Store store,
        Saf saf,
        Pipeline pipeline,
        Transactions transactions,
        Journal journal,
        Integer portBase,
        Security security,
        Cluster cluster) {

    public SwitchConfig {
        security = security != null ? security : new Security(null);
        journal = journal != null ? journal : new Journal(null, null, null, null, null, null, null, null, null, null);
        dataDir = dataDir != null ? dataDir : Path.of("data");
        acquirerId = acquirerId != null ? acquirerId : "123456";
        store = store != null ? store : new Store(null, null);
        saf = saf != null ? saf : new Saf(null, null, null);
        pipeline = pipeline != null ? pipeline : new Pipeline(null, null, null);
        transactions = transactions != null ? transactions : new Transactions(null, null, null, null);
        http = http != null ? http : new Http(null, null, null, null, null, null);
        listeners = listeners != null ? List.copyOf(listeners) : List.of(new Listener(null, null, null, null, null, null, null, null, null, null, null));
        issuers = issuers != null ? List.copyOf(issuers) : List.of(
                new Issuer("issuer-a", List.of("127.0.0.1:9583"), null, null, null, null, null, null, null),
                new Issuer("issuer-b", List.of("127.0.0.1:9584"), null, null, null, null, null, null, null));
        routing = routing != null ? routing : Routing.demo();
        stubs = stubs != null ? List.copyOf(stubs) : List.of(
                new Stub("issuer-a", null, 9583, null, null),
                new Stub("issuer-b", null, 9584, null, null));
    }

    /** The configuration used when no file is given. */
    public static SwitchConfig defaults() {
        return new SwitchConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The JDBC URL the journal writes to: {@code journal.url}, else the embedded H2 file under {@code dataDir/journal}. */
    public String journalUrl() {
        return journal.url() != null ? journal.url() : Journal.embeddedUrl(dataDir);
    }

    /** A copy with other listeners (tests bind to ephemeral ports). */
    public SwitchConfig withListeners(List<Listener> newListeners) {
        return new SwitchConfig(dataDir, acquirerId, http, newListeners, issuers, routing, routesFile, stubs, store, saf, pipeline, transactions, journal, portBase, security, cluster);
    }

    /** A copy with another data directory and HTTP port (tests). */
    public SwitchConfig withDataDirAndHttpPort(Path newDataDir, int httpPort) {
        return new SwitchConfig(newDataDir, acquirerId, http.withPort(httpPort), listeners,
                issuers, routing, routesFile, stubs, store, saf, pipeline, transactions, journal, portBase, security, cluster);
    }

    /** A copy with another {@code portBase} (the {@code --port-base} flag); ports are moved by {@link ConfigLoader}. */
    public SwitchConfig withPortBase(Integer newPortBase) {
        return new SwitchConfig(dataDir, acquirerId, http, listeners, issuers, routing, routesFile, stubs, store, saf, pipeline, transactions, journal, newPortBase, security, cluster);
    }

    /**
     * The file of the key that hashes card numbers in records: {@code cluster.cardKey} when set (one
     * file for every node), else {@code dataDir/store/card.key}.
     */
    public Path cardKeyFile() {
        return cluster != null && cluster.cardKey() != null ? Path.of(cluster.cardKey())
                : dataDir.resolve("store").resolve("card.key");
    }

    /** A copy with a cluster section ({@code null}: the single node). */
    public SwitchConfig withCluster(Cluster newCluster) {
        return new SwitchConfig(dataDir, acquirerId, http, listeners, issuers, routing, routesFile, stubs, store, saf, pipeline, transactions, journal, portBase, security, newCluster);
    }

    /** A copy with other issuers and stubs (tests point issuers at stubs on ephemeral ports). */
    public SwitchConfig withIssuers(List<Issuer> newIssuers, List<Stub> newStubs) {
        return new SwitchConfig(dataDir, acquirerId, http, listeners, newIssuers, routing, routesFile, newStubs, store, saf, pipeline, transactions, journal, portBase, security, cluster);
    }

    /**
     * The transaction store.
     *
     * @param expectedEntries records it is sized for (a full store answers 96 and raises an alert)
     * @param retention       how long completed records are kept for duplicate detection and look-ups
     */
    public record Store(Long expectedEntries, Duration retention) {
        public Store {
            expectedEntries = expectedEntries != null ? expectedEntries : 1_000_000L;
            retention = retention != null ? retention : Duration.ofHours(48);
        }
    }

    /**
     * Store-and-forward of reversal advices (0420, then 0421 repeats).
     *
     * @param firstRetry wait before the first repeat; doubles per attempt ...
     * @param maxRetry   ... up to this
     * @param expiry     after this an undelivered reversal is marked expired for operations (never dropped)
     */
    public record Saf(Duration firstRetry, Duration maxRetry, Duration expiry) {
        public Saf {
            firstRetry = firstRetry != null ? firstRetry : Duration.ofSeconds(1);
            maxRetry = maxRetry != null ? maxRetry : Duration.ofSeconds(60);
            expiry = expiry != null ? expiry : Duration.ofHours(24);
        }
    }

    /**
     * The ring and its processor.
     *
     * @param ringSize     slots (power of two); a full ring answers 91 at once
     * @param waitStrategy {@code blocking} (default), {@code sleeping} or {@code yielding} (burns a core)
     * @param tick         how often deadlines and SAF retries are checked
     */
    public record Pipeline(Integer ringSize, String waitStrategy, Duration tick) {
        public Pipeline {
            ringSize = ringSize != null ? ringSize : 65_536;
            waitStrategy = waitStrategy != null ? waitStrategy : "blocking";
            tick = tick != null ? tick : Duration.ofMillis(50);
        }
    }

    /**
     * Rules for transactions that act on an earlier one (docs/lifecycle.md).
     *
     * @param refundWindow         how long after the original sale a refund is accepted (else 22)
     * @param completionTolerance  a completion may exceed its pre-authorization by this fraction (else 13)
     * @param preAuthValidity      how long a pre-authorization can be completed (else 25)
     * @param unknownReversals     reversals (0400) whose original is not (yet) known
     */
    public record Transactions(Duration refundWindow, Double completionTolerance, Duration preAuthValidity,
                               UnknownReversals unknownReversals) {
        public Transactions {
            refundWindow = refundWindow != null ? refundWindow : Duration.ofDays(30);
            completionTolerance = completionTolerance != null ? completionTolerance : 0.15;
            preAuthValidity = preAuthValidity != null ? preAuthValidity : Duration.ofDays(30);
            unknownReversals = unknownReversals != null ? unknownReversals : new UnknownReversals(null, null, null);
        }
    }

    /**
     * A reversal whose original the switch does not know is answered 00 and remembered as a marker,
     * so that the original, should it arrive later with the same card, amount and currency, is
     * reversed at once. Markers are bounded so that forged reversals cannot fill the store.
     *
     * @param expiry      how long a marker waits for its original
     * @param perTerminal live markers per terminal (acquirer, merchant, terminal); beyond it a reversal
     *                    of an unknown original is answered 96 and not remembered
     * @param max         live markers in all, likewise; default: store.expectedEntries / 20
     */
    public record UnknownReversals(Duration expiry, Integer perTerminal, Long max) {
        public UnknownReversals {
            expiry = expiry != null ? expiry : Duration.ofMinutes(10);
            perTerminal = perTerminal != null ? perTerminal : 8;
        }

        /** {@link #max}, or its default for a store sized for {@code expectedEntries} records. */
        public long maxFor(long expectedEntries) {
            return max != null ? max : Math.max(100, expectedEntries / 20);
        }
    }

    /** A copy with another journal section (tests point it at PostgreSQL or turn it off). */
    public SwitchConfig withJournal(Journal newJournal) {
        return new SwitchConfig(dataDir, acquirerId, http, listeners, issuers, routing, routesFile, stubs, store, saf, pipeline, transactions, newJournal, portBase, security, cluster);
    }

    /**
     * The transaction journal: every change of a record, written asynchronously to a SQL database
     * for look-ups, reporting and reconciliation (docs/journal-and-recon.md).
     *
     * @param enabled       {@code false} turns the journal off (the switch runs on the store alone)
     * @param url           JDBC URL; default: embedded H2 at {@code dataDir/journal/journal.mv.db}.
     *                      PostgreSQL: {@code jdbc:postgresql://host:5432/db}
     * @param user          database user ({@code sa} for the embedded default)
     * @param password      database password
     * @param queueCapacity changes buffered between the processor and the writer; beyond it they are
     *                      remembered by RRN and re-read from the store (never blocks the processor)
     * @param batchSize     changes a batch waits for: with fewer queued, the writer waits up to
     *                      {@code batchWindow} for more, then writes what it has
     * @param maxBatchSize  the most changes per database transaction: with a backlog, a batch takes as
     *                      many as wait, from {@code batchSize} up to this (bigger batches catch up faster)
     * @param batchWindow   how long a batch's first change waits for more (so that a transaction's
     *                      changes, milliseconds apart, are written together and its row once); 0 = none
     * @param retryMin      first wait after a failed batch; doubles per failure ...
     * @param retryMax      ... up to this
     */
    public record Journal(
            Boolean enabled,
            String url,
            String user,
            String password,
            Integer queueCapacity,
            Integer batchSize,
            Integer maxBatchSize,
            Duration batchWindow,
            Duration retryMin,
            Duration retryMax) {
        public Journal {
            enabled = enabled != null ? enabled : true;
            user = user != null ? user : (url == null ? "sa" : "");
            password = password != null ? password : "";
            queueCapacity = queueCapacity != null ? queueCapacity : 65_536;
            batchSize = batchSize != null ? batchSize : 500;
            maxBatchSize = maxBatchSize != null ? maxBatchSize : Math.max(batchSize, 4000);
            batchWindow = batchWindow != null ? batchWindow : Duration.ofMillis(20);
            retryMin = retryMin != null ? retryMin : Duration.ofMillis(200);
            retryMax = retryMax != null ? retryMax : Duration.ofSeconds(10);
        }

        /**
         * The embedded H2 database under {@code dataDir/journal}: PostgreSQL mode (one schema for
         * both), and AUTO_SERVER so {@code recon} and other tools can open it while the switch runs.
         */
        public static String embeddedUrl(Path dataDir) {
            return "jdbc:h2:file:" + dataDir.resolve("journal").resolve("journal").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE";
        }

        /** A copy writing to {@code newUrl} as {@code newUser}. */
        public Journal withUrl(String newUrl, String newUser, String newPassword) {
            return new Journal(enabled, newUrl, newUser, newPassword, queueCapacity, batchSize, maxBatchSize, batchWindow,
                    retryMin, retryMax);
        }
    }

    /**
     * The HTTP endpoint: {@code /metrics}, {@code /health}, the operations API and the demo stubs'.
     *
     * @param token                 bearer token ({@code Authorization: Bearer <token>}) required by
     *                              {@code /ops} and by every request that changes something (any
     *                              method but GET and HEAD); mandatory when {@code bind} is not a
     *                              loopback address
     * @param headerTimeout         a request not wholly received (headers and body) this long after
     *                              its first byte, or after the connection opened, is answered 408
     *                              and its connection closed
     * @param maxConcurrentRequests requests handled at once; one more is answered 503 at once.
     *                              {@code /health} and {@code /metrics} have as many again of their
     *                              own, so busy operations never crowd out monitoring
     * @param tls                   serve HTTPS (TLS 1.3) with this key and certificate; none: plain HTTP
     */
    public record Http(String bind, Integer port, String token, Duration headerTimeout, Integer maxConcurrentRequests, Tls tls) {
        public Http {
            bind = bind != null ? bind : "127.0.0.1";
            port = port != null ? port : 8080;
            headerTimeout = headerTimeout != null ? headerTimeout : Duration.ofSeconds(10);
            maxConcurrentRequests = maxConcurrentRequests != null ? maxConcurrentRequests : 4;
        }

        /** A copy on another port. */
        public Http withPort(int newPort) {
            return new Http(bind, newPort, token, headerTimeout, maxConcurrentRequests, tls);
        }
    }

    /**
     * A TCP listener for terminals.
     *
     * @param packager     optional jPOS GenericPackager XML replacing the dialect's built-in packager
     * @param maxFrameBytes largest message body accepted; a longer length prefix closes the connection
     * @param maxConnections connections this listener holds open at once (each listener has its own
     *                     count); one more is closed at once
     * @param idleTimeout  a connection that sends nothing (or stalls mid-frame) this long is closed
     * @param frameTimeout a frame (length prefix and body) not complete this long after its first byte
     *                     closes the connection, however steadily its bytes trickle in
     * @param mac          MAC checking of financial requests and reversals from terminals that have keys
     *                     (docs/security.md): {@code required} (default), {@code optional} (checked when
     *                     present) or {@code off}; terminals without keys are never checked
     * @param tls          terminals connect over TLS 1.3 with this key and certificate (and, with
     *                     {@code clientAuth}, their own certificates); none: plain TCP
     */
    public record Listener(
            String name,
            String bind,
            Integer port,
            Dialect dialect,
            Path packager,
            Integer maxFrameBytes,
            Integer maxConnections,
            Duration idleTimeout,
            Duration frameTimeout,
            MacMode mac,
            Tls tls) {
        public Listener {
            mac = mac != null ? mac : MacMode.REQUIRED;
            name = name != null ? name : "pos";
            bind = bind != null ? bind : "127.0.0.1";
            port = port != null ? port : 8583;
            dialect = dialect != null ? dialect : Dialect.ISO87;
            maxFrameBytes = maxFrameBytes != null ? maxFrameBytes : 4096;
            maxConnections = maxConnections != null ? maxConnections : 10_000;
            idleTimeout = idleTimeout != null ? idleTimeout : Duration.ofSeconds(120);
            frameTimeout = frameTimeout != null ? frameTimeout : Duration.ofSeconds(10);
        }

        /** A copy listening on another port (0 = ephemeral). */
        public Listener withPort(int newPort) {
            return new Listener(name, bind, newPort, dialect, packager, maxFrameBytes, maxConnections, idleTimeout, frameTimeout, mac, tls);
        }
    }

    /** A listener's {@code mac} setting. */
    public enum MacMode {
        /** A terminal that has keys must MAC every financial request and reversal (default). */
        REQUIRED("required"),
        /** A MAC is checked when present; a request without one passes. */
        OPTIONAL("optional"),
        /** No MAC is checked or generated on this listener. */
        OFF("off");

        private final String configName;

        MacMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static MacMode byName(String name) {
            for (MacMode m : values()) {
                if (m.configName.equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("must be required, optional or off");
        }
    }

    /**
     * The security module and keys (docs/security.md). The embedded module keeps its LMK and key
     * store under {@code dataDir/security}.
     *
     * @param testKeys cup terminals without a master key of their own are answered at sign-on with
     *                 the fixed, public TEST KEYS (a lab terminal loaded with the TEST master key can
     *                 then run); default false, and refused unless {@code http.bind} is loopback
     */
    public record Security(Boolean testKeys) {
        public Security {
            testKeys = testKeys != null ? testKeys : false;
        }
    }

    /**
     * An issuer host reached over {@code iso87} with 2-byte length framing.
     *
     * @param hosts          {@code host:port}, primary first, then fail-over hosts
     * @param connections    long-lived connections per host
     * @param timeout        how long the switch waits for an answer before reversing
     * @param maxOutstanding requests in flight per connection before new ones are answered 91
     * @param tls            connect over TLS 1.3: the issuer's certificate checked against {@code trust}
     *                       (default: the JDK's trusted authorities) and the host name or address, and
     *                       this switch's certificate sent when one is given; none: plain TCP
     */
    public record Issuer(
            String id,
            List<String> hosts,
            Integer connections,
            Duration timeout,
            Integer maxOutstanding,
            Duration echoInterval,
            Duration reconnectMin,
            Duration reconnectMax,
            Tls tls) {
        public Issuer {
            hosts = hosts != null ? List.copyOf(hosts) : List.of();
            connections = connections != null ? connections : 2;
            timeout = timeout != null ? timeout : Duration.ofSeconds(10);
            maxOutstanding = maxOutstanding != null ? maxOutstanding : 1000;
            echoInterval = echoInterval != null ? echoInterval : Duration.ofSeconds(30);
            reconnectMin = reconnectMin != null ? reconnectMin : Duration.ofMillis(100);
            reconnectMax = reconnectMax != null ? reconnectMax : Duration.ofSeconds(10);
        }

        /** A copy reaching other hosts. */
        public Issuer withHosts(List<String> newHosts) {
            return new Issuer(id, newHosts, connections, timeout, maxOutstanding, echoInterval, reconnectMin, reconnectMax, tls);
        }
    }

    /**
     * TLS 1.3 on one socket (docs/security.md, "TLS"). Its own key and certificate come from PEM files
     * ({@code certificate} and {@code privateKey}) or from one PKCS#12 file ({@code keyStore} and
     * {@code password}); a server (a listener, the admin port) needs one of the two, an issuer link
     * sends it as its client certificate when given.
     *
     * @param certificate PEM certificate chain, this side's certificate first
     * @param privateKey  PEM private key (PKCS#8; encrypted with {@code password} when one is set)
     * @param keyStore    PKCS#12 file holding one private key and its chain, instead of the two above
     * @param password    the PKCS#12 file's password, or the PEM private key's
     * @param trust       PEM certificates (the peers' own or their authorities') whose holders are
     *                    trusted: the client certificates a listener or the admin port accepts, the
     *                    issuer certificates a link accepts (an issuer link without one trusts the
     *                    JDK's authorities)
     * @param clientAuth  listeners and the admin port: {@code none} (default), {@code optional} or
     *                    {@code require} a client certificate that {@code trust} vouches for
     */
    public record Tls(Path certificate, Path privateKey, Path keyStore, String password, Path trust, ClientAuth clientAuth) {
        public Tls {
            clientAuth = clientAuth != null ? clientAuth : ClientAuth.NONE;
        }

        /** True when this side has a key and certificate of its own. */
        public boolean hasIdentity() {
            return keyStore != null || certificate != null || privateKey != null;
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Tls[certificate=" + certificate + ", privateKey=" + privateKey + ", keyStore=" + keyStore
                    + ", password=" + (password == null ? "none" : "(set)") + ", trust=" + trust + ", clientAuth="
                    + clientAuth.configName() + "]";
        }
    }

    /** A TLS server's {@code clientAuth} setting. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE("none"),
        /** A client certificate is asked for; one that {@code trust} does not vouch for fails the handshake, none is fine. */
        OPTIONAL("optional"),
        /** A client without a certificate that {@code trust} vouches for fails the handshake. */
        REQUIRE("require");

        private final String configName;

        ClientAuth(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static ClientAuth byName(String name) {
            for (ClientAuth c : values()) {
                if (c.configName.equals(name)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("must be none, optional or require");
        }
    }

    /**
     * BIN routing: the longest matching prefix or range wins; {@code defaultIssuer} catches the rest
     * (none: such cards are answered 15).
     */
    public record Routing(List<Route> routes, String defaultIssuer) {
        public Routing {
            routes = routes != null ? List.copyOf(routes) : List.of();
        }

        static Routing demo() {
            return new Routing(List.of(
                    new Route("4", null, null, "issuer-a"),
                    new Route(null, "51", "55", "issuer-b"),
                    new Route(null, "2221", "2720", "issuer-b"),
                    new Route("62", null, null, "issuer-b")),
                    "issuer-a");
        }
    }

    /** One route: either a {@code prefix} or an inclusive {@code low}..{@code high} range of equal-length prefixes. */
    public record Route(String prefix, String low, String high, String issuer) {}

    /**
     * An issuer stub run beside the switch for the demo and rehearsals (started by the command line,
     * {@code cli.DemoStubs}; the switch itself does not know the stubs).
     *
     * @param rules how the stub answers, as written (the stub's rules, docs/issuer-stub.md, checked
     *              when the stubs start); empty: approve all
     * @param tls   serve TLS 1.3 with this key and certificate, as a listener does; none: plain TCP
     */
    public record Stub(String name, String bind, Integer port, Map<String, Object> rules, Tls tls) {
        public Stub {
            bind = bind != null ? bind : "127.0.0.1";
            port = port != null ? port : 9583;
            rules = rules != null ? Collections.unmodifiableMap(new LinkedHashMap<>(rules)) : Map.of();
        }

        /** A copy listening on another port. */
        public Stub withPort(int newPort) {
            return new Stub(name, bind, newPort, rules, tls);
        }
    }

    /**
     * The node's place in a cluster on Kafka (docs/cluster.md). Absent ({@code null}): the switch is
     * a single node, as without the section.
     *
     * @param nodeId      0 to 9, unique in the cluster: a digit inside every RRN and switch STAN; required
     * @param bootstrap   Kafka's {@code bootstrap.servers}, {@code host:port[,host:port...]}
     * @param topic       the state topic (compacted)
     * @param partitions  the topic's partitions: fixed for its life (a terminal's partition must not move)
     * @param replication {@code sync}: a change is in Kafka before the request behind it reaches an
     *                    issuer; {@code async}: faster, with the window docs/cluster.md states
     * @param ackTimeout  how long a sync barrier waits for Kafka's acknowledgement before it fails
     * @param startTimeout how long start-up waits for Kafka (topic, fencing, restore) before it refuses to start
     * @param peerListen  {@code host:port} this node accepts requests forwarded by other nodes on, and
     *                    advertises to them (port 0: any free port, advertised as bound); {@code null}:
     *                    it accepts none, and the others answer its partitions' requests 91
     * @param cardKey     the card key file every node of the cluster must share (a record proves "same
     *                    card" by a keyed hash of the PAN, so a node taking over records another node
     *                    made must hash with the same key); created, owner-only, by the first node
     *                    that finds it missing; {@code null}: the node's own {@code dataDir/store/card.key}
     */
    public record Cluster(Integer nodeId, String bootstrap, String topic, Integer partitions,
                          Replication replication, Duration ackTimeout, Duration startTimeout, String peerListen,
                          String cardKey) {
        public Cluster {
            bootstrap = bootstrap != null ? bootstrap : "127.0.0.1:9092";
            topic = topic != null ? topic : "acqswitch-state";
            partitions = partitions != null ? partitions : 12;
            replication = replication != null ? replication : Replication.SYNC;
            ackTimeout = ackTimeout != null ? ackTimeout : Duration.ofSeconds(5);
            startTimeout = startTimeout != null ? startTimeout : Duration.ofSeconds(30);
        }
    }

    /** {@code cluster.replication}. */
    public enum Replication {
        SYNC("sync"),
        ASYNC("async");

        private final String configName;

        Replication(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static Replication byName(String name) {
            for (Replication r : values()) {
                if (r.configName.equals(name)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("must be sync or async");
        }
    }
}
