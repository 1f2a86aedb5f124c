package io.acqswitch.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A few seconds of soak: it samples, writes its CSV and chart and its ledger check holds; no timing is asserted. */
class SoakHarnessSmokeTest {

    @Test
    @Tag("slow")
    @Timeout(60)
    void shouldSampleWriteTheCsvAndChartAndPassTheLedgerCheck(@TempDir Path out) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SoakHarness.Options options = SoakHarness.parse("--rate", "50", "--connections", "2", "--warmup", "0",
                "--duration", "4", "--sample-seconds", "1", "--out", out.toString());

        int exit = SoakHarness.run(options, new PrintStream(buf, true, StandardCharsets.UTF_8));

        String printed = buf.toString(StandardCharsets.UTF_8);
        assertNotEquals(1, exit, printed); // 3 (growth) is possible in a few seconds of a cold JVM
        assertTrue(printed.contains("ledger[switch]: approvals received=200, approved debits=200, reversed=0 -> OK"), printed);
        List<String> csv = Files.readAllLines(out.resolve("soak.csv"));
        assertEquals(SoakSample.CSV_HEADER, csv.getFirst());
        assertTrue(csv.size() >= 3, printed); // header and at least two samples
        assertTrue(csv.stream().skip(1).allMatch(l -> l.split(",").length == SoakSample.CSV_HEADER.split(",").length), printed);
        assertTrue(Files.size(out.resolve("soak.png")) > 1000, printed);
        assertTrue(Files.readString(out.resolve("soak.txt")).contains("verdict: "), printed);
    }

    @Test
    void shouldPassHarnessOptionsOnAndRejectTheOnesASoakCannotUse() {
        SoakHarness.Options o = SoakHarness.parse("--rate", "300", "--sample-seconds", "5");
        assertEquals(300, o.load().rate());
        assertEquals(1800, o.load().duration());
        assertEquals(5, o.sampleSeconds());
        assertEquals("--target: not a soak option (the soak drives sales through the switch at one rate)",
                assertThrows(IllegalArgumentException.class, () -> SoakHarness.parse("--target", "all")).getMessage());
        assertEquals("--sample-seconds=0: an integer > 0",
                assertThrows(IllegalArgumentException.class, () -> SoakHarness.parse("--sample-seconds", "0")).getMessage());
        assertEquals("--switch-journal=h2,off: one switch here, h2 or off",
                assertThrows(IllegalArgumentException.class, () -> SoakHarness.parse("--switch-journal", "h2,off")).getMessage());
        assertEquals("journal: {enabled: false}\n", SoakHarness.parse("--switch-journal", "off").load().switchYaml());
    }

    @Test
    void shouldFlagARisingHeapFloorButNotARisingHeapThatIsCollected() {
        List<SoakSample> flat = List.of(heap(100, 50), heap(300, 55), heap(500, 52), heap(100, 51), heap(400, 54),
                heap(600, 53));
        List<SoakSample> leaking = List.of(heap(100, 50), heap(300, 60), heap(500, 120), heap(100, 180), heap(400, 300),
                heap(600, 400));

        assertTrue(SoakVerdict.of(flat, 40, 45).lines().getLast().equals("verdict: nothing grows without bound"));
        assertTrue(SoakVerdict.of(leaking, 40, 45).grows());
        assertTrue(SoakVerdict.of(flat, 40, 400).grows()); // the live heap after a full GC rose
    }

    private static SoakSample heap(double usedMb, double afterGcMb) {
        return new SoakSample(0, 1, "load", 100, 100, 1, 2, 3, 0, 0, usedMb, afterGcMb, 1, 1, 50, 0, 0, 0, 0, 0, 0.5);
    }
}
