package io.acqswitch.txn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hashes of PANs (HMAC-SHA-256, first 8 bytes) so records can prove "same card" without
 * holding the card number. A plain hash of a PAN is reversible by enumeration; the key (32 random
 * bytes in {@code <dataDir>/store/card.key}, created on first start, owner-only) is what makes it
 * safe to store. Not thread-safe: one instance per thread.
 */
final class CardKey {
    private final Mac mac;

    CardKey(Path dataDir) {
        Path file = dataDir.resolve("store").resolve("card.key");
        try {
            byte[] key;
            if (Files.exists(file)) {
                key = Files.readAllBytes(file);
            } else {
                key = new byte[32];
                new SecureRandom().nextBytes(key);
                Files.createDirectories(file.getParent());
                Files.write(file, key);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: rely on the directory's permissions
                }
            }
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    long hash(String pan) {
        if (pan == null) {
            return 0;
        }
        return ByteBuffer.wrap(mac.doFinal(pan.getBytes(StandardCharsets.US_ASCII))).getLong();
    }
}
