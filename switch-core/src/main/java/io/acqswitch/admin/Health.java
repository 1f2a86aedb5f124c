package io.acqswitch.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 when every listener is bound, the store is open and every issuer has a
 * link up, else 503. {@code degraded} names what fails: {@code listeners}, {@code store},
 * {@code issuer:<id>}, {@code cluster:<partition>} (fenced), {@code cluster:group} (out of the owners' group after an error; docs/cluster.md). Reads its sources on every request; any thread (the admin port's handlers).
 */
public final class Health {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the answer is made of, read on each request.
     *
     * @param listening every terminal listener is bound (and there is at least one)
     * @param storeOpen the transaction store is open
     * @param linksUp   issuer links up, by issuer id in configuration order
     * @param safDepth  reversals waiting for delivery
     * @param cluster   a cluster node's part ({@code nodeId, replication, partitions, fenced}), or null
     *                  without a cluster section; each fenced partition p degrades as {@code cluster:p}, a {@code group} of {@code left} as {@code cluster:group}
     */
    public record Sources(BooleanSupplier listening, BooleanSupplier storeOpen, Supplier<Map<String, Integer>> linksUp,
                          IntSupplier safDepth, Supplier<Map<String, Object>> cluster) {}

    private final Sources sources;

    public Health(Sources sources) {
        this.sources = sources;
    }

    /** The answer now: {@code {"status", "degraded", "listeners", "store", "safDepth", "issuers"}}. */
    public AdminHttpServer.Reply reply() {
        List<String> degraded = new ArrayList<>();
        boolean listening = sources.listening().getAsBoolean();
        if (!listening) {
            degraded.add("listeners");
        }
        boolean storeOpen = sources.storeOpen().getAsBoolean();
        if (!storeOpen) {
            degraded.add("store");
        }
        Map<String, Object> issuers = new LinkedHashMap<>();
        sources.linksUp().get().forEach((id, up) -> {
            if (up == 0) {
                degraded.add("issuer:" + id);
            }
            Map<String, Object> issuer = new LinkedHashMap<>();
            issuer.put("linksUp", up);
            issuer.put("status", up > 0 ? "UP" : "DOWN");
            issuers.put(id, issuer);
        });
        Map<String, Object> cluster = sources.cluster() == null ? null : sources.cluster().get();
        if (cluster != null && cluster.get("fenced") instanceof Collection<?> fenced) {
            fenced.forEach(p -> degraded.add("cluster:" + p));
        }
        if (cluster != null && "left".equals(cluster.get("group"))) {
            degraded.add("cluster:group"); // out of the owners' group after an error: it serves nothing and takes nothing over
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", degraded.isEmpty() ? "UP" : "DEGRADED");
        body.put("degraded", degraded);
        body.put("listeners", listening ? "UP" : "DOWN");
        body.put("store", storeOpen ? "UP" : "DOWN");
        body.put("safDepth", sources.safDepth().getAsInt());
        body.put("issuers", issuers);
        if (cluster != null) {
            body.put("cluster", cluster);
        }
        try {
            return AdminHttpServer.Reply.json(degraded.isEmpty() ? 200 : 503, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // maps of strings and numbers always serialize
        }
    }
}
