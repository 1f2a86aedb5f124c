package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.store.RecordBytes;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes {@link TxnRecord}s to bytes for the store and back. Layout: a version byte, then the
 * fields in declaration order (strings as u16 length + UTF-8, byte arrays as u16 length + bytes).
 * New fields are appended with a new version, so records of older layouts still decode.
 * Not thread-safe (reuses one buffer): one instance per thread.
 */
public final class RecordCodec {
    private static final byte VERSION = 5;
    /** The oldest layout still read: version 4 lacks the duplicate count and the retention mark (read as none). */
    private static final byte OLDEST = 4;
    /** The message classes by ordinal, read once ({@code values()} copies its array on every call). */
    private static final MessageClass[] CLASSES = MessageClass.values();
    private ByteBuffer buf = ByteBuffer.allocate(2048);

    /** The record's bytes in a new array of their own. */
    public byte[] encode(TxnRecord r) {
        int length = encodeInBuffer(r); // first: it may replace the buffer with a larger one
        return Arrays.copyOf(buffer(), length);
    }

    /**
     * Encodes the record into this codec's own buffer, with no array made for it.
     *
     * @return how many bytes of {@link #buffer()} hold it; valid until the next call
     */
    public int encodeInBuffer(TxnRecord r) {
        while (true) {
            try {
                buf.clear();
                write(r);
                return buf.position();
            } catch (BufferOverflowException e) {
                buf = ByteBuffer.allocate(buf.capacity() * 2);
            }
        }
    }

    /** The buffer {@link #encodeInBuffer} writes to (a larger one after a record outgrew it). */
    public byte[] buffer() {
        return buf.array();
    }

    private void write(TxnRecord r) {
        buf.put(VERSION);
        str(r.rrn);
        buf.put((byte) r.state.ordinal());
        buf.put((byte) r.messageClass.ordinal());
        str(r.mti);
        str(r.processingCode);
        str(r.dedupeKey);
        buf.putLong(r.fingerprint);
        str(r.originalKey);
        str(r.terminalStan);
        str(r.terminalId);
        str(r.merchantId);
        str(r.acquirerId);
        str(r.maskedPan);
        buf.putLong(r.amount);
        str(r.currency);
        buf.putInt(r.issuer);
        str(r.issuerId);
        str(r.switchStan);
        str(r.issuerTransmissionTime);
        str(r.responseCode);
        str(r.authCode);
        buf.putShort((short) r.response.length).put(r.response);
        buf.put((byte) ((r.delivered ? 1 : 0) | (r.reverseWhenAnswered ? 2 : 0) | (r.safExpired ? 4 : 0)));
        buf.putLong(r.receivedAt).putLong(r.forwardedAt).putLong(r.deadline).putLong(r.completedAt);
        str(r.reversalReason);
        buf.putInt(r.safAttempts);
        buf.putLong(r.safNextAt).putLong(r.safExpiresAt).putLong(r.reversedAt);
        buf.putLong(r.panHash);
        str(r.originalRrn);
        str(r.voidedBy);
        buf.putLong(r.refundedAmount);
        str(r.flag);
        str(r.batch);
        str(r.completedBy);
        buf.putInt(r.duplicates).putLong(r.lastDuplicateAt).putLong(r.retentionAt);
    }

    /** u16 length + UTF-8; ASCII (nearly every field) is copied char by char, with no byte[] made. */
    private void str(String s) {
        String t = s == null ? "" : s;
        int n = t.length();
        int start = buf.position();
        if (buf.remaining() < 2 + n) {
            throw new BufferOverflowException();
        }
        buf.putShort((short) n);
        for (int i = 0; i < n; i++) {
            char c = t.charAt(i);
            if (c >= 0x80) { // not ASCII: the length in bytes differs from the length in chars
                byte[] b = t.getBytes(StandardCharsets.UTF_8);
                buf.position(start);
                buf.putShort((short) b.length).put(b);
                return;
            }
            buf.put((byte) c);
        }
    }

    /**
     * Marks encoded record bytes delivered in place (the flags byte after the terminal's answer):
     * confirming a delivery then costs no decode and no encode of the whole record.
     *
     * @return false when the record was delivered already (the bytes are unchanged)
     * @throws IllegalArgumentException for bytes of an unknown layout version
     */
    public static boolean markDelivered(byte[] bytes) {
        return markDelivered(RecordBytes.of(bytes));
    }

    /** {@link #markDelivered(byte[])} on bytes where they lie (a store's {@link RecordBytes.Edit}). */
    public static boolean markDelivered(RecordBytes bytes) {
        int at = skipStrings(bytes, responseAt(bytes), 1); // response bytes
        byte flags = bytes.get(at);
        if ((flags & 1) != 0) {
            return false;
        }
        bytes.set(at, (byte) (flags | 1));
        return true;
    }

    /**
     * The packed answer to the terminal held in encoded record bytes (empty when none yet), read
     * without decoding the rest: the journal wants it only when it writes the answer's text.
     *
     * @throws IllegalArgumentException for bytes of an unknown layout version
     */
    public static byte[] response(byte[] bytes) {
        RecordBytes b = RecordBytes.of(bytes);
        int at = responseAt(b);
        int n = (b.get(at) & 0xff) << 8 | (b.get(at + 1) & 0xff);
        return Arrays.copyOfRange(bytes, at + 2, at + 2 + n);
    }

    /**
     * Where the packed response's length prefix sits in encoded record bytes.
     *
     * @throws IllegalArgumentException for bytes of an unknown layout version
     */
    private static int responseAt(RecordBytes b) {
        byte version = b.get(0);
        if (version < OLDEST || version > VERSION) {
            throw new IllegalArgumentException("unknown record version " + version);
        }
        int at = skipStrings(b, 1, 1); // rrn
        at += 2; // state, class
        at = skipStrings(b, at, 3); // mti, processing code, dedupe key
        at += 8; // fingerprint
        at = skipStrings(b, at, 6); // original key, terminal STAN, terminal, merchant, acquirer, masked PAN
        at += 8; // amount
        at = skipStrings(b, at, 1); // currency
        at += 4; // issuer
        return skipStrings(b, at, 5); // issuer id, switch STAN, field 7, response code, auth code
    }

    /** @return the position after {@code n} length-prefixed values starting at {@code at} */
    private static int skipStrings(RecordBytes b, int at, int n) {
        int p = at;
        for (int i = 0; i < n; i++) {
            p += 2 + ((b.get(p) & 0xff) << 8 | (b.get(p + 1) & 0xff));
        }
        return p;
    }

    /** @throws IllegalArgumentException for bytes of an unknown layout version */
    public static TxnRecord decode(byte[] bytes) {
        return decode(bytes, true, null);
    }

    /**
     * The record as the journal reads it: every field but the packed response and the values only
     * the processor uses (dedupe, original and completion keys, acquirer ID, the switch's STAN and
     * transmission time to the issuer, voided-by, SAF timers, PAN hash, refunded amount, retention),
     * which are skipped and keep a new record's values (empty, 0). The journal decodes every change
     * it writes, so these copies were most of what it allocated per change.
     *
     * @throws IllegalArgumentException for bytes of an unknown layout version
     */
    public static TxnRecord decodeJournaled(byte[] bytes) {
        return decode(bytes, false, null);
    }

    /**
     * As {@link #decodeJournaled(byte[])}, the fields that repeat from record to record (MTI,
     * processing code, terminal, merchant, currency, issuer, response code, reversal reason, flag,
     * batch) taken from {@code strings} when it has them.
     */
    public static TxnRecord decodeJournaled(byte[] bytes, StringCache strings) {
        return decode(bytes, false, strings);
    }

    private static TxnRecord decode(byte[] bytes, boolean full, StringCache strings) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version < OLDEST || version > VERSION) {
            throw new IllegalArgumentException("unknown record version " + version);
        }
        TxnRecord r = new TxnRecord();
        r.rrn = str(b);
        r.state = TxnState.of(b.get());
        r.messageClass = CLASSES[b.get()];
        r.mti = str(b, strings);
        r.processingCode = str(b, strings);
        r.dedupeKey = full ? str(b) : skip(b);
        r.fingerprint = b.getLong();
        r.originalKey = full ? str(b) : skip(b);
        r.terminalStan = str(b);
        r.terminalId = str(b, strings);
        r.merchantId = str(b, strings);
        r.acquirerId = full ? str(b) : skip(b);
        r.maskedPan = str(b);
        r.amount = b.getLong();
        r.currency = str(b, strings);
        r.issuer = b.getInt();
        r.issuerId = str(b, strings);
        r.switchStan = full ? str(b) : skip(b);
        r.issuerTransmissionTime = full ? str(b) : skip(b);
        r.responseCode = str(b, strings);
        r.authCode = str(b);
        if (full) {
            r.response = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(r.response);
        } else {
            skip(b);
        }
        int flags = b.get();
        r.delivered = (flags & 1) != 0;
        r.reverseWhenAnswered = (flags & 2) != 0;
        r.safExpired = (flags & 4) != 0;
        r.receivedAt = b.getLong();
        r.forwardedAt = b.getLong();
        r.deadline = b.getLong();
        r.completedAt = b.getLong();
        r.reversalReason = str(b, strings);
        r.safAttempts = b.getInt();
        r.safNextAt = b.getLong();
        r.safExpiresAt = b.getLong();
        r.reversedAt = b.getLong();
        r.panHash = b.getLong();
        r.originalRrn = str(b);
        r.voidedBy = full ? str(b) : skip(b);
        r.refundedAmount = b.getLong();
        r.flag = str(b, strings);
        r.batch = str(b, strings);
        r.completedBy = full ? str(b) : skip(b);
        if (version >= 5) {
            r.duplicates = b.getInt();
            r.lastDuplicateAt = b.getLong();
            r.retentionAt = b.getLong();
        }
        return r;
    }

    /**
     * Where the original key's UTF-8 bytes start in an encoded record, without decoding it (the
     * cluster partitions every put by it, on the processor thread); its length is {@link
     * #originalKeyLength}. -1 for bytes of an unknown layout version.
     */
    public static int originalKeyOffset(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] < OLDEST || bytes[0] > VERSION) {
            return -1;
        }
        RecordBytes b = RecordBytes.of(bytes);
        int at = skipStrings(b, 1, 1); // rrn
        at += 2; // state, class
        at = skipStrings(b, at, 3); // mti, processing code, dedupe key
        return at + 8 + 2; // fingerprint, then the original key's length
    }

    /** The original key's length in bytes at {@link #originalKeyOffset}. */
    public static int originalKeyLength(byte[] bytes, int offset) {
        return ((bytes[offset - 2] & 0xff) << 8) | (bytes[offset - 1] & 0xff);
    }

    /** Steps over a length-prefixed value; {@code ""}, a new record's value of the field it leaves unread. */
    private static String skip(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + n);
        return "";
    }

    private static String str(ByteBuffer b) {
        return str(b, null);
    }

    /** A length-prefixed UTF-8 value; taken from {@code strings} when not null. */
    private static String str(ByteBuffer b, StringCache strings) {
        int n = Short.toUnsignedInt(b.getShort());
        String s;
        if (n == 0) {
            s = ""; // most records leave several fields empty: no String for each
        } else if (strings != null) {
            s = strings.get(b.array(), b.position(), n);
        } else {
            s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        }
        b.position(b.position() + n);
        return s;
    }
}
