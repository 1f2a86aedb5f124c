package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code journal:} section: defaults to the embedded H2, and bad values stop start-up with their name. */
class JournalConfigTest {
    @Test
    void shouldDefaultToEmbeddedH2UnderDataDir() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("dataDir: /var/lib/acq\n");
        assertTrue(cfg.journal().enabled());
        assertEquals("sa", cfg.journal().user());
        assertTrue(cfg.journalUrl().startsWith("jdbc:h2:file:" + Path.of("/var/lib/acq/journal/journal")), cfg.journalUrl());
        assertTrue(cfg.journalUrl().contains("MODE=PostgreSQL"));
    }

    @Test
    void shouldTakePostgresUrlUserAndPassword() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("journal: {url: \"jdbc:postgresql://db:5432/journal\", user: acq, password: pw}\n");
        assertEquals("jdbc:postgresql://db:5432/journal", cfg.journalUrl());
        assertEquals("acq", cfg.journal().user());
        assertEquals("pw", cfg.journal().password());
    }

    @Test
    void shouldRejectBadJournalSettingsByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "journal: {url: \"jdbc:mysql://db/j\", queueCapacity: 2, batchSize: 0, retryMin: 5s, retryMax: 1s}\n"));
        String m = e.getMessage();
        assertTrue(m.contains("journal.url=jdbc:mysql://db/j"), m);
        assertTrue(m.contains("journal.queueCapacity=2"), m);
        assertTrue(m.contains("journal.batchSize=0"), m);
        assertTrue(m.contains("journal.retryMin=5s"), m);
    }

    @Test
    void shouldAdaptBatchesUpToMaxBatchSizeAndWaitTheBatchWindowByDefault() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("dataDir: /var/lib/acq\n");
        assertEquals(500, cfg.journal().batchSize());
        assertEquals(4000, cfg.journal().maxBatchSize());
        assertEquals(Duration.ofMillis(20), cfg.journal().batchWindow());
        SwitchConfig set = ConfigLoader.parse("journal: {batchSize: 50, maxBatchSize: 60, batchWindow: 0ms}\n");
        assertEquals(60, set.journal().maxBatchSize());
        assertEquals(Duration.ZERO, set.journal().batchWindow());
        assertEquals(5000, ConfigLoader.parse("journal: {batchSize: 5000}\n").journal().maxBatchSize(),
                "never below batchSize");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "journal: {batchSize: 100, maxBatchSize: 99, batchWindow: 2s}\n"));
        assertTrue(e.getMessage().contains("journal.maxBatchSize=99"), e.getMessage());
        assertTrue(e.getMessage().contains("journal.batchWindow=2s"), e.getMessage());
    }

    @Test
    void shouldKeepTheElevenArgumentConstructor() {
        SwitchConfig cfg = SwitchConfig.defaults();
        assertTrue(cfg.journal().enabled());
        assertEquals(cfg.journal(), cfg.withJournal(cfg.journal()).journal());
    }
}
