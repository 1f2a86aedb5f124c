package io.acqswitch.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.jpos.core.ConfigurationException;
import org.jpos.core.SimpleConfiguration;
import org.jpos.security.EncryptedPIN;
import org.jpos.security.KeyScheme;
import org.jpos.security.SMAdapter;
import org.jpos.security.SMException;
import org.jpos.security.SecureDESKey;
import org.jpos.security.jceadapter.JCESecurityModule;

/**
 * The embedded security module: jPOS's software HSM ({@code JCESecurityModule}) over an LMK file
 * {@code lmk.properties} in the given directory, created on first open (0600, the directory 0700).
 * Key generation, import, export, check values and PIN translation are jPOS's commands; the two MAC
 * algorithms and 4-byte check values run here on the key jPOS decrypts from the LMK, which never
 * leaves this class.
 *
 * <p>The LMK file holds the local master keys in clear (jPOS's format): whoever reads it can decrypt
 * every stored key. It is for development, labs and small deployments that accept that; production
 * puts a network HSM behind {@link SecurityModule} instead (docs/security.md).
 *
 * <p>Thread-safe: jPOS's module keeps no per-call state once loaded.
 */
public final class JceSecurityModule implements SecurityModule {
    /** The LMK file's name inside the security directory. */
    public static final String LMK_FILE = "lmk.properties";
    static final String LOCK_FILE = "keys.lock";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Lmk lmk;

    private JceSecurityModule(Lmk lmk) {
        this.lmk = lmk;
    }

    /**
     * Opens the module on {@code dir}/{@value #LMK_FILE}, creating the directory and a new random
     * LMK first if there is none (under the directory's lock, so two processes never make two).
     *
     * @throws IOException when the directory or file cannot be created or read, or the file is not an LMK file
     */
    public static JceSecurityModule open(Path dir) throws IOException {
        OwnerOnly.directory(dir);
        Path file = dir.resolve(LMK_FILE);
        if (!Files.exists(file)) {
            OwnerOnly.Held held = OwnerOnly.lock(dir.resolve(LOCK_FILE));
            try {
                if (!Files.exists(file)) {
                    create(file);
                }
            } finally {
                held.close();
            }
        }
        try {
            return new JceSecurityModule(new Lmk(file.toString()));
        } catch (SMException e) {
            throw new IOException(file + ": not a readable LMK file (" + e.getMessage() + ")", e);
        }
    }

    /** Writes new random LMKs to a 0600 temporary file, then moves it into place whole. */
    private static void create(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        OwnerOnly.newFile(tmp);
        Properties p = new Properties();
        p.setProperty("lmk", tmp.toString());
        p.setProperty("rebuildlmk", "true");
        try {
            new Lmk(new SimpleConfiguration(p));
        } catch (ConfigurationException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(file + ": cannot create the LMK (" + e.getMessage() + ")", e);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** jPOS's module, opened up just enough to reach a key's clear value inside this class. */
    private static final class Lmk extends JCESecurityModule {
        Lmk(String lmkFile) throws SMException {
            super(lmkFile);
        }

        Lmk(SimpleConfiguration cfg) throws ConfigurationException {
            super(cfg, null, null);
        }

        /** The clear key bytes (8 or 16); the caller wipes them. */
        byte[] clear(SecureDESKey key) throws SMException {
            byte[] encoded = decryptFromLMK(key).getEncoded();
            byte[] clear = Arrays.copyOf(encoded, key.getKeyLength() / 8);
            Arrays.fill(encoded, (byte) 0);
            return clear;
        }
    }

    @Override
    public Outcome<LmkKey> generateKey(KeyType type, int bits) {
        if (bits != 64 && bits != 128) {
            return Outcome.refused("a key is 64 or 128 bits, not " + bits);
        }
        try {
            return Outcome.done(fromJpos(type, lmk.generateKey((short) bits, type.jposType())));
        } catch (SMException e) {
            return refused("generate " + type, e);
        }
    }

    @Override
    public Outcome<List<byte[]>> generateComponents(int bits, int count) {
        if ((bits != 64 && bits != 128) || count < 2 || count > 3) {
            return Outcome.refused("2 or 3 components of 64 or 128 bits");
        }
        try {
            List<byte[]> components = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                components.add(HexFormat.of().parseHex(lmk.generateClearKeyComponent((short) bits)));
            }
            return Outcome.done(components);
        } catch (SMException e) {
            return refused("generate components", e);
        }
    }

    @Override
    public Outcome<byte[]> componentCheckValue(byte[] clearComponent) {
        if (clearComponent.length != 8 && clearComponent.length != 16) {
            return Outcome.refused("a component is 8 or 16 bytes");
        }
        return Outcome.done(Des.checkValue(clearComponent, 3));
    }

    @Override
    public Outcome<LmkKey> formKey(KeyType type, List<byte[]> clearComponents) {
        if (clearComponents.size() < 2 || clearComponents.size() > 3) {
            return Outcome.refused("a key is formed from 2 or 3 components, not " + clearComponents.size());
        }
        int length = clearComponents.getFirst().length;
        if ((length != 8 && length != 16) || clearComponents.stream().anyMatch(c -> c.length != length)) {
            return Outcome.refused("components are all 8 or all 16 bytes");
        }
        String[] hex = clearComponents.stream().map(HEX::formatHex).toArray(String[]::new);
        try {
            return Outcome.done(fromJpos(type, lmk.formKEYfromClearComponents((short) (length * 8), type.jposType(), hex)));
        } catch (SMException e) {
            return refused("form " + type, e);
        }
    }

    @Override
    public Outcome<LmkKey> importKey(KeyType type, int bits, byte[] encrypted, LmkKey kek) {
        try {
            return Outcome.done(fromJpos(type, lmk.importKey((short) bits, type.jposType(), encrypted, toJpos(kek), false)));
        } catch (SMException e) {
            return refused("import " + type, e);
        }
    }

    @Override
    public Outcome<byte[]> exportKey(LmkKey key, LmkKey kek) {
        try {
            return Outcome.done(lmk.exportKey(toJpos(key), toJpos(kek)));
        } catch (SMException e) {
            return refused("export " + key.type() + " under " + kek.type(), e);
        }
    }

    @Override
    public Outcome<byte[]> checkValue(LmkKey key, int bytes) {
        if (bytes < 3 || bytes > 8) {
            return Outcome.refused("a check value is 3 to 8 bytes");
        }
        return withClear(key, clear -> Des.checkValue(clear, bytes), "check value");
    }

    @Override
    public Outcome<byte[]> translatePin(byte[] pinBlock, String pan, LmkKey tpk, LmkKey zpk) {
        if (pinBlock == null || pinBlock.length != 8 || pan == null || !pan.matches("\\d{12,19}")) {
            return Outcome.refused("a PIN block is 8 bytes and a PAN 12 to 19 digits");
        }
        if (tpk.type() != KeyType.TPK || zpk.type() != KeyType.ZPK) {
            return Outcome.refused("PIN translation is from a TPK to a ZPK, not " + tpk.type() + " to " + zpk.type());
        }
        try {
            EncryptedPIN in = new EncryptedPIN(pinBlock, SMAdapter.FORMAT01, pan);
            return Outcome.done(lmk.translatePIN(in, toJpos(tpk), toJpos(zpk), SMAdapter.FORMAT01).getPINBlock());
        } catch (SMException e) {
            // jPOS refuses a block that does not decrypt to a format 0 block for this PAN (wrong key, wrong card)
            return refused("translate PIN", e);
        }
    }

    @Override
    public Outcome<byte[]> generateMac(MacAlgorithm algorithm, LmkKey mak, byte[] data) {
        String wrong = macKeyProblem(algorithm, mak);
        if (wrong != null) {
            return Outcome.refused(wrong);
        }
        return withClear(mak, clear -> switch (algorithm) {
            case X9_19 -> Macs.x919(clear, data);
            case UNIONPAY_POS -> Macs.unionPayPos(clear, data);
        }, "generate MAC");
    }

    @Override
    public Outcome<Boolean> verifyMac(MacAlgorithm algorithm, LmkKey mak, byte[] data, byte[] mac) {
        Outcome<byte[]> expected = generateMac(algorithm, mak, data);
        if (!(expected instanceof Outcome.Done<byte[]> d)) {
            return Outcome.refused(expected.refusal());
        }
        return Outcome.done(mac != null && MessageDigest.isEqual(d.value(), mac)); // constant time
    }

    /** Why {@code mak} cannot serve {@code algorithm}, or null when it can. */
    private static String macKeyProblem(MacAlgorithm algorithm, LmkKey mak) {
        if (mak.type() != KeyType.TAK && mak.type() != KeyType.ZAK) {
            return "a MAC needs a TAK or ZAK, not a " + mak.type();
        }
        int bits = algorithm == MacAlgorithm.X9_19 ? 128 : 64;
        return mak.bits() == bits ? null : algorithm + " needs a " + bits + "-bit key, not " + mak.bits();
    }

    @FunctionalInterface
    private interface WithClear<T> {
        T apply(byte[] clear);
    }

    /** Runs {@code op} on the clear key and wipes it after. */
    private <T> Outcome<T> withClear(LmkKey key, WithClear<T> op, String what) {
        byte[] clear = null;
        try {
            clear = lmk.clear(toJpos(key));
            return Outcome.done(op.apply(clear));
        } catch (SMException e) {
            return refused(what, e);
        } finally {
            if (clear != null) {
                Arrays.fill(clear, (byte) 0);
            }
        }
    }

    private static <T> Outcome<T> refused(String what, SMException e) {
        // jPOS messages name key types and lengths, never key material
        return Outcome.refused(what + ": " + e.getMessage());
    }

    private static LmkKey fromJpos(KeyType type, SecureDESKey k) {
        return new LmkKey(type, k.getKeyLength(), k.getScheme().name(), k.getVariant(), k.getKeyBytes(), k.getKeyCheckValue());
    }

    private static SecureDESKey toJpos(LmkKey k) {
        return new SecureDESKey((short) k.bits(), k.type().jposType(), (byte) k.variant(), KeyScheme.valueOf(k.scheme()),
                k.underLmk(), k.checkValue());
    }

    @Override
    public void close() {
        // nothing held: the LMKs live in this object until it is collected
    }
}
