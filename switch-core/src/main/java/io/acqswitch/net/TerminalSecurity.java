package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.security.KeyService;
import io.acqswitch.security.MacAlgorithm;
import io.netty.channel.ChannelPipeline;
import io.netty.util.AttributeKey;

/**
 * The security part of a terminal connection's pipeline (docs/security.md): answers sign-ons with
 * working keys, checks MACs before a request can reach the ring, and MACs the answers of terminals
 * that have keys.
 * <pre>
 *   in:  … isoDecoder ─▶ security (sign-on keys, MAC check: A0/63 here) ─▶ terminalHandler
 *   out: frameEncoder ◀─ macSigner (MAC on answers) ◀─ isoEncoder ◀─ …
 * </pre>
 */
public final class TerminalSecurity {
    /** Set on a connection once a terminal with keys used it: only then are its answers unpacked to be MACed. */
    static final AttributeKey<Boolean> KEYED = AttributeKey.valueOf("acqswitch.keyedTerminal");

    private final KeyService keys;
    private final boolean testKeys;
    private final SwitchMetrics metrics;

    /**
     * @param keys     the security module and key store
     * @param testKeys {@code security.testKeys}: cup terminals without a master key get the TEST KEYS
     */
    public TerminalSecurity(KeyService keys, boolean testKeys, SwitchMetrics metrics) {
        this.keys = keys;
        this.testKeys = testKeys;
        this.metrics = metrics;
    }

    /** The MAC algorithm of a dialect's terminals. */
    static MacAlgorithm algorithm(Dialect dialect) {
        return dialect == Dialect.CUP ? MacAlgorithm.UNIONPAY_POS : MacAlgorithm.X9_19;
    }

    /** Adds {@code security} before {@code terminalHandler} and {@code macSigner} before {@code isoEncoder}. */
    void install(ChannelPipeline pipeline, IsoCodec codec, SwitchConfig.Listener listener) {
        pipeline.addBefore("terminalHandler", "security", new SecurityHandler(keys, listener.mac(), testKeys, codec.dialect(), metrics))
                .addBefore("isoEncoder", "macSigner", new MacSigner(keys, listener.mac(), codec, metrics));
    }
}
