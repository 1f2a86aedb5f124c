package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.acqswitch.iso.MessageClass;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The store's record layout: round trip, and records written by the previous layout still read after an upgrade. */
class RecordCodecTest {
    private static TxnRecord sample() {
        TxnRecord r = new TxnRecord();
        r.rrn = "633012000042";
        r.state = TxnState.APPROVED;
        r.messageClass = MessageClass.SALE;
        r.maskedPan = "476173******0010";
        r.amount = 1234;
        r.responseCode = "00";
        r.response = new byte[] {1, 2, 3};
        r.delivered = true;
        r.duplicates = 3;
        r.lastDuplicateAt = 1_790_000_000_000L;
        r.retentionAt = 1_792_000_000_000L;
        return r;
    }

    @Test
    void shouldRoundTripTheDuplicateCount() {
        TxnRecord back = RecordCodec.decode(new RecordCodec().encode(sample()));
        assertEquals(3, back.duplicates);
        assertEquals(1_790_000_000_000L, back.lastDuplicateAt);
        assertEquals(1_792_000_000_000L, back.retentionAt);
        assertEquals("476173******0010", back.maskedPan);
        assertEquals(TxnState.APPROVED, back.state);
    }

    @Test
    void shouldReadVersion4RecordsAsNeverDuplicated() {
        byte[] v5 = new RecordCodec().encode(sample());
        byte[] v4 = Arrays.copyOf(v5, v5.length - Integer.BYTES - 2 * Long.BYTES); // version 4 ended before the count
        v4[0] = 4;
        TxnRecord back = RecordCodec.decode(v4);
        assertEquals(0, back.duplicates);
        assertEquals(0, back.lastDuplicateAt);
        assertEquals(0, back.retentionAt);
        assertEquals(1234, back.amount);
        assertEquals("00", back.responseCode);
    }

    @Test
    void shouldRefuseUnknownVersions() {
        byte[] bytes = new RecordCodec().encode(sample());
        bytes[0] = 3;
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(bytes));
        bytes[0] = 6;
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(bytes));
    }

    @Test
    void shouldMarkEncodedBytesDeliveredWithoutChangingAnythingElse() {
        TxnRecord r = sample();
        r.delivered = false;
        r.reverseWhenAnswered = true;
        r.flag = "out of balance …"; // not ASCII: encoded the long way
        r.terminalId = "TERM0001";
        byte[] bytes = new RecordCodec().encode(r);
        TxnRecord expected = RecordCodec.decode(bytes);
        expected.delivered = true;

        assertEquals(true, RecordCodec.markDelivered(bytes));
        assertEquals(false, RecordCodec.markDelivered(bytes), "delivered already");
        assertArrayEquals(new RecordCodec().encode(expected), bytes);
        TxnRecord back = RecordCodec.decode(bytes);
        assertEquals(true, back.delivered);
        assertEquals(true, back.reverseWhenAnswered);
        assertEquals("out of balance …", back.flag);
    }

    @Test
    void shouldRoundTripNonAsciiTextAndGrowForLongRecords() {
        TxnRecord r = sample();
        r.flag = "é".repeat(1500) + " ✓"; // 3000+ bytes: more than the first buffer holds
        assertEquals(r.flag, RecordCodec.decode(new RecordCodec().encode(r)).flag);
    }
}
