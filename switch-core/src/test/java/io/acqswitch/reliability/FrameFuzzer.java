package io.acqswitch.reliability;

import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.TestSwitch;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Malformed and adversarial terminal input in {@code iso87} layout (ISO87B: 2-byte MTI, binary
 * bitmap, BCD numerics), built from well-formed requests. Every method draws only from the
 * {@link Random} it is given, so a seed replays a run.
 */
final class FrameFuzzer {
    private static final byte[] INTERESTING = {0x00, (byte) 0xff, (byte) 0x99, 0x7f, (byte) 0x80, 0x01, (byte) 0xaa};
    private static final String PAN = "4761739001010010";

    /** One kind of bad wire input: the whole of what one fuzz connection writes. */
    enum Attack {
        RANDOM_BYTES, TRUNCATED, ZERO_LENGTH, TOO_LONG, LONGER_THAN_SENT, BITMAP_FLIP, OVERLONG_LLVAR,
        OVERLONG_LLLVAR, BAD_BCD, MUTATED, VALID_THEN_GARBAGE
    }

    private FrameFuzzer() {}

    /** Well-formed requests of the classes a terminal sends, as seeds for mutation. */
    static List<ISOMsg> terminalRequests(String terminalId, String stan) {
        ISOMsg sale = TerminalMessages.sale(PAN, 1234, stan, terminalId, "MERCHANT0000001");
        ISOMsg reversal = (ISOMsg) sale.clone();
        reversal.set(0, "0400");
        ISOMsg withPrivate = (ISOMsg) sale.clone();
        withPrivate.set(35, PAN + "D29122010000000000");
        withPrivate.set(48, "ADDITIONAL DATA");
        return List.of(TerminalMessages.networkManagement("301", stan, terminalId), sale, reversal, withPrivate,
                TerminalMessages.voidOf(PAN, 1234, "612300000001", "123456", stan, terminalId, "MERCHANT0000001"),
                TerminalMessages.financial("0200", "310000", PAN, 0, stan, terminalId, "MERCHANT0000001"));
    }

    /** The bytes one fuzz connection writes for {@code attack}, length prefix included where it has one. */
    static byte[] wire(Attack attack, Random r, int maxFrameBytes) throws ISOException {
        String stan = String.format("%06d", r.nextInt(1_000_000));
        List<ISOMsg> requests = terminalRequests("FUZZ" + String.format("%04d", r.nextInt(100)), stan);
        ISOMsg base = requests.get(r.nextInt(requests.size()));
        byte[] body = pack(base);
        return switch (attack) {
            case RANDOM_BYTES -> randomBytes(r, 1 + r.nextInt(300));
            case TRUNCATED -> framed(Arrays.copyOf(body, 1 + r.nextInt(body.length - 1)));
            case ZERO_LENGTH -> new byte[] {0, 0};
            case TOO_LONG -> concat(prefix(maxFrameBytes + 1 + r.nextInt(65_535 - maxFrameBytes)), body);
            case LONGER_THAN_SENT -> concat(prefix(body.length + 1 + r.nextInt(64)), body);
            case BITMAP_FLIP -> framed(flipBitmap(r, body));
            case OVERLONG_LLVAR -> framed(overwriteAt(pack(requests.get(1)), offset(requests.get(1), 2),
                    new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]}));
            case OVERLONG_LLLVAR -> framed(overwriteAt(pack(requests.get(3)), offset(requests.get(3), 48),
                    new byte[] {(byte) r.nextInt(256), (byte) r.nextInt(256)}));
            case BAD_BCD -> framed(badNibble(r, requests.get(1)));
            case MUTATED -> framed(mutate(r, body, List.of(body)));
            case VALID_THEN_GARBAGE -> concat(framed(body), randomBytes(r, 1 + r.nextInt(40)));
        };
    }

    /** {@code m} packed in iso87 with its 2-byte length: ready for the wire. */
    static byte[] frame(ISOMsg m) throws ISOException {
        return framed(pack(m));
    }

    /** A well-formed echo request framed for the wire, to dribble a byte at a time. */
    static byte[] echoFrame(String stan) throws ISOException {
        return framed(pack(TerminalMessages.networkManagement("301", stan, "SLOW0001")));
    }

    /**
     * One to four random edits of {@code base}: bit flips, byte overwrites with interesting values,
     * inserts, deletes, truncation, duplication, or a splice with another of {@code pool}.
     */
    static byte[] mutate(Random r, byte[] base, List<byte[]> pool) {
        byte[] b = base.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            b = switch (r.nextInt(8)) {
                case 0 -> { b[at] ^= (byte) (1 << r.nextInt(8)); yield b; }
                case 1 -> { b[at] = INTERESTING[r.nextInt(INTERESTING.length)]; yield b; }
                case 2 -> { b[at] = (byte) r.nextInt(256); yield b; }
                case 3 -> concat(Arrays.copyOf(b, at), randomBytes(r, 1 + r.nextInt(8)), Arrays.copyOfRange(b, at, b.length));
                case 4 -> concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length, at + 1 + r.nextInt(8)), b.length));
                case 5 -> Arrays.copyOf(b, Math.max(1, at));
                case 6 -> concat(b, Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + r.nextInt(16))));
                default -> {
                    byte[] other = pool.get(r.nextInt(pool.size()));
                    int from = r.nextInt(other.length);
                    yield concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, other.length));
                }
            };
        }
        return b.length == 0 ? new byte[] {0} : b;
    }

    private static byte[] pack(ISOMsg m) throws ISOException {
        return TestSwitch.ISO87.pack((ISOMsg) m.clone());
    }

    /** Where field {@code f} starts in the packed message: the length of the fields before it (primary bitmap only). */
    private static int offset(ISOMsg m, int f) throws ISOException {
        ISOMsg before = (ISOMsg) m.clone();
        for (int i = f; i <= 128; i++) {
            before.unset(i);
        }
        return pack(before).length;
    }

    private static byte[] flipBitmap(Random r, byte[] body) {
        byte[] b = body.clone();
        int flips = 1 + r.nextInt(3);
        for (int i = 0; i < flips; i++) {
            int bit = r.nextInt(64); // bit 0 is field 1: a secondary bitmap that is not there
            b[2 + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        }
        return b;
    }

    /** A nibble A–F in one of the BCD numeric fields 3, 4, 7 or 11 of a sale. */
    private static byte[] badNibble(Random r, ISOMsg sale) throws ISOException {
        int[] fields = {3, 4, 7, 11};
        int f = fields[r.nextInt(fields.length)];
        int start = offset(sale, f);
        int end = offset(sale, f + 1);
        byte[] b = pack(sale);
        int at = start + r.nextInt(end - start);
        int nibble = 0xa + r.nextInt(6);
        b[at] = (byte) (r.nextBoolean() ? (b[at] & 0x0f) | nibble << 4 : (b[at] & 0xf0) | nibble);
        return b;
    }

    private static byte[] overwriteAt(byte[] body, int at, byte[] with) {
        byte[] b = body.clone();
        System.arraycopy(with, 0, b, at, with.length);
        return b;
    }

    static byte[] framed(byte[] body) {
        return concat(prefix(body.length), body);
    }

    private static byte[] prefix(int length) {
        return new byte[] {(byte) (length >>> 8), (byte) length};
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
