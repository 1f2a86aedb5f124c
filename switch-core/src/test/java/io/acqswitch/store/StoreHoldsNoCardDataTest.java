package io.acqswitch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switch's data directory (the Chronicle Map store, whose record bytes are also what a cluster
 * replicates to Kafka, and the embedded journal) never holds a full PAN: a sale, its duplicate (answered
 * from the stored answer), a refund and a void run over a real socket, then every file is searched for
 * the PAN as the terminal sent it (ASCII) and packed as BCD.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreHoldsNoCardDataTest {
    private static final String PAN = "4761739001010119";

    @Test
    void noFileInTheDataDirectoryHoldsTheFullPan() throws Exception {
        try (Rig rig = Rig.start(2_000)) {
            try (TerminalClient t = rig.terminal()) {
                ISOMsg sale = TerminalMessages.sale(PAN, 5_000, "000101", "TERM0001", "MERCHANT0000001");
                ISOMsg approved = t.exchange(sale);
                assertEquals("00", approved.getString(39));
                ISOMsg replayed = t.exchange(sale);
                assertEquals(approved.getString(37), replayed.getString(37), "the duplicate is answered from the record");
                String rrn = approved.getString(37);
                assertEquals("00", t.exchange(TerminalMessages.refundOf(PAN, 1_000, rrn, "000102", "TERM0001",
                        "MERCHANT0000001")).getString(39));
                ISOMsg other = t.exchange(TerminalMessages.sale(PAN, 700, "000103", "TERM0001", "MERCHANT0000001"));
                assertEquals("00", t.exchange(TerminalMessages.voidOf(PAN, 700, other.getString(37), other.getString(38),
                        "000104", "TERM0001", "MERCHANT0000001")).getString(39));
            }
            assertTrue(rig.node.journal().awaitCaughtUp(Duration.ofSeconds(20)), "the journal caught up");
            rig.node.close(); // everything written, files quiet
            List<String> holding = filesHolding(rig.dataDir, PAN.getBytes(StandardCharsets.US_ASCII),
                    HexFormat.of().parseHex(PAN));
            assertTrue(holding.isEmpty(), "full PAN found in " + holding);
        }
    }

    /** Files under {@code dir} holding any of {@code needles} (bytes compared as ISO-8859-1: one char per byte). */
    private static List<String> filesHolding(Path dir, byte[]... needles) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (byte[] needle : needles) {
                    if (content.contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                        found.add(dir.relativize(f) + " (" + needle.length + "-byte form)");
                    }
                }
            }
        }
        return found;
    }
}
