package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import io.acqswitch.support.TempFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The journal's disk fills up under traffic: the embedded journal lives on a small tmpfs of its
 * own, which the test then fills to the last byte. The switch must keep approving (the journal
 * never blocks the ring), say that the journal is down and how far behind it is, and write
 * everything once space is freed. Needs {@code mount} (root); skipped, saying so, without it.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class JournalDiskFullTest extends RigTest {
    private Path mount;
    private Path filler;

    @Override
    protected String configure(String yaml) {
        try {
            mount = TempFiles.newDir("journal-disk");
            Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString()) == 0,
                    "cannot mount a tmpfs here (needs root): the disk-full case is not run");
            afterRig(() -> {
                run("umount", "-l", mount.toString());
                TempFiles.delete(mount);
            });
        } catch (IOException | InterruptedException e) {
            Assumptions.abort("cannot mount a tmpfs here: " + e);
        }
        return yaml + """
                journal:
                  url: "%s"
                  user: sa
                  retryMin: 50ms
                  retryMax: 500ms
                """.formatted(SwitchConfig.Journal.embeddedUrl(mount)); // the embedded default's settings, on the tmpfs
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Writes zeros until the file system refuses (bounded by its size). */
    private long fill() throws IOException {
        filler = mount.resolve("filler");
        byte[] block = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 16 * 1024; i++) { // 1 GiB at most; the tmpfs is 8 MiB
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            return written; // "No space left on device": what we wanted
        }
        throw new AssertionError("the tmpfs never filled up");
    }

    @Test
    void shouldKeepApprovingAndCatchUpWhenTheJournalDiskIsFull() throws Exception {
        assertEquals("00", t.exchange(Journals.sale(1)).getString(39));
        Journals.awaitCaughtUp(rig);
        assertTrue(fill() > 0);

        List<String> rrns = new ArrayList<>();
        // at least 200 sales, and on until a write fails: H2 first fills the free space inside its file,
        // which takes the more sales the less each one writes (bounded: 5 000 sales)
        for (int i = 0; i < 5_000 && (i < 200 || rig.counted("switch_journal_batch_failures") < 1); i++) {
            ISOMsg answer = t.exchange(Journals.sale(100 + i));
            assertEquals("00", answer.getString(39), "the switch approves while the journal's disk is full");
            rrns.add(answer.getString(37));
        }
        System.out.println("JournalDiskFullTest: " + rrns.size() + " sales on the full disk");
        rig.await("the journal's failed writes counted", () -> rig.counted("switch_journal_batch_failures") >= 1,
                Duration.ofSeconds(10));

        Files.delete(filler);
        Journals.awaitCaughtUp(rig);
        assertTrue(rig.node.journal().isUp());
        JournalQueries q = Journals.queries(rig);
        for (String rrn : rrns) {
            JournalQueries.Txn txn = q.timeline(rrn).orElseThrow(() -> new AssertionError(rrn + " never journaled"))
                    .transaction();
            assertEquals("APPROVED", txn.state(), rrn);
            assertTrue(txn.delivered(), rrn);
        }
    }
}
