package io.acqswitch.iso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.support.Hex;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.ISO87BPackager;
import org.junit.jupiter.api.Test;

/**
 * The cup codec against the UnionPay samples of the test resources' {@code vectors/} (its README's
 * tables): decode every field the table lists, classify, and re-encode to the same bytes. Frames
 * "with length" are checked and stripped of their 2-byte prefix (the wire framing, done by the frame
 * decoder); the others start at the TPDU; the bare 0500 body gets a TPDU + header put in front.
 */
class CupConformanceTest {
    private final IsoCodec codec = IsoCodec.of(Dialect.CUP);

    /** The body after a 2-byte length prefix, which must count exactly the bytes after it. */
    private static byte[] withLength(String vector) {
        byte[] frame = Hex.vector(vector);
        assertEquals(frame.length - 2, ((frame[0] & 0xff) << 8) | (frame[1] & 0xff), "length prefix");
        return Arrays.copyOfRange(frame, 2, frame.length);
    }

    private ISOMsg roundTrip(byte[] body) throws Exception {
        ISOMsg m = new ISOMsg();
        codec.unpack(body, m);
        assertArrayEquals(body, codec.pack(m), "re-encoding gives the same bytes");
        return m;
    }

    private static String hex(ISOMsg m, int field) {
        return Hex.of(m.getBytes(field));
    }

    private static void assertHeader(String tpduAndHeader, ISOMsg m) {
        assertEquals(tpduAndHeader, Hex.of(m.getHeader()));
    }

    @Test
    void shouldDecodeSignOnRequest() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0800-signon-req.hex"));
        assertHeader("6005010000" + "613100311108", m);
        assertEquals("0800", m.getMTI());
        assertEquals("000001", m.getString(11));
        assertEquals("99999906", m.getString(41));
        assertEquals("001430170119999", m.getString(42));
        assertEquals("00000000003", m.getString(60));
        assertEquals("003", CupFields.networkCode(m));
        assertEquals("000000", CupFields.batch(m));
        assertEquals("53657175656E6365204E6F3132333036303939393939393036", hex(m, 62));
        assertEquals("001", m.getString(63));
        assertEquals(MessageClass.NETWORK_MANAGEMENT, Classifier.classify(m, Dialect.CUP));
        assertEquals(null, Validator.check(m, MessageClass.NETWORK_MANAGEMENT, Dialect.CUP));
    }

    @Test
    void shouldDecodeSignOnResponseWithKeys() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0810-signon-resp.hex"));
        assertHeader("6000000138" + "613100311108", m);
        assertEquals("0810", m.getMTI());
        assertEquals("500211", m.getString(11));
        assertEquals("221301", m.getString(12));
        assertEquals("0720", m.getString(13));
        assertEquals("00085500", m.getString(32));
        assertEquals("221301491329", m.getString(37));
        assertEquals("00", m.getString(39));
        assertEquals("99999906", m.getString(41));
        assertEquals("001430170119999", m.getString(42));
        assertEquals("00000519003", m.getString(60));
        assertEquals("46F161A743497B32EAC760DF5EA57DF5900ECCE3977731A7EA402DDF0000000000000000CFF1592A", hex(m, 62));
    }

    @Test
    void shouldDecodeContactlessSaleWithPinAndTrack2() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0200-sale-req-blog.hex"));
        assertHeader("6000060000" + "603100311003", m);
        assertEquals("0200", m.getMTI());
        assertEquals("6224242900000113", m.getString(2));
        assertEquals("000000", m.getString(3));
        assertEquals("000000000001", m.getString(4));
        assertEquals("000403", m.getString(11));
        assertEquals("2806", m.getString(14));
        assertEquals("071", m.getString(22), "left-aligned BCD 0710");
        assertEquals("000", m.getString(23));
        assertEquals("00", m.getString(25));
        assertEquals("12", m.getString(26));
        // jPOS shows the separator nibble D as '=' and packs '=' back to D
        assertEquals("6224242900000113D28062013949031013", m.getString(35).replace('=', 'D'));
        assertEquals("10000019", m.getString(41));
        assertEquals("850100082410002", m.getString(42));
        assertEquals("0", m.getString(48));
        assertEquals("156", m.getString(49));
        assertEquals("D1EEF419D0AE2609", hex(m, 52));
        assertEquals("2600000000000000", m.getString(53));
        assertEquals(139, m.getBytes(55).length);
        assertEquals(153, m.getString(59).length());
        assertEquals("22000024000600", m.getString(60));
        assertEquals("3846363531423236", hex(m, 64));
        assertEquals(MessageClass.SALE, Classifier.classify(m, Dialect.CUP));
        assertEquals(null, Validator.check(m, MessageClass.SALE, Dialect.CUP));
        assertEquals("6224242900000113", TerminalRequest.of(m, MessageClass.SALE, Dialect.CUP).pan());
    }

    @Test
    void shouldDecodeSaleWithVendorFields() throws Exception {
        ISOMsg m = roundTrip(Hex.vector("cup-0200-sale-req-vfwz.hex"));
        assertHeader("6000030000" + "603100310100", m);
        assertEquals("6224242300000069", m.getString(2));
        assertEquals("000000001111", m.getString(4));
        assertEquals("000079", m.getString(11));
        assertEquals("141554", m.getString(12));
        assertEquals("0824", m.getString(13));
        assertEquals("2903", m.getString(14));
        assertEquals("071", m.getString(22));
        assertEquals("84329004582000B", m.getString(42));
        assertEquals("PI06404020205140000240210687000000106060000690708D3903F390808V0.0.3.0", m.getString(46));
        assertEquals("0000000000000000", hex(m, 52));
        assertEquals("2410000000000000", m.getString(53));
        assertEquals(145, m.getBytes(55).length);
        assertEquals("2200072700060", m.getString(60));
        assertEquals("FF02213436307C30307C32383638387C3433323232383439", hex(m, 62));
        assertEquals("534D303136CDC489E91786D0BE01F543D813611BCD", Hex.of(m.getString(63).getBytes(Charset.forName("ISO-8859-1"))));
        assertEquals("3833353932373435", hex(m, 64));
        assertEquals(MessageClass.SALE, Classifier.classify(m, Dialect.CUP));
    }

    @Test
    void shouldDecodeApprovedSaleResponse() throws Exception {
        ISOMsg m = roundTrip(Hex.vector("cup-0210-sale-resp-vfwz.hex"));
        assertEquals("0210", m.getMTI());
        assertEquals("0000", m.getString(14));
        assertEquals("0824", m.getString(15));
        assertEquals("48431665", m.getString(32));
        assertEquals("X00004002761", m.getString(37));
        assertEquals("650852", m.getString(38));
        assertEquals("00", m.getString(39));
        assertEquals("河南省银隆信息技术有限公司", new String(m.getString(43).getBytes(Charset.forName("ISO-8859-1")),
                Charset.forName("GBK")).trim());
        assertEquals("0309       4843       ", m.getString(44));
        assertEquals("22000727000600070", m.getString(60));
    }

    @Test
    void shouldDecodeContactSaleWithNineteenDigitPan() throws Exception {
        ISOMsg m = roundTrip(Hex.vector("cup-0200-sale-req-scandemo.hex"));
        assertHeader("6000030000" + "60310031FFF1", m);
        assertEquals("6217973910000725090", m.getString(2));
        assertEquals("000000005588", m.getString(4));
        assertEquals("000023", m.getString(11));
        assertEquals("051", m.getString(22));
        assertEquals("001", m.getString(23));
        assertEquals("06", m.getString(26));
        assertEquals("29800013", m.getString(41));
        assertEquals("086BDB118D7AC25E", hex(m, 52));
        assertEquals("000001000178", m.getString(59));
        assertEquals("2200000000060", m.getString(60));
        assertEquals("4643423245374432", hex(m, 64));
        assertEquals(MessageClass.SALE, Classifier.classify(m, Dialect.CUP));
    }

    @Test
    void shouldDecodeMacErrorResponse() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0210-sale-resp-a0-scandemo.hex"));
        assertEquals("0210", m.getMTI());
        assertEquals("165419", m.getString(12));
        assertEquals("1115", m.getString(13));
        assertEquals("A0", m.getString(39));
        assertEquals("4244454432463843", hex(m, 64));
    }

    @Test
    void shouldDecodeBalanceResponse() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0210-balance-resp.hex"));
        assertHeader("6000000003" + "603100311004", m);
        assertEquals("622908413005552715", m.getString(2));
        assertEquals("310000", m.getString(3));
        assertEquals("00096900", m.getString(32));
        assertEquals("100001552351", m.getString(37));
        assertEquals("03090000   03056900   ", m.getString(44));
        assertEquals(101, m.getString(47).length());
        assertEquals("1002156C000000002407", m.getString(54));
        assertEquals("910A0C0E2A5E864896523030", hex(m, 55));
        assertEquals("0100000100050", m.getString(60));
        assertEquals("01", CupFields.type(m));
    }

    @Test
    void shouldDecodeReversal() throws Exception {
        ISOMsg m = roundTrip(withLength("cup-0400-reversal-req.hex"));
        assertHeader("6000060000" + "603100320072", m);
        assertEquals("0400", m.getMTI());
        assertEquals("6212142000000000012", m.getString(2));
        assertEquals("000000000111", m.getString(4));
        assertEquals("001176", m.getString(11));
        assertEquals("2912", m.getString(14));
        assertEquals("06", m.getString(39));
        assertEquals("10000147", m.getString(41));
        assertEquals("801000949000001", m.getString(42));
        assertEquals(40, m.getBytes(55).length);
        assertEquals("22000001000601", m.getString(60));
        assertEquals(MessageClass.REVERSAL, Classifier.classify(m, Dialect.CUP));
        assertEquals(null, Validator.check(m, MessageClass.REVERSAL, Dialect.CUP));
    }

    @Test
    void shouldDecodeBareSettlementBodyBehindAHeader() throws Exception {
        byte[] header = Hex.bytes("6000060000" + "603100311003");
        byte[] bare = Hex.vector("cup-0500-settle-req-bare.hex");
        byte[] body = Arrays.copyOf(header, header.length + bare.length);
        System.arraycopy(bare, 0, body, header.length, bare.length);
        ISOMsg m = roundTrip(body);
        assertEquals("0500", m.getMTI());
        assertEquals("000645", m.getString(11));
        assertEquals("12345677", m.getString(41));
        assertEquals("123456789012345", m.getString(42));
        assertEquals("00000000000700700000000000000000000000000000000000000000000000", m.getString(48));
        assertEquals("156", m.getString(49));
        assertEquals("00000003201", m.getString(60));
        assertEquals("201", CupFields.networkCode(m));
        assertEquals("01 ", m.getString(63));
        assertEquals(MessageClass.SETTLEMENT, Classifier.classify(m, Dialect.CUP));
    }

    @Test
    void shouldNotMistakeTheCupDerivedGatewayDialectForCup() {
        // PayBy's field 60 is ASCII: read as BCD it leaves bytes over, so the frame is refused (30)
        for (String v : new String[] {"cupx-0220-refund-req-payby.hex", "cupx-0230-refund-resp-payby.hex"}) {
            assertThrows(ISOException.class, () -> codec.unpack(Hex.vector(v), new ISOMsg()), v);
        }
    }

    @Test
    void shouldRejectFrameNoLongerThanTheHeader() {
        assertThrows(ISOException.class, () -> codec.unpack(Hex.bytes("6000060000603100311003"), new ISOMsg()));
    }

    @Test
    void shouldClassifyByMtiProcessingCodeConditionCodeAndType() {
        assertEquals(MessageClass.SALE, classify("0200", "000000", "00", "22"));
        assertEquals(MessageClass.VOID, classify("0200", "200000", "00", "23"));
        assertEquals(MessageClass.REFUND, classify("0220", "200000", "00", "25"));
        assertEquals(MessageClass.PRE_AUTH, classify("0100", "030000", "06", "10"));
        assertEquals(MessageClass.PRE_AUTH_VOID, classify("0100", "200000", "06", "11"));
        assertEquals(MessageClass.COMPLETION, classify("0200", "000000", "06", "20"));
        assertEquals(MessageClass.COMPLETION_VOID, classify("0200", "200000", "06", "21"));
        assertEquals(MessageClass.COMPLETION_ADVICE, classify("0220", "000000", "06", "24"));
        assertEquals(MessageClass.BALANCE, classify("0200", "310000", "00", "01"));
        assertEquals(MessageClass.REVERSAL, classify("0400", "000000", "00", "22"));
        assertEquals(MessageClass.SETTLEMENT, classify("0500", null, null, "00"));
        assertEquals(MessageClass.BATCH_UPLOAD, classify("0320", null, null, "00"));
        assertEquals(MessageClass.NETWORK_MANAGEMENT, classify("0800", null, null, "00"));
        assertEquals(MessageClass.NETWORK_MANAGEMENT, classify("0820", null, null, "00"));
        // 60.1 must agree with the rest
        assertEquals(MessageClass.UNKNOWN, classify("0200", "000000", "00", "23"));
        assertEquals(MessageClass.UNKNOWN, classify("0200", "000000", "00", null));
        assertEquals(MessageClass.UNKNOWN, classify("0100", "030000", "00", "10"));
    }

    @Test
    void shouldAnswerWithSwappedTpduAndTheSameHeader() throws Exception {
        ISOMsg req = new ISOMsg();
        codec.unpack(withLength("cup-0800-signon-req.hex"), req);
        ISOMsg answer = Responses.answer(req, ResponseCode.APPROVED);
        assertEquals("6000000501" + "613100311108", Hex.of(answer.getHeader()));
        assertEquals("6005010000" + "613100311108", Hex.of(req.getHeader()), "the request keeps its own header");
        byte[] packed = codec.pack(answer);
        assertEquals("6000000501613100311108" + "0810", Hex.of(Arrays.copyOf(packed, 13)));
    }

    @Test
    void shouldPackTrack2BackToTheDSeparatorForIso87Too() throws Exception {
        ISOMsg m = new ISOMsg();
        codec.unpack(withLength("cup-0200-sale-req-blog.hex"), m);
        ISOMsg iso = new ISOMsg("0200");
        iso.set(35, m.getString(35));
        iso.setPackager(new ISO87BPackager());
        assertTrue(Hex.of(iso.pack()).contains("6224242900000113D28062013949031013"));
    }

    @Test
    void shouldFrameWithTheDialectsHeaderWhateverAnOverrideFileSays() throws Exception {
        Path shipped = Path.of(System.getProperty("acqswitch.config.dir", "../config"), "packagers", "cup.xml");
        Path override = Files.createTempFile("cup-override", ".xml");
        Files.writeString(override, Files.readString(shipped).replace(" headerLength=\"11\"", ""));
        IsoCodec fromFile = IsoCodec.fromXml(Dialect.CUP, override);
        byte[] body = withLength("cup-0800-signon-req.hex");
        ISOMsg m = new ISOMsg();
        fromFile.unpack(body, m);
        assertEquals("000001", m.getString(11));
        assertArrayEquals(body, fromFile.pack(m));
        Files.delete(override);
    }

    private static MessageClass classify(String mti, String proc, String cond, String type) {
        ISOMsg m = new ISOMsg(mti);
        if (proc != null) {
            m.set(3, proc);
        }
        if (cond != null) {
            m.set(25, cond);
        }
        if (type != null) {
            m.set(60, type + "000001000");
        }
        return Classifier.classify(m, Dialect.CUP);
    }
}
