package io.acqswitch.iso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.support.Hex;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The iso87 codec against public byte samples (test resources, {@code vectors/}): decode, classify, re-encode to the same bytes. */
class CodecConformanceTest {
    private final IsoCodec codec = IsoCodec.of(Dialect.ISO87);

    private ISOMsg roundTrip(byte[] bytes) throws Exception {
        ISOMsg m = new ISOMsg();
        codec.unpack(bytes, m);
        assertArrayEquals(bytes, codec.pack(m), "re-encoding gives the same bytes");
        return m;
    }

    @Test
    void shouldDecodeHypercomNetworkMessage() throws Exception {
        ISOMsg m = roundTrip(Hex.vector("iso87-0800-hpdh.hex"));
        assertEquals("0800", m.getMTI());
        assertEquals("920000", m.getString(3));
        assertEquals("000028", m.getString(11));
        assertEquals("004", m.getString(24));
        assertEquals("DTI00001", m.getString(41));
        assertEquals(MessageClass.NETWORK_MANAGEMENT, Classifier.classify(m, Dialect.ISO87));
    }

    @Test
    void shouldDecodeSignOnResponseWithSecondaryBitmap() throws Exception {
        ISOMsg m = roundTrip(Hex.vector("iso87-0810-signon-resp-ebcdic.hex"));
        assertEquals("0810", m.getMTI());
        assertEquals("0501130427", m.getString(7));
        assertEquals("000005", m.getString(11));
        assertEquals("001", m.getString(70));
    }

    @Test
    void shouldClassifyByMtiProcessingCodeAndConditionCode() {
        assertEquals(MessageClass.SALE, classify("0200", "000000", "00"));
        assertEquals(MessageClass.COMPLETION, classify("0200", "000000", "06"));
        assertEquals(MessageClass.VOID, classify("0200", "200000", "00"));
        assertEquals(MessageClass.BALANCE, classify("0200", "310000", "00"));
        assertEquals(MessageClass.REFUND, classify("0220", "200000", "00"));
        assertEquals(MessageClass.PRE_AUTH, classify("0100", "030000", "06"));
        assertEquals(MessageClass.PRE_AUTH_VOID, classify("0100", "200000", "06"));
        assertEquals(MessageClass.REVERSAL, classify("0400", "000000", "00"));
        assertEquals(MessageClass.SETTLEMENT, classify("0500", "920000", "00"));
        assertEquals(MessageClass.UNKNOWN, classify("0200", "990000", "00"));
        assertEquals(MessageClass.UNKNOWN, classify("0600", "000000", "00"));
    }

    @Test
    void shouldAnswerRequestsAndRepeatsWithTheResponseMti() {
        assertEquals("0210", Responses.responseMti("0200"));
        assertEquals("0430", Responses.responseMti("0421"));
        assertEquals("0410", Responses.responseMti("0401"));
        assertEquals("0810", Responses.responseMti("0800"));
        assertEquals(null, Responses.responseMti("0210"));
        assertEquals(null, Responses.responseMti("02X0"));
    }

    private static MessageClass classify(String mti, String proc, String cond) {
        ISOMsg m = new ISOMsg(mti);
        m.set(3, proc);
        m.set(25, cond);
        return Classifier.classify(m, Dialect.ISO87);
    }
}
