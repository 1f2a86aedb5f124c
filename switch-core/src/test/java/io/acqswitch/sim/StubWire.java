package io.acqswitch.sim;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;

/** Builds the messages a switch sends an issuer, and connects to a stub over 127.0.0.1. */
final class StubWire {
    static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    static final String TERMINAL = "TERM0001";
    private static final AtomicInteger SEQ = new AtomicInteger(1000);

    private StubWire() {}

    static TerminalClient connect(IssuerStub stub) throws IOException {
        return connect(stub, Duration.ofSeconds(5));
    }

    static TerminalClient connect(IssuerStub stub, Duration timeout) throws IOException {
        return new TerminalClient("127.0.0.1", stub.port(), ISO87, timeout);
    }

    static String nextStan() {
        return String.format("%06d", SEQ.incrementAndGet() % 1_000_000);
    }

    static String nextRrn() {
        return String.format("%012d", SEQ.incrementAndGet());
    }

    /** A request as the switch forwards it: with its own STAN, RRN and acquirer id. */
    static ISOMsg request(String mti, String processingCode, String pan, long amount) {
        ISOMsg m = TerminalMessages.financial(mti, processingCode, pan, amount, nextStan(), TERMINAL, "MERCHANT0000001");
        m.set(32, "123456");
        m.set(37, nextRrn());
        return m;
    }

    static ISOMsg sale(String pan, long amount) {
        return request("0200", "000000", pan, amount);
    }

    /** A reversal of {@code original} with its RRN and field 90 (original MTI, STAN, date-time, acquirer). */
    static ISOMsg reversal(String mti, ISOMsg original) {
        ISOMsg m = (ISOMsg) original.clone(new int[] {2, 3, 4, 7, 12, 13, 32, 37, 41, 42, 49});
        m.set(0, mti);
        m.set(11, nextStan());
        m.set(90, original.getString(0) + original.getString(11) + original.getString(7)
                + "00000123456" + "00000000000");
        return m;
    }
}
