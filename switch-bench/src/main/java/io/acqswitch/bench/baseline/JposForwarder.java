package io.acqswitch.bench.baseline;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.jpos.core.Configurable;
import org.jpos.core.Configuration;
import org.jpos.core.ConfigurationException;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISORequestListener;
import org.jpos.iso.ISOResponseListener;
import org.jpos.iso.ISOSource;
import org.jpos.iso.MUX;
import org.jpos.q2.iso.QMUX;
import org.jpos.util.NameRegistrar;

/**
 * The jPOS baseline's request listener, as a jPOS user writes one for a {@code QServer}: re-addresses
 * each request for the issuer leg (own STAN 11, RRN 37, acquirer 32), hands it to the {@code QMUX}
 * named by property {@code mux} with jPOS's asynchronous {@link MUX#request(ISOMsg, long,
 * ISOResponseListener, Object)} (so a terminal connection can have many requests in flight, as the
 * switch allows), and answers the terminal with its own fields plus the issuer's 38 and 39 and the
 * RRN; 68 when the issuer does not answer within property {@code timeout} ms. No persistence, no
 * duplicate check, no reversal: a lower bound of what a jPOS switch with those would cost.
 *
 * <p>Instantiated by Q2 (public, no-argument constructor). {@link #process} runs on the QServer
 * session's thread, the answer on QMUX's receiving thread.
 */
public final class JposForwarder implements ISORequestListener, Configurable {
    private static final String ACQUIRER = "12345";

    private final AtomicLong sequence = new AtomicLong();
    private String muxName;
    private long timeout;
    private volatile MUX mux;

    @Override
    public void setConfiguration(Configuration cfg) throws ConfigurationException {
        muxName = cfg.get("mux");
        timeout = cfg.getLong("timeout", 10_000);
        if (muxName == null || muxName.isEmpty()) {
            throw new ConfigurationException("property mux is missing");
        }
    }

    @Override
    public boolean process(ISOSource terminal, ISOMsg request) {
        try {
            long n = sequence.incrementAndGet();
            String rrn = String.format("%012d", n);
            ISOMsg forward = (ISOMsg) request.clone();
            forward.set(11, String.format("%06d", n % 999_999 + 1));
            forward.set(37, rrn);
            if (!forward.hasField(32)) {
                forward.set(32, ACQUIRER);
            }
            mux().request(forward, timeout, new Answer(terminal, request, rrn), null);
        } catch (ISOException | NameRegistrar.NotFoundException e) {
            answer(terminal, request, "", "96", null);
        }
        return true;
    }

    private MUX mux() throws NameRegistrar.NotFoundException {
        MUX m = mux;
        if (m == null) {
            m = QMUX.getMUX(muxName);
            mux = m;
        }
        return m;
    }

    static void answer(ISOSource terminal, ISOMsg request, String rrn, String rc, ISOMsg issuerAnswer) {
        try {
            ISOMsg a = (ISOMsg) request.clone();
            a.setResponseMTI();
            if (!rrn.isEmpty()) {
                a.set(37, rrn);
            }
            a.set(39, rc);
            if (issuerAnswer != null && issuerAnswer.hasField(38)) {
                a.set(38, issuerAnswer.getString(38));
            }
            terminal.send(a);
        } catch (ISOException | IOException e) {
            // the terminal's connection is gone: nothing to answer; the load harness counts the loss
        }
    }

    /** One forwarded request's continuation. */
    private record Answer(ISOSource terminal, ISOMsg request, String rrn) implements ISOResponseListener {
        @Override
        public void responseReceived(ISOMsg issuerAnswer, Object handBack) {
            String rc = issuerAnswer.hasField(39) ? issuerAnswer.getString(39) : "96";
            answer(terminal, request, rrn, rc, issuerAnswer);
        }

        @Override
        public void expired(Object handBack) {
            answer(terminal, request, rrn, "68", null);
        }
    }
}
