package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig.MacMode;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.security.KeyService;
import io.acqswitch.security.KeyService.KeyLayout;
import io.acqswitch.security.KeyService.MacVerdict;
import io.acqswitch.security.KeyService.SignOnKeys;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Arrays;
import java.util.HexFormat;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Between the ISO decoder and the terminal handler:
 * <ul>
 * <li>a sign-on (cup 60.3 = 001/003/004, iso87 0800 70 = 001) from a terminal with a master key is
 *     answered here with fresh working keys under it; a cup terminal without one gets the TEST KEYS
 *     when {@code security.testKeys} is on, else no keys;</li>
 * <li>a financial request, reversal, settlement (0500) or batch upload (0320) from a terminal that
 *     has keys must carry a MAC that verifies
 *     under its MAK (listener setting {@code mac}); if not, it is answered A0 (cup) or 63 (iso87),
 *     or 96 when the security module fails, counted, and goes no further: it never reaches the
 *     ring, so it leaves no dedupe entry, reversal or marker;</li>
 * <li>everything else passes on unchanged.</li>
 * </ul>
 * Stateless (the key store is shared and thread-safe), hence shared by a listener's connections.
 */
@Sharable
final class SecurityHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityHandler.class);
    private static final ThrottledLog REJECTIONS = new ThrottledLog(LOG, Level.WARN, 10_000);
    /** A terminal can sign on in a loop: the lines are throttled, the meter counts every one. */
    private static final ThrottledLog SIGN_ONS = new ThrottledLog(LOG, Level.INFO, 10_000);

    private final KeyService keys;
    private final MacMode mode;
    private final boolean testKeys;
    private final Dialect dialect;
    private final SwitchMetrics metrics;

    SecurityHandler(KeyService keys, MacMode mode, boolean testKeys, Dialect dialect, SwitchMetrics metrics) {
        this.keys = keys;
        this.mode = mode;
        this.testKeys = testKeys;
        this.dialect = dialect;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Inbound.Accepted a) {
            TerminalRequest req = a.request();
            KeyLayout layout = req.messageClass() == MessageClass.NETWORK_MANAGEMENT ? NetworkManagement.signOnLayout(req) : null;
            if (layout != null) {
                signOn(ctx, req, layout);
                return;
            }
            if (macChecked(req.messageClass()) && !macAccepted(ctx, a)) {
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    // ---- sign-on ------------------------------------------------------------------------------

    private void signOn(ChannelHandlerContext ctx, TerminalRequest req, KeyLayout layout) {
        metrics.request(req.messageClass());
        ISOMsg answer = NetworkManagement.answer(req);
        String tid = req.terminalId();
        SignOnKeys issued = keys.issueWorkingKeys(tid, layout);
        switch (issued) {
            case SignOnKeys.Issued k -> {
                ctx.channel().attr(TerminalSecurity.KEYED).set(Boolean.TRUE);
                if (dialect == Dialect.CUP) {
                    answer.set(62, k.layout());
                } else {
                    answer.set(62, HexFormat.of().withUpperCase().formatHex(k.layout())); // iso87 62 is LLLCHAR
                }
                metrics.count("switch_sign_on_keys", "result", "issued");
                SIGN_ONS.log("sign-on-keys", "sign-on tid={} layout={}: fresh working keys, PIK kcv {} MAK kcv {}", tid, layout,
                        k.pikKcv(), k.makKcv());
            }
            case SignOnKeys.NoMasterKey n -> {
                if (dialect == Dialect.CUP && testKeys) {
                    answer.set(62, CupTestKeys.forLayout(layout));
                    metrics.count("switch_sign_on_keys", "result", "test_keys");
                    SIGN_ONS.log("sign-on-test-keys", "sign-on tid={} layout={}: no master key, answered with TEST KEYS", tid, layout);
                } else {
                    metrics.count("switch_sign_on_keys", "result", "no_master_key");
                }
            }
            case SignOnKeys.Failed f -> {
                answer.set(39, ResponseCode.SYSTEM_MALFUNCTION);
                metrics.count("switch_sign_on_keys", "result", "failed");
                metrics.count("switch_security_failures", "operation", "sign_on");
                REJECTIONS.log("sign-on", "sign-on tid={}: working keys not issued, answered 96: {}", tid, f.reason());
            }
        }
        ctx.writeAndFlush(answer, ctx.voidPromise());
        metrics.response(req.messageClass(), answer.getString(39));
    }

    // ---- MAC ----------------------------------------------------------------------------------

    /**
     * Financial requests, reversals and the batch messages (0500 settlement, 0320 batch upload): a
     * forged settlement or upload would otherwise close a terminal's batch or fill the log with
     * differences in its name.
     */
    static boolean macChecked(MessageClass cls) {
        return cls.isFinancial() || cls == MessageClass.REVERSAL || cls == MessageClass.SETTLEMENT
                || cls == MessageClass.BATCH_UPLOAD;
    }

    /** Whether the request may go on; if not, it has been answered and counted. */
    private boolean macAccepted(ChannelHandlerContext ctx, Inbound.Accepted a) {
        if (mode == MacMode.OFF) {
            return true;
        }
        TerminalRequest req = a.request();
        ISOMsg m = req.message();
        byte[] body = a.body();
        int from = dialect.headerLength();
        int to = body.length - 8;
        int macField = m.hasField(128) ? 128 : m.hasField(64) ? 64 : 0;
        byte[] data = null;
        byte[] mac = null; // none sent
        if (macField != 0) {
            // the MAC covers everything before it, so it must be the last field: the body's last 8 bytes
            boolean last = m.getMaxField() == macField && to >= from
                    && Arrays.equals(m.getBytes(macField), Arrays.copyOfRange(body, to, body.length));
            mac = last ? Arrays.copyOfRange(body, to, body.length) : new byte[0]; // a misplaced MAC never verifies
            data = Arrays.copyOfRange(body, from, Math.max(from, to));
        }
        MacVerdict verdict = keys.verifyMac(TerminalSecurity.algorithm(dialect), req.terminalId(), data, mac);
        if (verdict != MacVerdict.UNKEYED) {
            ctx.channel().attr(TerminalSecurity.KEYED).set(Boolean.TRUE);
        }
        boolean pass = switch (verdict) {
            case UNKEYED, VALID -> true;
            case MISSING -> mode == MacMode.OPTIONAL;
            case NO_WORKING_KEY -> mode == MacMode.OPTIONAL && macField == 0;
            case MISMATCH, MODULE_FAILED -> false;
        };
        if (pass) {
            return true;
        }
        String code = verdict == MacVerdict.MODULE_FAILED ? ResponseCode.SYSTEM_MALFUNCTION
                : dialect == Dialect.CUP ? ResponseCode.MAC_ERROR_CUP : ResponseCode.SECURITY_VIOLATION;
        metrics.request(req.messageClass());
        metrics.count("switch_mac_rejections", "reason", verdict.tag());
        ISOMsg answer = Responses.answer(m, code);
        REJECTIONS.log("mac-" + verdict.tag(), "MAC check failed ({}) for {} from {}: answered {}, not processed",
                verdict.tag(), req, ctx.channel().remoteAddress(), code);
        if (answer != null) {
            ctx.writeAndFlush(answer, ctx.voidPromise());
            metrics.response(req.messageClass(), code);
        }
        return false;
    }
}
