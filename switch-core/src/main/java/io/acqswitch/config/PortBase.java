package io.acqswitch.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code portBase} (or {@code run --port-base N}): moves every port of the demo in one step, so two
 * demos, or a demo beside something already on 8080, need one setting instead of six matching edits.
 *
 * <p>The layout, by offset from the base:
 * <pre>
 *   base + 0   terminal listener        (default 8583)
 *   base + 1   http: /metrics, /ops     (default 8080)
 *   base + 2   stub issuer-a and the issuer host 127.0.0.1:9583 that reaches it
 *   base + 3   stub issuer-b and the issuer host 127.0.0.1:9584 that reaches it
 * </pre>
 * Only a port still at its demo default moves: {@code http.port}, a listener's or a stub's
 * {@code port}, and the port of an issuer host on a loopback address (a remote issuer is never the
 * embedded stub). A port set to any other value is kept as written (the explicit setting wins);
 * should a kept port land on a moved one, {@link ConfigValidator} rejects the pair by name.
 */
final class PortBase {
    /** The demo's default ports, in offset order (index = offset from the base). */
    private static final int[] DEMO_PORTS = {8583, 8080, 9583, 9584};

    /** The highest offset used: {@code base + LAST_OFFSET} must still be a TCP port. */
    static final int LAST_OFFSET = DEMO_PORTS.length - 1;

    private PortBase() {}

    /** True when every port of the layout fits in 1..65535. */
    static boolean valid(int base) {
        return base >= 1 && base + LAST_OFFSET <= 65_535;
    }

    /**
     * The configuration with its demo ports moved to {@code cfg.portBase()}; unchanged when there is
     * no base or it is out of range (the validator reports that, rather than ports beyond 65535).
     */
    static SwitchConfig apply(SwitchConfig cfg) {
        Integer base = cfg.portBase();
        if (base == null || !valid(base)) {
            return cfg;
        }
        SwitchConfig.Http h = cfg.http();
        SwitchConfig.Http http = h.withPort(moved(h.port(), base));
        List<SwitchConfig.Listener> listeners = cfg.listeners().stream().map(l -> l.withPort(moved(l.port(), base))).toList();
        List<SwitchConfig.Stub> stubs = cfg.stubs().stream()
                .map(s -> s.withPort(moved(s.port(), base))).toList();
        List<SwitchConfig.Issuer> issuers = new ArrayList<>();
        for (SwitchConfig.Issuer is : cfg.issuers()) {
            List<String> hosts = is.hosts().stream().map(hp -> movedHost(hp, base)).toList();
            issuers.add(is.withHosts(hosts));
        }
        return new SwitchConfig(cfg.dataDir(), cfg.acquirerId(), http, listeners, issuers, cfg.routing(), cfg.routesFile(),
                stubs, cfg.store(), cfg.saf(), cfg.pipeline(), cfg.transactions(), cfg.journal(), base, cfg.security(), cfg.cluster());
    }

    /** {@code port} moved to its slot if it is one of the demo's defaults, else as it is. */
    private static int moved(int port, int base) {
        for (int offset = 0; offset < DEMO_PORTS.length; offset++) {
            if (DEMO_PORTS[offset] == port) {
                return base + offset;
            }
        }
        return port;
    }

    /** A loopback {@code host:port} at a demo port moved; anything else (malformed included: validated later) as it is. */
    private static String movedHost(String hostPort, int base) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return hostPort;
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return hostPort;
        }
        int to = moved(port, base);
        String host = hostPort.substring(0, colon);
        // only loopback hosts: they reach the embedded stubs; a remote issuer's port is its own
        if (to == port || !ConfigValidator.isLoopback(host.replaceAll("^\\[|]$", ""))) {
            return hostPort;
        }
        return host + ":" + to;
    }
}
