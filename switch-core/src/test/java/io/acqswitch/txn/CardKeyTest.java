package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigLoader;
import io.acqswitch.support.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The card key: one file, one key, whoever creates it; a cluster's nodes share it through {@code cluster.cardKey}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CardKeyTest {
    private static final String PAN = "4761739001010010";
    private final Path dir = TempFiles.newDir("card-key");

    @AfterEach
    void delete() {
        TempFiles.delete(dir);
    }

    @Test
    void shouldHashTheSameCardAlikeUnderTheSameFileOnlyAndNeverTheCardItself() throws Exception {
        Path shared = dir.resolve("cluster").resolve("card.key");
        CardKey a = new CardKey(shared);
        CardKey b = new CardKey(shared);
        CardKey other = new CardKey(dir.resolve("other.key"));
        assertEquals(a.hash(PAN), b.hash(PAN));
        assertEquals(a.checkValue(), b.checkValue());
        assertNotEquals(a.hash(PAN), other.hash(PAN), "another key hashes the card differently");
        assertNotEquals(a.checkValue(), other.checkValue());
        assertEquals(32, Files.size(shared));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(shared));
        try (var files = Files.list(shared.getParent())) {
            assertEquals(List.of(shared), files.toList(), "nothing left beside it");
        }
    }

    @Test
    void shouldGiveNodesStartingTogetherOnOneFileOneKey() throws Exception {
        Path shared = dir.resolve("card.key");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> nodes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                nodes.add(pool.submit((Callable<String>) () -> new CardKey(shared).checkValue()));
            }
            String first = nodes.getFirst().get();
            for (Future<String> n : nodes) {
                assertEquals(first, n.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new CardKey(shared).checkValue(), new CardKey(shared).checkValue());
    }

    @Test
    void shouldRefuseAFileThatIsNotAKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("card.key"), "not a key");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CardKey(bad));
        assertTrue(e.getMessage().endsWith("a card key is 32 bytes, this file has 9"), e.getMessage());
    }

    @Test
    void shouldTakeTheClustersCardKeyFileElseTheNodesOwn() throws Exception {
        assertEquals(Path.of("data", "store", "card.key"), ConfigLoader.parse("dataDir: data\n").cardKeyFile());
        assertEquals(Path.of("/etc/acqswitch/card.key"), ConfigLoader.parse(
                "dataDir: data\ncluster: {nodeId: 1, cardKey: /etc/acqswitch/card.key}\n").cardKeyFile());
    }
}
