package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.store.HeapTransactionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
    void shouldDecodeForTheJournalEveryJournaledFieldAndSkipTheProcessorsOwn() {
        TxnRecord r = sample();
        r.mti = "0200";
        r.processingCode = "000000";
        r.dedupeKey = "D|12345|MERCHANT0000001|TERM0001|000123|1205123000";
        r.originalKey = "12345|MERCHANT0000001|TERM0001|000123";
        r.terminalStan = "000123";
        r.terminalId = "TERM0001";
        r.merchantId = "MERCHANT0000001";
        r.acquirerId = "12345";
        r.currency = "840";
        r.issuerId = "issuer-a";
        r.switchStan = "000777";
        r.issuerTransmissionTime = "1205123000";
        r.authCode = "A1B2C3";
        r.receivedAt = 1_790_000_000_001L;
        r.forwardedAt = 1_790_000_000_002L;
        r.completedAt = 1_790_000_000_003L;
        r.reversedAt = 1_790_000_000_004L;
        r.reversalReason = "issuer timeout";
        r.safAttempts = 2;
        r.safExpired = true;
        r.originalRrn = "633012000041";
        r.voidedBy = "633012000043";
        r.flag = "requeued by alice: issuer back";
        r.batch = "000011";
        r.completedBy = "633012000044";
        TxnRecord j = RecordCodec.decodeJournaled(new RecordCodec().encode(r));
        assertEquals(List.of(r.rrn, r.state, r.messageClass, r.mti, r.processingCode, r.terminalStan,
                        r.terminalId, r.merchantId, r.maskedPan, r.amount, r.currency, r.issuerId, r.responseCode,
                        r.authCode, r.delivered, r.safExpired, r.receivedAt, r.forwardedAt, r.completedAt, r.reversedAt,
                        r.reversalReason, r.safAttempts, r.originalRrn, r.flag, r.batch, r.duplicates, r.lastDuplicateAt),
                List.of(j.rrn, j.state, j.messageClass, j.mti, j.processingCode, j.terminalStan,
                        j.terminalId, j.merchantId, j.maskedPan, j.amount, j.currency, j.issuerId, j.responseCode,
                        j.authCode, j.delivered, j.safExpired, j.receivedAt, j.forwardedAt, j.completedAt, j.reversedAt,
                        j.reversalReason, j.safAttempts, j.originalRrn, j.flag, j.batch, j.duplicates, j.lastDuplicateAt));
        StringCache strings = new StringCache();
        TxnRecord c1 = RecordCodec.decodeJournaled(new RecordCodec().encode(r), strings);
        TxnRecord c2 = RecordCodec.decodeJournaled(new RecordCodec().encode(r), strings);
        assertEquals(List.of(j.mti, j.processingCode, j.terminalId, j.merchantId, j.currency, j.issuerId, j.responseCode,
                j.reversalReason, j.flag, j.batch, j.rrn, j.maskedPan), List.of(c2.mti, c2.processingCode, c2.terminalId,
                c2.merchantId, c2.currency, c2.issuerId, c2.responseCode, c2.reversalReason, c2.flag, c2.batch, c2.rrn,
                c2.maskedPan), "the same values through the cache");
        assertSame(c1.terminalId, c2.terminalId, "a repeated field is decoded once");
        assertSame(c1.merchantId, c2.merchantId);
        assertNotSame(c1.flag, c2.flag, "free text longer than 24 bytes is not cached");
        assertEquals(0, j.response.length, "the packed response is not copied");
        assertEquals(List.of("", "", "", "", "", "", ""),
                List.of(j.dedupeKey, j.originalKey, j.acquirerId, j.switchStan, j.issuerTransmissionTime, j.voidedBy,
                        j.completedBy));
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
    void shouldMarkDeliveredWhereTheChronicleStoreKeepsTheRecordAndKeepItThroughRecovery() throws Exception {
        TxnRecord r = sample();
        r.delivered = false;
        byte[] bytes = new RecordCodec().encode(r);
        TxnRecord expected = RecordCodec.decode(bytes);
        expected.delivered = true;
        byte[] delivered = new RecordCodec().encode(expected);
        Path dir = Files.createTempDirectory("edit");
        try (var store = new ChronicleTransactionStore(dir, 100)) {
            store.put(r.rrn, bytes);
            assertFalse(store.edit("000000000000", RecordCodec::markDelivered), "no such record");

            assertTrue(store.edit(r.rrn, RecordCodec::markDelivered));
            assertFalse(store.edit(r.rrn, RecordCodec::markDelivered), "delivered already");
            assertArrayEquals(delivered, store.get(r.rrn));
            assertEquals(1, store.records());
        }
        // as after a crash: the marker left behind makes the next open recover, checking entry checksums
        Files.writeString(dir.resolve("store").resolve("open.lock"), "0");
        try (var store = new ChronicleTransactionStore(dir, 100)) {
            assertArrayEquals(delivered, store.get(r.rrn), "the in-place change and its checksum survive recovery");
        }
    }

    @Test
    void shouldMarkDeliveredThroughACopyInAStoreThatCannotEditInPlace() {
        TxnRecord r = sample();
        r.delivered = false;
        try (var store = new HeapTransactionStore()) {
            store.put(r.rrn, new RecordCodec().encode(r));
            assertTrue(store.edit(r.rrn, RecordCodec::markDelivered));
            assertFalse(store.edit(r.rrn, RecordCodec::markDelivered), "delivered already");
            assertTrue(RecordCodec.decode(store.get(r.rrn)).delivered);
        }
    }

    @Test
    void shouldRoundTripNonAsciiTextAndGrowForLongRecords() {
        TxnRecord r = sample();
        r.flag = "é".repeat(1500) + " ✓"; // 3000+ bytes: more than the first buffer holds
        assertEquals(r.flag, RecordCodec.decode(new RecordCodec().encode(r)).flag);
    }
}
