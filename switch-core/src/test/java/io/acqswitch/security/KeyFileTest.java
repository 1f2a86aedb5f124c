package io.acqswitch.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key store file: keys under the LMK only, shared by two processes, the last line winning. */
class KeyFileTest {
    @TempDir
    Path dir;

    private static LmkKey key(KeyType type, int seed) {
        byte[] b = new byte[16];
        Arrays.fill(b, (byte) seed);
        return new LmkKey(type, 128, "X", 0, b, new byte[] {(byte) seed, 2, 3});
    }

    @Test
    void shouldKeepTheLatestKeyPerOwnerAndTypeAcrossReopening() throws Exception {
        KeyFile kf = KeyFile.open(dir);
        kf.put("TERM0001", key(KeyType.TMK, 1));
        kf.putAll("TERM0001", List.of(key(KeyType.TPK, 2), key(KeyType.TAK, 3)));
        kf.put("TERM0001", key(KeyType.TAK, 4));
        kf.put("issuer-a", key(KeyType.ZPK, 5));

        KeyFile again = KeyFile.open(dir);
        assertEquals(key(KeyType.TAK, 4), again.find("TERM0001", KeyType.TAK));
        assertEquals(key(KeyType.ZPK, 5), again.find("issuer-a", KeyType.ZPK));
        assertNull(again.find("issuer-a", KeyType.TPK));
        assertNull(again.find("TERM0002", KeyType.TMK));
        assertTrue(again.hasAny(KeyType.Owner.TERMINAL, "TERM0001"));
        assertFalse(again.hasAny(KeyType.Owner.TERMINAL, "issuer-a"), "owners of two kinds never mix");
        assertEquals(4, again.list().size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(KeyFile.FILE))));
    }

    @Test
    void shouldSeeAnotherWritersKeysAtOnceWhenAskedFresh() throws Exception {
        KeyFile switchSide = KeyFile.open(dir);
        assertNull(switchSide.find("TERM0009", KeyType.TMK));
        KeyFile.open(dir).put("TERM0009", key(KeyType.TMK, 9)); // the keys command
        assertEquals(key(KeyType.TMK, 9), switchSide.findFresh("TERM0009", KeyType.TMK));
    }

    @Test
    void shouldSkipLinesThatAreNotKeysAndRefuseBadIds() throws Exception {
        KeyFile kf = KeyFile.open(dir);
        kf.put("TERM0001", key(KeyType.TMK, 1));
        Files.writeString(dir.resolve(KeyFile.FILE), "terminal TERM0002 TMK nonsense\n", StandardOpenOption.APPEND);
        kf.put("TERM0003", key(KeyType.TMK, 3));
        KeyFile again = KeyFile.open(dir);
        assertEquals(2, again.list().size());
        assertThrows(IllegalArgumentException.class, () -> kf.put("TERM 01", key(KeyType.TMK, 1)));
    }

    @Test
    void shouldCompactSupersededLinesOnOpenWithoutLosingAKey() throws Exception {
        KeyFile kf = KeyFile.open(dir);
        for (int i = 0; i < 150; i++) {
            kf.putAll("TERM0001", List.of(key(KeyType.TPK, i), key(KeyType.TAK, i + 1)));
        }
        kf.put("issuer-b", key(KeyType.ZPK, 7));
        long before = Files.size(dir.resolve(KeyFile.FILE));
        KeyFile compacted = KeyFile.open(dir);
        assertTrue(Files.size(dir.resolve(KeyFile.FILE)) < before / 50, "superseded lines dropped");
        assertEquals(key(KeyType.TAK, 150), compacted.find("TERM0001", KeyType.TAK));
        assertEquals(key(KeyType.ZPK, 7), kf.findFresh("issuer-b", KeyType.ZPK), "a reader of the old file re-reads the new one");
        assertEquals(key(KeyType.TPK, 149), kf.find("TERM0001", KeyType.TPK));
    }
}
