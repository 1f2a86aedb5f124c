package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
    private ByteBuffer buf = ByteBuffer.allocate(2048);

    public byte[] encode(TxnRecord r) {
        while (true) {
            try {
                buf.clear();
                write(r);
                byte[] out = new byte[buf.position()];
                buf.flip().get(out);
                return out;
            } catch (BufferOverflowException e) {
                buf = ByteBuffer.allocate(buf.capacity() * 2);
            }
        }
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

    private void str(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        buf.putShort((short) b.length).put(b);
    }

    /** @throws IllegalArgumentException for bytes of an unknown layout version */
    public static TxnRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version < OLDEST || version > VERSION) {
            throw new IllegalArgumentException("unknown record version " + version);
        }
        TxnRecord r = new TxnRecord();
        r.rrn = str(b);
        r.state = TxnState.of(b.get());
        r.messageClass = MessageClass.values()[b.get()];
        r.mti = str(b);
        r.processingCode = str(b);
        r.dedupeKey = str(b);
        r.fingerprint = b.getLong();
        r.originalKey = str(b);
        r.terminalStan = str(b);
        r.terminalId = str(b);
        r.merchantId = str(b);
        r.acquirerId = str(b);
        r.maskedPan = str(b);
        r.amount = b.getLong();
        r.currency = str(b);
        r.issuer = b.getInt();
        r.issuerId = str(b);
        r.switchStan = str(b);
        r.issuerTransmissionTime = str(b);
        r.responseCode = str(b);
        r.authCode = str(b);
        r.response = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(r.response);
        int flags = b.get();
        r.delivered = (flags & 1) != 0;
        r.reverseWhenAnswered = (flags & 2) != 0;
        r.safExpired = (flags & 4) != 0;
        r.receivedAt = b.getLong();
        r.forwardedAt = b.getLong();
        r.deadline = b.getLong();
        r.completedAt = b.getLong();
        r.reversalReason = str(b);
        r.safAttempts = b.getInt();
        r.safNextAt = b.getLong();
        r.safExpiresAt = b.getLong();
        r.reversedAt = b.getLong();
        r.panHash = b.getLong();
        r.originalRrn = str(b);
        r.voidedBy = str(b);
        r.refundedAmount = b.getLong();
        r.flag = str(b);
        r.batch = str(b);
        r.completedBy = str(b);
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
        int at = 1;
        at = skipStr(bytes, at) + 2; // rrn, then state and message class
        at = skipStr(bytes, at); // mti
        at = skipStr(bytes, at); // processing code
        at = skipStr(bytes, at) + 8; // dedupe key, then fingerprint
        return at + 2;
    }

    /** The original key's length in bytes at {@link #originalKeyOffset}. */
    public static int originalKeyLength(byte[] bytes, int offset) {
        return ((bytes[offset - 2] & 0xff) << 8) | (bytes[offset - 1] & 0xff);
    }

    private static int skipStr(byte[] bytes, int at) {
        return at + 2 + (((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff));
    }

    private static String str(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }
}
