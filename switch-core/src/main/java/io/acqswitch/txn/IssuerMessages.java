package io.acqswitch.txn;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.TransmissionTime;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/** Builds the messages of the issuer leg (iso87) and the terminal's answers derived from them. */
public final class IssuerMessages {
    /**
     * What a cup request keeps on the iso87 leg: the standard fields. 7, 11 and 37 are the
     * switch's; 60–63 (UnionPay private) and 64 (the terminal's MAC) stay behind.
     */
    private static final int[] CUP_TO_ISO87 = {2, 3, 4, 12, 13, 14, 22, 23, 25, 32, 35, 41, 42, 49, 52, 55};
    /** What an approval's terminal answer takes from the issuer's answer: authorization code, additional amounts. */
    private static final int[] FROM_ISSUER = {38, 54};

    private IssuerMessages() {}

    /**
     * The terminal's request re-addressed by the switch: own STAN (11), RRN (37), time (7); no MAC.
     * A cup request is translated into a fresh iso87 message (see {@link #fromCup}).
     */
    static ISOMsg forward(TerminalRequest req, TxnRecord r, String acquirerId) {
        ISOMsg m = req.dialect() == Dialect.CUP ? fromCup(req.message()) : (ISOMsg) req.message().clone();
        m.set(7, r.issuerTransmissionTime);
        m.set(11, r.switchStan);
        m.set(37, r.rrn);
        if (!m.hasField(32)) {
            m.set(32, acquirerId);
        }
        m.unset(64, 128);
        return m;
    }

    /**
     * A cup message as iso87: a new message without header or packager holding the standard fields,
     * strings as strings and binary fields (52, 55) as bytes, so the issuer link's iso87 packager
     * packs it by its own field formats (a cup-unpacked component would carry cup's).
     */
    private static ISOMsg fromCup(ISOMsg cup) {
        ISOMsg m = new ISOMsg(cup.getString(0));
        for (int f : CUP_TO_ISO87) {
            if (!cup.hasField(f)) {
                continue;
            }
            ISOComponent c = cup.getComponent(f);
            try {
                if (c.getValue() instanceof byte[] b) {
                    m.set(f, b.clone());
                } else {
                    m.set(f, cup.getString(f));
                }
            } catch (ISOException e) {
                throw new IllegalStateException("field " + f + " of a decoded message has no value", e);
            }
        }
        return m;
    }

    /**
     * Reversal advice for a transaction: 0420 (first) or 0421 (repeat). Identifies the original by
     * RRN (37) and field 90; the switch keeps no full PAN, so field 2 is not sent.
     */
    public static ISOMsg reversalAdvice(TxnRecord r, String stan, String acquirerId) {
        ISOMsg m = new ISOMsg(r.safAttempts == 0 ? "0420" : "0421");
        m.set(3, r.processingCode);
        m.set(4, String.format("%012d", r.amount));
        m.set(7, TransmissionTime.now());
        m.set(11, stan);
        m.set(32, r.acquirerId.isEmpty() ? acquirerId : r.acquirerId);
        m.set(37, r.rrn);
        m.set(41, r.terminalId);
        m.set(42, r.merchantId);
        if (!r.currency.isEmpty()) {
            m.set(49, r.currency);
        }
        m.set(90, originalData(r, acquirerId));
        return m;
    }

    /** Field 90 (n42): original MTI, STAN, field 7, acquirer (11, zero-padded), forwarding institution (11). */
    static String originalData(TxnRecord r, String acquirerId) {
        String acq = r.acquirerId.isEmpty() ? acquirerId : r.acquirerId;
        return r.mti + r.switchStan + r.issuerTransmissionTime + "0".repeat(11 - acq.length()) + acq + "0".repeat(11);
    }

    /** The terminal's answer: its own fields echoed, the switch's RRN, and the issuer's 38, 39 and 54. */
    static ISOMsg terminalAnswer(TerminalRequest req, String rrn, String responseCode, ISOMsg issuerAnswer) {
        ISOMsg a = Responses.answer(req.message(), responseCode);
        a.setPackager(req.message().getPackager());
        a.set(37, rrn);
        if (issuerAnswer != null && ResponseCode.APPROVED.equals(responseCode)) {
            for (int f : FROM_ISSUER) {
                if (issuerAnswer.hasField(f)) {
                    a.set(f, issuerAnswer.getString(f));
                }
            }
        }
        return a;
    }
}
