package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.IsoLog;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.Validator;
import io.acqswitch.support.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutation of real frames through the decoder's code path ({@link IsoCodec#unpack},
 * then {@link Classifier}, {@link Validator} and {@link TerminalRequest#of}; on failure the rejection
 * path: {@link IsoLog#describe}, {@link Responses#answer} and packing the 30): nothing but the
 * declared {@link ISOException} may escape, in either dialect.
 *
 * <p>Not Jazzer: jazzer-junit 0.24.0 resolves from Maven Central but cannot instrument JDK 25
 * classes ("Unsupported class file major version 69"), so it would fuzz blind; a seeded mutator over
 * the test vectors is as good and reproducible. {@code -Dreliability.mutations=N} (per dialect,
 * default 100000) and {@code -Dreliability.seed=S} for long or replayed runs.
 */
class CodecMutationTest {
    private static final int MUTATIONS = Integer.getInteger("reliability.mutations", 100_000);

    @Test
    void shouldOnlyEverThrowIsoExceptionFromIso87Decoding() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        IsoCodec codec = IsoCodec.of(Dialect.ISO87);
        seeds.add(Hex.vector("iso87-0800-hpdh.hex"));
        seeds.add(Hex.vector("iso87-0810-signon-resp-ebcdic.hex"));
        seeds.add(Hex.vector("iso87a-0110-auth-resp-eftlab.hex"));
        for (ISOMsg m : FrameFuzzer.terminalRequests("FUZZ0001", "000042")) {
            seeds.add(codec.pack(m));
        }
        mutate(codec, seeds);
    }

    @Test
    void shouldOnlyEverThrowIsoExceptionFromCupDecoding() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String v : new String[] {"cup-0800-signon-req.hex", "cup-0810-signon-resp.hex", "cup-0200-sale-req-blog.hex",
                "cup-0200-sale-req-vfwz.hex", "cup-0210-sale-resp-vfwz.hex", "cup-0200-sale-req-scandemo.hex",
                "cup-0210-sale-resp-a0-scandemo.hex", "cup-0210-balance-resp.hex", "cup-0400-reversal-req.hex",
                "cupx-0220-refund-req-payby.hex", "cupx-0230-refund-resp-payby.hex"}) {
            seeds.add(withoutLengthPrefix(Hex.vector(v)));
        }
        byte[] bare = Hex.vector("cup-0500-settle-req-bare.hex");
        byte[] settle = Arrays.copyOf(Hex.bytes("6000060000603100311003"), 11 + bare.length);
        System.arraycopy(bare, 0, settle, 11, bare.length);
        seeds.add(settle);
        mutate(IsoCodec.of(Dialect.CUP), seeds);
    }

    private static byte[] withoutLengthPrefix(byte[] frame) {
        int prefix = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
        return prefix == frame.length - 2 ? Arrays.copyOfRange(frame, 2, frame.length) : frame;
    }

    private static void mutate(IsoCodec codec, List<byte[]> seeds) {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("CodecMutationTest " + codec.dialect() + " seed=" + seed + " (-Dreliability.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<MessageClass, Integer> classes = new EnumMap<>(MessageClass.class);
        int unpacked = 0;
        for (byte[] s : seeds) { // the unmutated seeds must decode where they are requests of this dialect
            unpacked += decode(codec, s, classes, seed, -1) ? 1 : 0;
        }
        assertTrue(unpacked > 0, "some seeds decode as they are");
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] input = FrameFuzzer.mutate(random, seeds.get(random.nextInt(seeds.size())), seeds);
            unpacked += decode(codec, input, classes, seed, i) ? 1 : 0;
        }
        System.out.println("CodecMutationTest " + codec.dialect() + ": " + MUTATIONS + " mutations, " + unpacked
                + " unpacked, classes " + classes);
        assertTrue(unpacked > MUTATIONS / 100, "the mutator keeps some inputs decodable (else it tests only the first bytes)");
    }

    /** The decoder's path for one frame; true when it unpacked. Fails on any exception but ISOException. */
    private static boolean decode(IsoCodec codec, byte[] input, Map<MessageClass, Integer> classes, long seed, int i) {
        ISOMsg msg = new ISOMsg();
        try {
            try {
                codec.unpack(input, msg);
            } catch (ISOException e) {
                rejected(codec, msg);
                return false;
            }
            MessageClass cls = Classifier.classify(msg, codec.dialect());
            classes.merge(cls, 1, Integer::sum);
            Validator.Problem problem = Validator.check(msg, cls, codec.dialect());
            if (problem != null) {
                rejected(codec, msg);
            } else {
                TerminalRequest.of(msg, cls, codec.dialect());
            }
            return true;
        } catch (RuntimeException e) {
            throw new AssertionError("seed=" + seed + " mutation #" + i + " input " + Hex.of(input) + ": " + e, e);
        }
    }

    /** What the handler does with a rejected frame: log it masked, answer 30 when field 11 was read. */
    private static void rejected(IsoCodec codec, ISOMsg partial) {
        IsoLog.describe(partial);
        Classifier.classify(partial, codec.dialect());
        ISOMsg answer = partial.hasField(11) ? Responses.answer(partial, ResponseCode.FORMAT_ERROR) : null;
        if (answer != null) {
            try {
                codec.pack(answer);
            } catch (ISOException e) {
                // the encoder fails the write and the handler closes the connection: acceptable
            } catch (RuntimeException e) {
                fail("packing the 30 answer threw " + e, e);
            }
        }
    }
}
