package io.acqswitch.bench.micro;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Responses;
import io.acqswitch.sim.TerminalMessages;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/** The typical messages the benchmarks use: a magnetic-stripe 0200 sale as the load harness sends it, and its 0210. */
final class Messages {
    static final IsoCodec CODEC = IsoCodec.of(Dialect.ISO87);

    private Messages() {}

    /** 0200 with 2, 3, 4, 7, 11, 12, 13, 22, 25, 41, 42, 49, bound to {@link #CODEC}'s packager. */
    static ISOMsg sale() {
        ISOMsg m = TerminalMessages.sale("4761739001010010", 1000, "000001", "BENCH001", "BENCHMERCHANT01");
        return withPackager(m);
    }

    /** The issuer's approval of {@code request}: 0210 with 37, 38, 39 added. */
    static ISOMsg approval(ISOMsg request) {
        ISOMsg a = Responses.answer(request, "00");
        a.set(37, "632700000001");
        a.set(38, "A1B2C3");
        return withPackager(a);
    }

    static byte[] pack(ISOMsg m) {
        try {
            return CODEC.pack(m);
        } catch (ISOException e) {
            throw new IllegalStateException("benchmark message does not pack", e);
        }
    }

    private static ISOMsg withPackager(ISOMsg m) {
        try {
            ISOMsg bound = CODEC.newMessage(null);
            CODEC.unpack(CODEC.pack(m), bound);
            return bound;
        } catch (ISOException e) {
            throw new IllegalStateException("benchmark message does not pack", e);
        }
    }
}
