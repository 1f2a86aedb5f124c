package io.acqswitch.iso;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOBasePackager;
import org.jpos.iso.ISOPackager;
import org.jpos.iso.packager.GenericPackager;
import org.jpos.iso.packager.ISO87BPackager;

/**
 * Packs and unpacks one dialect's message bodies (no length prefix). A dialect with a header
 * ({@link Dialect#headerLength()}, e.g. cup's TPDU + header) keeps it as the message's jPOS header:
 * unpacking sets it, packing writes it first. Thread-safe: jPOS packagers keep no per-call state,
 * so one instance serves every Netty thread.
 */
public final class IsoCodec {
    private final Dialect dialect;
    private final ISOPackager packager;

    /** The classpath resource holding cup's packager (also shipped as {@code config/packagers/cup.xml}). */
    public static final String CUP_PACKAGER = "/packagers/cup.xml";

    private IsoCodec(Dialect dialect, ISOPackager packager) {
        this.dialect = dialect;
        this.packager = packager;
        if (packager instanceof ISOBasePackager base) {
            // the dialect decides the framing, whatever an override file says
            base.setHeaderLength(dialect.headerLength());
        }
    }

    /** The dialect's built-in packager. */
    public static IsoCodec of(Dialect dialect) {
        return switch (dialect) {
            case ISO87 -> new IsoCodec(dialect, new ISO87BPackager());
            case CUP -> new IsoCodec(dialect, resource(CUP_PACKAGER));
        };
    }

    private static GenericPackager resource(String name) {
        try (InputStream in = IsoCodec.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("packager " + name + " missing from the classpath");
            }
            return new GenericPackager(in);
        } catch (IOException | ISOException e) {
            throw new IllegalStateException("built-in packager " + name + " is broken", e);
        }
    }

    /**
     * A codec whose packager is a jPOS {@link GenericPackager} XML definition.
     *
     * @throws IOException when the file cannot be read or is not a valid packager definition
     */
    public static IsoCodec fromXml(Dialect dialect, Path packagerXml) throws IOException {
        try (InputStream in = Files.newInputStream(packagerXml)) {
            return new IsoCodec(dialect, new GenericPackager(in));
        } catch (ISOException e) {
            throw new IOException("not a valid jPOS packager definition: " + e.getMessage(), e);
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** A new empty message bound to this codec's packager. */
    public ISOMsg newMessage(String mti) {
        ISOMsg m = new ISOMsg(mti);
        m.setPackager(packager);
        return m;
    }

    /**
     * Unpacks {@code bytes} into {@code into}. On failure {@code into} keeps the fields that were
     * read before the error (MTI and STAN often survive), so the caller can still answer 30.
     *
     * @throws ISOException when the bytes do not unpack or leave bytes over
     */
    public void unpack(byte[] bytes, ISOMsg into) throws ISOException {
        into.setPackager(packager);
        if (bytes.length <= dialect.headerLength()) {
            throw new ISOException(bytes.length + " bytes: no message after the " + dialect.headerLength() + "-byte header");
        }
        int consumed;
        try {
            consumed = packager.unpack(into, bytes);
        } catch (RuntimeException e) {
            // jPOS reports truncated input as index errors rather than ISOException
            throw new ISOException("truncated or malformed message: " + e.getClass().getSimpleName(), e);
        }
        if (consumed != bytes.length) {
            throw new ISOException((bytes.length - consumed) + " bytes left over after the last field");
        }
    }

    /** Packs a message with this codec's packager (recomputing its bitmap). */
    public byte[] pack(ISOMsg msg) throws ISOException {
        msg.setPackager(packager);
        return msg.pack();
    }
}
