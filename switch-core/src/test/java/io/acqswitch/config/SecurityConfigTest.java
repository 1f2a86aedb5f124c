package io.acqswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The security settings: listeners' {@code mac}, and TEST KEYS only as an explicit lab setting. */
class SecurityConfigTest {
    @Test
    void shouldRequireMacsAndHandOutNoTestKeysByDefault() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("");
        assertEquals(SwitchConfig.MacMode.REQUIRED, cfg.listeners().getFirst().mac());
        assertFalse(cfg.security().testKeys());
    }

    @Test
    void shouldShipTheDemoWithTestKeysOn() throws Exception {
        Path file = Path.of(System.getProperty("acqswitch.config.dir", "../config"), "switch.yaml");
        assertTrue(ConfigLoader.load(file).security().testKeys());
    }

    @Test
    void shouldRefuseTestKeysOnASwitchReachableBeyondLoopback() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "http: {bind: 0.0.0.0, token: abcdefghijklmnopqrstuvwxyz}\nsecurity: {testKeys: true}\n"));
        assertTrue(e.getMessage().contains("security.testKeys=true: the TEST KEYS are public"), e.getMessage());
    }

    @Test
    void shouldReadEachMacModeAndNameTheChoicesForABadOne() throws Exception {
        assertEquals(SwitchConfig.MacMode.OPTIONAL, ConfigLoader.parse("listeners: [{mac: optional}]").listeners().getFirst().mac());
        assertEquals(SwitchConfig.MacMode.OFF, ConfigLoader.parse("listeners: [{mac: off}]").listeners().getFirst().mac());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("listeners: [{mac: maybe}]"));
        assertTrue(e.getMessage().contains("listeners[0].mac=maybe: must be required, optional or off"), e.getMessage());
    }
}
