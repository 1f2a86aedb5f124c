package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.pipeline.Outbox;
import io.acqswitch.security.KeyService;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jpos.iso.ISOMsg;

/**
 * The switch's client side towards every issuer: per issuer, {@code connections} links to each of
 * its hosts (primary first). Requests go to an up link of the first host that has one, round-robin
 * across that host's links; with no link up, or every up link full, nothing is sent and the caller
 * answers 91 at once. {@link #send} and {@link #flush}: the processor thread (requests are batched
 * per ring batch); the rest is thread-safe.
 */
public final class IssuerGateway implements Issuers, AutoCloseable {
    private final List<SwitchConfig.Issuer> issuers;
    private final Map<String, Integer> index = new HashMap<>();
    private final IssuerLink[][] links; // [issuer][host-major order]
    private final int[] perHost;
    private final int[] cursor;
    private final SwitchMetrics metrics;
    /** Requests wait here until the processor's ring batch ends ({@link #flush}); nothing reports back. */
    private final Outbox outbox = new Outbox(unused -> { });

    public IssuerGateway(List<SwitchConfig.Issuer> issuers, IssuerResponseSink sink, SwitchMetrics metrics,
                         EventLoopGroup group) {
        this(issuers, sink, metrics, group, null);
    }

    /**
     * Plain-TCP links only.
     *
     * @param keys translates PIN blocks to each issuer's ZPK as requests leave (null: none)
     * @throws IllegalArgumentException when an issuer has {@code tls} (use the constructor taking contexts)
     */
    public IssuerGateway(List<SwitchConfig.Issuer> issuers, IssuerResponseSink sink, SwitchMetrics metrics,
                         EventLoopGroup group, KeyService keys) {
        this(issuers, sink, metrics, group, keys, plain(issuers));
    }

    /**
     * @param keys translates PIN blocks to each issuer's ZPK as requests leave (null: none)
     * @param tls  per issuer (same order), its context from {@link TlsContexts#client}, or null for plain TCP
     */
    public IssuerGateway(List<SwitchConfig.Issuer> issuers, IssuerResponseSink sink, SwitchMetrics metrics,
                         EventLoopGroup group, KeyService keys, List<SslContext> tls) {
        this.issuers = List.copyOf(issuers);
        this.metrics = metrics;
        this.links = new IssuerLink[issuers.size()][];
        this.perHost = new int[issuers.size()];
        this.cursor = new int[issuers.size()];
        IsoCodec codec = IsoCodec.of(Dialect.ISO87);
        for (int i = 0; i < issuers.size(); i++) {
            SwitchConfig.Issuer is = issuers.get(i);
            index.put(is.id(), i);
            metrics.registerIssuer(is.id());
            perHost[i] = is.connections();
            List<IssuerLink> ls = new ArrayList<>();
            for (String hp : is.hosts()) {
                for (int c = 0; c < is.connections(); c++) {
                    ls.add(new IssuerLink(is.id() + "/" + hp + "#" + c, i, hp, is, codec, sink, metrics, group, keys, tls.get(i)));
                }
            }
            links[i] = ls.toArray(IssuerLink[]::new);
            final int issuer = i;
            Gauge.builder("switch_issuer_links_up", () -> linksUp(issuer)).tag("issuer", is.id())
                    .description("Signed-on connections to the issuer").register(metrics.registry());
        }
    }

    private static List<SslContext> plain(List<SwitchConfig.Issuer> issuers) {
        for (SwitchConfig.Issuer is : issuers) {
            if (is.tls() != null) {
                throw new IllegalArgumentException("issuer " + is.id() + " has tls: pass its context (TlsContexts.client)"
                        + " rather than reach it in clear");
            }
        }
        return Collections.nCopies(issuers.size(), null);
    }

    /** Starts connecting every link; returns at once. */
    public IssuerGateway start() {
        for (IssuerLink[] ls : links) {
            for (IssuerLink l : ls) {
                l.connect();
            }
        }
        return this;
    }

    @Override
    public int indexOf(String issuerId) {
        return index.getOrDefault(issuerId, -1);
    }

    @Override
    public int issuerCount() {
        return links.length;
    }

    @Override
    public SwitchConfig.Issuer issuer(int issuer) {
        return issuers.get(issuer);
    }

    /**
     * Sends a request to an issuer.
     *
     * @return the link id used (≥ 0, pass it to {@link #abandon}), or {@link #NO_LINK_UP} or
     *     {@link #BACKPRESSURE} when nothing was sent
     */
    @Override
    public int send(int issuer, ISOMsg request) {
        IssuerLink[] ls = links[issuer];
        int n = perHost[issuer];
        boolean anyUp = false;
        for (int host = 0; host * n < ls.length; host++) {
            int start = cursor[issuer]++ & 0x7fff_ffff;
            for (int k = 0; k < n; k++) {
                int id = host * n + (start + k) % n;
                IssuerLink l = ls[id];
                if (l.state() == LinkState.UP) {
                    anyUp = true;
                    if (l.send(request, outbox)) {
                        return id;
                    }
                }
            }
            if (anyUp) {
                break; // the primary is up but full: fail over only when it is down
            }
        }
        String reason = anyUp ? "backpressure" : "no_link_up";
        metrics.issuerUnavailable(issuers.get(issuer).id(), reason);
        return anyUp ? BACKPRESSURE : NO_LINK_UP;
    }

    @Override
    public int sendAfter(int issuer, ISOMsg request, int link) {
        IssuerLink[] ls = links[issuer];
        if (link < 0 || link >= ls.length || ls[link].state() != LinkState.UP) {
            return send(issuer, request); // the earlier request left on a connection that is gone, or went with it
        }
        if (ls[link].send(request, outbox)) {
            return link;
        }
        metrics.issuerUnavailable(issuers.get(issuer).id(), "backpressure");
        return BACKPRESSURE;
    }

    /** Hands the requests sent since the last flush to their links' event loops, one task per loop. */
    @Override
    public void flush() {
        outbox.flush();
    }

    @Override
    public void abandon(int issuer, int link) {
        if (link >= 0) {
            links[issuer][link].abandon();
        }
    }

    @Override
    public int linksUp(int issuer) {
        int up = 0;
        for (IssuerLink l : links[issuer]) {
            if (l.state() == LinkState.UP) {
                up++;
            }
        }
        return up;
    }

    /** Link states for health and operations, e.g. {@code issuer-a/127.0.0.1:9583#0 → UP}. */
    public Map<String, LinkState> linkStates() {
        Map<String, LinkState> m = new LinkedHashMap<>();
        for (IssuerLink[] ls : links) {
            for (IssuerLink l : ls) {
                m.put(l.name(), l.state());
            }
        }
        return m;
    }

    @Override
    public void close() {
        for (IssuerLink[] ls : links) {
            for (IssuerLink l : ls) {
                l.close();
            }
        }
    }
}
