package io.acqswitch.txn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hashes of PANs (HMAC-SHA-256, first 8 bytes) so records can prove "same card" without
 * holding the card number. A plain hash of a PAN is reversible by enumeration; the key (32 random
 * bytes in {@code dataDir/store/card.key}, or the file {@code cluster.cardKey} names, which every node
 * of a cluster shares: {@code SwitchConfig.cardKeyFile()}) is what makes it safe to
 * store. Created, owner-only, by the first process that finds the file missing: written aside, then
 * linked into place, so that nodes starting together on one file all end up with the one key. Not
 * thread-safe: one instance per thread.
 */
final class CardKey {
    private static final int KEY_BYTES = 32;
    private final Mac mac;

    CardKey(Path file) {
        try {
            byte[] key = Files.exists(file) ? Files.readAllBytes(file) : create(file);
            if (key.length != KEY_BYTES) {
                throw new IllegalStateException(file + ": a card key is " + KEY_BYTES + " bytes, this file has " + key.length);
            }
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A new key written to a file of its own and linked to {@code file}; the one already there if another process won. */
    private static byte[] create(Path file) throws IOException {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path aside = Files.createTempFile(dir, ".card-key", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(aside, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: rely on the directory's permissions
            }
            Files.write(aside, key);
            try {
                Files.createLink(file, aside); // atomic, and fails when the file exists
                return key;
            } catch (FileAlreadyExistsException e) {
                return Files.readAllBytes(file); // another node created it first: its key is the key
            }
        } finally {
            Files.deleteIfExists(aside);
        }
    }

    /** Six hex digits that tell whether two nodes hold the same key, and nothing about the key. */
    String checkValue() {
        return HexFormat.of().formatHex(mac.doFinal("acqswitch card key check".getBytes(StandardCharsets.US_ASCII)), 0, 3);
    }

    long hash(String pan) {
        if (pan == null) {
            return 0;
        }
        return ByteBuffer.wrap(mac.doFinal(pan.getBytes(StandardCharsets.US_ASCII))).getLong();
    }
}
