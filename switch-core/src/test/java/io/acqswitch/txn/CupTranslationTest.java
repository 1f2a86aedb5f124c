package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.support.Hex;
import java.util.Arrays;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** A cup request becomes a valid iso87 message on the issuer leg; its answers stay cup. */
class CupTranslationTest {
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);

    private static TerminalRequest request(String vector, boolean lengthPrefixed) throws Exception {
        byte[] frame = Hex.vector(vector);
        byte[] body = lengthPrefixed ? Arrays.copyOfRange(frame, 2, frame.length) : frame;
        ISOMsg m = new ISOMsg();
        CUP.unpack(body, m);
        return TerminalRequest.of(m, Classifier.classify(m, Dialect.CUP), Dialect.CUP);
    }

    private static TxnRecord record() {
        TxnRecord r = new TxnRecord();
        r.rrn = "000000123456";
        r.switchStan = "765432";
        r.issuerTransmissionTime = "1123213000";
        return r;
    }

    /** The forwarded message as the issuer reads it: packed and unpacked by the iso87 codec. */
    private static ISOMsg atIssuer(TerminalRequest req) throws Exception {
        byte[] bytes = ISO87.pack(IssuerMessages.forward(req, record(), "123456"));
        ISOMsg m = new ISOMsg();
        ISO87.unpack(bytes, m);
        return m;
    }

    @Test
    void shouldForwardCupSaleAsIso87WithStandardFieldsOnly() throws Exception {
        TerminalRequest req = request("cup-0200-sale-req-blog.hex", true);
        assertEquals(MessageClass.SALE, req.messageClass());
        ISOMsg m = atIssuer(req);
        assertNull(m.getHeader(), "no TPDU on the issuer leg");
        assertEquals("0200", m.getMTI());
        assertEquals("6224242900000113", m.getString(2));
        assertEquals("000000", m.getString(3));
        assertEquals("000000000001", m.getString(4));
        assertEquals("1123213000", m.getString(7));
        assertEquals("765432", m.getString(11));
        assertEquals("2806", m.getString(14));
        assertEquals("071", m.getString(22));
        assertEquals("000", m.getString(23));
        assertEquals("00", m.getString(25));
        assertEquals("123456", m.getString(32), "the switch's acquirer id when the terminal sends none");
        assertEquals(req.message().getString(35), m.getString(35));
        assertEquals("000000123456", m.getString(37));
        assertEquals("10000019", m.getString(41));
        assertEquals("850100082410002", m.getString(42));
        assertEquals("156", m.getString(49));
        assertArrayEquals(req.message().getBytes(52), m.getBytes(52));
        assertArrayEquals(req.message().getBytes(55), m.getBytes(55));
        for (int f : new int[] {26, 48, 53, 59, 60, 61, 62, 63, 64}) {
            assertFalse(m.hasField(f), "field " + f + " stays behind");
        }
    }

    @Test
    void shouldKeepTimesAndAcquirerOfTheTerminal() throws Exception {
        ISOMsg m = atIssuer(request("cup-0200-sale-req-vfwz.hex", false));
        assertEquals("141554", m.getString(12));
        assertEquals("0824", m.getString(13));
        assertFalse(m.hasField(46) || m.hasField(62) || m.hasField(63));
    }

    @Test
    void shouldAnswerTheCupTerminalInCup() throws Exception {
        TerminalRequest req = request("cup-0200-sale-req-scandemo.hex", false);
        ISOMsg issuer = new ISOMsg("0210");
        issuer.set(38, "650852");
        issuer.set(39, "00");
        ISOMsg a = IssuerMessages.terminalAnswer(req, "000000123456", "00", issuer);
        ISOMsg back = new ISOMsg();
        CUP.unpack(a.pack(), back);
        assertEquals("6000000003" + "60310031FFF1", Hex.of(back.getHeader()));
        assertEquals("0210", back.getMTI());
        assertFalse(back.hasField(2), "the card number is not echoed");
        assertEquals("000023", back.getString(11));
        assertEquals("000000123456", back.getString(37));
        assertEquals("650852", back.getString(38));
        assertEquals("00", back.getString(39));
        assertEquals("2200000000060", back.getString(60));
        assertFalse(back.hasField(52) || back.hasField(55) || back.hasField(64));
    }
}
