package io.acqswitch.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.file.Path;

/** Checks the values that parsing alone cannot; each problem reads {@code name=value: reason}. */
final class ConfigValidator {
    private final SwitchConfig cfg;
    private final List<String> problems = new ArrayList<>();

    ConfigValidator(SwitchConfig cfg) {
        this.cfg = cfg;
    }

    List<String> problems() {
        problems.clear();
        port("http.port", cfg.http().port(), true);
        tls("http.tls", cfg.http().tls(), true);
        Set<String> listenerNames = new HashSet<>();
        for (int i = 0; i < cfg.listeners().size(); i++) {
            listener("listeners[" + i + "]", cfg.listeners().get(i), listenerNames);
        }
        if (cfg.listeners().isEmpty()) {
            problems.add("listeners=[]: at least one terminal listener is needed");
        }
        Set<String> issuerIds = new HashSet<>();
        for (int i = 0; i < cfg.issuers().size(); i++) {
            issuer("issuers[" + i + "]", cfg.issuers().get(i), issuerIds);
        }
        routing(issuerIds);
        if (cfg.routesFile() != null && !Files.isRegularFile(cfg.routesFile())) {
            problems.add("routesFile=" + cfg.routesFile() + ": file not found");
        }
        for (int i = 0; i < cfg.stubs().size(); i++) {
            SwitchConfig.Stub s = cfg.stubs().get(i);
            String n = "stubs[" + i + "]";
            if (s.name() == null || s.name().isBlank()) {
                problems.add(n + ".name=" + s.name() + ": a stub needs a name");
            }
            port(n + ".port", s.port(), true);
            tls(n + ".tls", s.tls(), true);
        }
        ports();
        pipelineAndStore();
        httpAccess();
        journal();
        cluster();
        return List.copyOf(problems);
    }

    /** The cluster section, when present (docs/cluster.md). */
    private void cluster() {
        SwitchConfig.Cluster c = cfg.cluster();
        if (c == null) {
            return;
        }
        if (c.nodeId() == null || c.nodeId() < 0 || c.nodeId() > 9) {
            problems.add("cluster.nodeId=" + c.nodeId() + ": required, 0 to 9 (one digit inside every RRN and switch STAN)");
        }
        if (!c.bootstrap().matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*")) {
            problems.add("cluster.bootstrap=" + c.bootstrap() + ": must be host:port[,host:port...]");
        }
        if (!c.topic().matches("[a-zA-Z0-9._-]{1,200}")) {
            problems.add("cluster.topic=" + c.topic() + ": must be 1 to 200 of a-z A-Z 0-9 . _ - (a Kafka topic name)");
        }
        if (c.partitions() < 1 || c.partitions() > 1000) {
            problems.add("cluster.partitions=" + c.partitions() + ": must be 1 to 1000");
        }
        if (c.ackTimeout().toMillis() < 1 || c.ackTimeout().compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add("cluster.ackTimeout=" + Durations.format(c.ackTimeout()) + ": must be between 1ms and 5m");
        }
        if (c.startTimeout().toMillis() < 1 || c.startTimeout().compareTo(Duration.ofMinutes(10)) > 0) {
            problems.add("cluster.startTimeout=" + Durations.format(c.startTimeout()) + ": must be between 1ms and 10m");
        }
        if (c.peerListen() != null && (!c.peerListen().matches("[^,:\\s]+:\\d{1,5}") || c.peerListen().startsWith("0.0.0.0:")
                || Integer.parseInt(c.peerListen().substring(c.peerListen().lastIndexOf(':') + 1)) > 65_535)) {
            problems.add("cluster.peerListen=" + c.peerListen()
                    + ": must be host:port, port 0 to 65535, the host an address the other nodes reach (it is advertised to them)");
        }
        if (c.cardKey() != null && c.cardKey().isBlank()) {
            problems.add("cluster.cardKey=" + c.cardKey() + ": must name a file (the card key every node shares)");
        }
    }

    /**
     * {@code portBase} must keep its whole layout within 1..65535, and no two servers of this node
     * (http, listeners, stubs) may bind the same port: with a base, a port set by hand can land on a
     * moved one, and this names both instead of a bind failure at start-up.
     */
    private void ports() {
        Integer base = cfg.portBase();
        if (base != null && !PortBase.valid(base)) {
            problems.add("portBase=" + base + ": the demo's ports run from portBase to portBase+" + PortBase.LAST_OFFSET
                    + ", so it must be between 1 and " + (65_535 - PortBase.LAST_OFFSET));
        }
        Map<Integer, List<String[]>> bound = new HashMap<>(); // port -> {name, bind}
        bind(bound, "http.port", cfg.http().bind(), cfg.http().port());
        for (int i = 0; i < cfg.listeners().size(); i++) {
            bind(bound, "listeners[" + i + "].port", cfg.listeners().get(i).bind(), cfg.listeners().get(i).port());
        }
        for (int i = 0; i < cfg.stubs().size(); i++) {
            bind(bound, "stubs[" + i + "].port", cfg.stubs().get(i).bind(), cfg.stubs().get(i).port());
        }
    }

    private void bind(Map<Integer, List<String[]>> bound, String name, String address, int port) {
        if (port == 0) {
            return; // any free port: never shared
        }
        List<String[]> others = bound.computeIfAbsent(port, p -> new ArrayList<>());
        for (String[] other : others) {
            if (other[1].equals(address) || isWildcard(other[1]) || isWildcard(address)) {
                problems.add(name + "=" + port + ": " + other[0] + " binds that port too"
                        + (cfg.portBase() != null ? " (after portBase=" + cfg.portBase() + " moved the default ports)" : ""));
                return;
            }
        }
        others.add(new String[] {name, address});
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    private void pipelineAndStore() {
        int ring = cfg.pipeline().ringSize();
        if (ring < 16 || Integer.bitCount(ring) != 1) {
            problems.add("pipeline.ringSize=" + ring + ": must be a power of two, at least 16");
        }
        String ws = cfg.pipeline().waitStrategy();
        if (!List.of("blocking", "sleeping", "yielding").contains(ws)) {
            problems.add("pipeline.waitStrategy=" + ws + ": must be blocking, sleeping or yielding");
        }
        if (cfg.pipeline().tick().toMillis() < 1) {
            problems.add("pipeline.tick=" + cfg.pipeline().tick() + ": must be at least 1ms");
        }
        if (cfg.store().expectedEntries() < 1000) {
            problems.add("store.expectedEntries=" + cfg.store().expectedEntries() + ": must be at least 1000");
        }
        if (cfg.saf().firstRetry().toMillis() < 1 || cfg.saf().maxRetry().compareTo(cfg.saf().firstRetry()) < 0) {
            problems.add("saf.firstRetry=" + Durations.format(cfg.saf().firstRetry())
                    + ": must be positive and not above saf.maxRetry (" + Durations.format(cfg.saf().maxRetry()) + ")");
        }
        double tolerance = cfg.transactions().completionTolerance();
        if (tolerance < 0 || tolerance > 1) {
            problems.add("transactions.completionTolerance=" + tolerance + ": must be between 0 and 1");
        }
        SwitchConfig.UnknownReversals unknown = cfg.transactions().unknownReversals();
        if (unknown.expiry().toMillis() < 1) {
            problems.add("transactions.unknownReversals.expiry=" + Durations.format(unknown.expiry()) + ": must be positive");
        }
        positive("transactions.unknownReversals.perTerminal", unknown.perTerminal());
        long markers = unknown.maxFor(cfg.store().expectedEntries());
        if (markers < 1 || markers > cfg.store().expectedEntries() / 4) {
            problems.add("transactions.unknownReversals.max=" + markers + ": must be 1 to store.expectedEntries / 4 ("
                    + cfg.store().expectedEntries() / 4 + "): markers share the store's index with live transactions");
        }
        if (!cfg.acquirerId().matches("\\d{1,11}")) {
            problems.add("acquirerId=" + cfg.acquirerId() + ": must be 1 to 11 digits (field 32)");
        }
    }

    /** The operations API shows transactions: off the loopback interface it needs a token. */
    private void httpAccess() {
        String bind = cfg.http().bind();
        String token = cfg.http().token();
        if (!isLoopback(bind) && (token == null || token.isBlank())) {
            problems.add("http.bind=" + bind + ": not a loopback address, so http.token must be set"
                    + " (the operations API shows transactions)");
        } else if (token != null && !token.isBlank() && token.length() < 16) {
            problems.add("http.token=(" + token.length() + " characters): must be at least 16 characters");
        }
        if (cfg.security().testKeys() && !isLoopback(bind)) {
            problems.add("security.testKeys=true: the TEST KEYS are public, for a lab switch only; refused when http.bind ("
                    + bind + ") is not a loopback address");
        }
        if (cfg.http().headerTimeout().toMillis() < 1) {
            problems.add("http.headerTimeout=" + Durations.format(cfg.http().headerTimeout()) + ": must be at least 1ms");
        }
        int concurrent = cfg.http().maxConcurrentRequests();
        if (concurrent < 1 || concurrent > 256) {
            problems.add("http.maxConcurrentRequests=" + concurrent + ": must be between 1 and 256");
        }
    }

    static boolean isLoopback(String bind) {
        if (bind == null || bind.isBlank()) {
            return false;
        }
        if (bind.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private void journal() {
        SwitchConfig.Journal j = cfg.journal();
        if (j.url() != null && !j.url().startsWith("jdbc:h2:") && !j.url().startsWith("jdbc:postgresql:")) {
            problems.add("journal.url=" + j.url() + ": must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        if (j.queueCapacity() < 16) {
            problems.add("journal.queueCapacity=" + j.queueCapacity() + ": must be at least 16");
        }
        if (j.batchSize() < 1 || j.batchSize() > 10_000) {
            problems.add("journal.batchSize=" + j.batchSize() + ": must be between 1 and 10000");
        }
        if (j.maxBatchSize() < j.batchSize() || j.maxBatchSize() > 50_000) {
            problems.add("journal.maxBatchSize=" + j.maxBatchSize() + ": must be between journal.batchSize ("
                    + j.batchSize() + ") and 50000");
        }
        if (j.batchWindow().isNegative() || j.batchWindow().compareTo(Duration.ofSeconds(1)) > 0) {
            problems.add("journal.batchWindow=" + Durations.format(j.batchWindow()) + ": must be between 0 and 1s");
        }
        if (j.retryMin().toMillis() < 1 || j.retryMax().compareTo(j.retryMin()) < 0) {
            problems.add("journal.retryMin=" + Durations.format(j.retryMin())
                    + ": must be positive and not above journal.retryMax (" + Durations.format(j.retryMax()) + ")");
        }
    }

    private void listener(String n, SwitchConfig.Listener l, Set<String> names) {
        if (!names.add(l.name())) {
            problems.add(n + ".name=" + l.name() + ": duplicate listener name");
        }
        port(n + ".port", l.port(), true);
        if (l.packager() != null && !Files.isRegularFile(l.packager())) {
            problems.add(n + ".packager=" + l.packager() + ": packager file not found");
        }
        if (l.maxFrameBytes() < 20 || l.maxFrameBytes() > 65_535) {
            problems.add(n + ".maxFrameBytes=" + l.maxFrameBytes()
                    + ": must be between 20 and 65535 (the 2-byte length prefix's range)");
        }
        if (l.maxConnections() < 1) {
            problems.add(n + ".maxConnections=" + l.maxConnections() + ": must be at least 1");
        }
        if (l.idleTimeout().isNegative() || l.idleTimeout().isZero()) {
            problems.add(n + ".idleTimeout=" + l.idleTimeout() + ": must be positive");
        }
        if (l.frameTimeout().toMillis() < 1) {
            problems.add(n + ".frameTimeout=" + Durations.format(l.frameTimeout()) + ": must be at least 1ms");
        }
        tls(n + ".tls", l.tls(), true);
    }

    /** The problems of a server's {@code tls:} section standing alone, named {@code n.setting}. */
    static List<String> serverTls(String n, SwitchConfig.Tls t) {
        ConfigValidator v = new ConfigValidator(null);
        v.tls(n, t, true);
        return List.copyOf(v.problems);
    }

    /**
     * A {@code tls:} section: a server needs its own key and certificate (PEM pair or PKCS#12, not
     * both), a client may have one; asking for client certificates needs {@code trust}; every file
     * named must be there and readable (what is in them is checked when the switch starts).
     */
    private void tls(String n, SwitchConfig.Tls t, boolean server) {
        if (t == null) {
            return;
        }
        boolean pem = t.certificate() != null || t.privateKey() != null;
        if (pem && t.keyStore() != null) {
            problems.add(n + ".keyStore=" + t.keyStore() + ": give either certificate and privateKey (PEM) or keyStore (PKCS#12), not both");
        } else if (pem && (t.certificate() == null || t.privateKey() == null)) {
            problems.add(n + (t.certificate() == null ? ".certificate=" : ".privateKey=")
                    + ": certificate and privateKey go together");
        } else if (server && !t.hasIdentity()) {
            problems.add(n + ".certificate=: a TLS server needs certificate and privateKey (PEM) or keyStore (PKCS#12)");
        }
        if (!server && t.clientAuth() != SwitchConfig.ClientAuth.NONE) {
            problems.add(n + ".clientAuth=" + t.clientAuth().configName() + ": only for listeners and http (servers)");
        }
        if (t.clientAuth() != SwitchConfig.ClientAuth.NONE && t.trust() == null) {
            problems.add(n + ".clientAuth=" + t.clientAuth().configName()
                    + ": needs trust (the certificates that client certificates are checked against)");
        }
        readable(n + ".certificate", t.certificate());
        readable(n + ".privateKey", t.privateKey());
        readable(n + ".keyStore", t.keyStore());
        readable(n + ".trust", t.trust());
    }

    private void readable(String name, Path file) {
        if (file == null) {
            return;
        }
        if (!Files.isRegularFile(file)) {
            problems.add(name + "=" + file + ": file not found");
        } else if (!Files.isReadable(file)) {
            problems.add(name + "=" + file + ": not readable by this user");
        }
    }

    private void issuer(String n, SwitchConfig.Issuer is, Set<String> ids) {
        if (is.id() == null || is.id().isBlank()) {
            problems.add(n + ".id=" + is.id() + ": an issuer needs an id");
        } else if (!ids.add(is.id())) {
            problems.add(n + ".id=" + is.id() + ": duplicate issuer id");
        }
        if (is.hosts().isEmpty()) {
            problems.add(n + ".hosts=[]: an issuer needs at least one host:port");
        }
        for (int h = 0; h < is.hosts().size(); h++) {
            String hp = is.hosts().get(h);
            int colon = hp == null ? -1 : hp.lastIndexOf(':');
            if (colon <= 0) {
                problems.add(n + ".hosts[" + h + "]=" + hp + ": expected host:port");
                continue;
            }
            try {
                port(n + ".hosts[" + h + "]", Integer.parseInt(hp.substring(colon + 1)), false);
            } catch (NumberFormatException e) {
                problems.add(n + ".hosts[" + h + "]=" + hp + ": port is not a number");
            }
        }
        positive(n + ".connections", is.connections());
        positive(n + ".maxOutstanding", is.maxOutstanding());
        if (is.timeout().toMillis() <= 0) {
            problems.add(n + ".timeout=" + Durations.format(is.timeout()) + ": must be positive");
        }
        if (is.reconnectMin().toMillis() <= 0 || is.reconnectMax().compareTo(is.reconnectMin()) < 0) {
            problems.add(n + ".reconnectMin=" + Durations.format(is.reconnectMin())
                    + ": must be positive and not above reconnectMax (" + Durations.format(is.reconnectMax()) + ")");
        }
        tls(n + ".tls", is.tls(), false);
    }

    private void routing(Set<String> issuerIds) {
        RouteRules.spans(cfg.routing(), issuerIds, "routing", problems);
    }

    private void positive(String name, int value) {
        if (value < 1) {
            problems.add(name + "=" + value + ": must be at least 1");
        }
    }

    private void port(String name, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
            problems.add(name + "=" + port + ": not a TCP port (" + (zeroAllowed ? 0 : 1) + "-65535"
                    + (zeroAllowed ? ", 0 = any free port" : "") + ")");
        }
    }
}
