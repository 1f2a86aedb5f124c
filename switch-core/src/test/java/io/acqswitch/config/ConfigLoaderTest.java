package io.acqswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static String problem(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().getFirst();
    }

    @Test
    void shouldStartFromDefaultsWhenFileIsEmpty() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("");
        SwitchConfig.Listener l = cfg.listeners().getFirst();
        assertEquals("127.0.0.1", l.bind());
        assertEquals(8583, l.port());
        assertEquals(Dialect.ISO87, l.dialect());
        assertEquals(8080, cfg.http().port());
        assertEquals(Path.of("data"), cfg.dataDir());
        assertEquals(Duration.ofSeconds(10), cfg.issuers().getFirst().timeout());
    }

    @Test
    void shouldFillDefaultsForSettingsLeftOut() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("listeners:\n  - port: 9000\n    idleTimeout: 500ms\n");
        SwitchConfig.Listener l = cfg.listeners().getFirst();
        assertEquals(9000, l.port());
        assertEquals(Duration.ofMillis(500), l.idleTimeout());
        assertEquals(4096, l.maxFrameBytes());
    }

    @Test
    void shouldStopStartUpOnBadPort() {
        assertEquals("listeners[0].port=70000: not a TCP port (0-65535, 0 = any free port)",
                problem("listeners:\n  - port: 70000\n"));
    }

    @Test
    void shouldStopStartUpOnNonNumericPort() {
        String p = problem("listeners:\n  - port: eighty\n");
        assertTrue(p.startsWith("listeners[0].port=eighty: "), p);
    }

    @Test
    void shouldStopStartUpOnMissingPackager() {
        assertEquals("listeners[0].packager=/nonexistent/cup.xml: packager file not found",
                problem("listeners:\n  - packager: /nonexistent/cup.xml\n"));
    }

    @Test
    void shouldStopStartUpOnUnknownDialect() {
        assertEquals("listeners[0].dialect=iso93: unknown dialect (known: iso87, cup)",
                problem("listeners:\n  - dialect: iso93\n"));
    }

    @Test
    void shouldStopStartUpOnBadDuration() {
        assertEquals("issuers[0].timeout=ten: not a duration (use e.g. 500ms, 10s, 5m, 48h)",
                problem("issuers:\n  - id: a\n    hosts: [\"127.0.0.1:9583\"]\n    timeout: ten\nstubs: []\nrouting: {}\n"));
    }

    @Test
    void shouldStopStartUpOnMisspelledSetting() {
        String p = problem("listeners:\n  - prot: 9000\n");
        assertTrue(p.startsWith("listeners[0].prot: unknown setting"), p);
    }

    @Test
    void shouldStopStartUpOnRouteToUnknownIssuer() {
        assertEquals("routing.routes[0].issuer=nobody: no issuer has that id",
                problem("routing:\n  routes:\n    - prefix: \"4\"\n      issuer: nobody\n"));
    }

    @Test
    void shouldStopStartUpOnOverlappingRoutesToDifferentIssuers() {
        assertEquals("routing.routes[1].low=50: overlaps routing.routes[0] (51..55 to issuer-b) but goes to issuer-a;"
                        + " equal-length routes to different issuers must not overlap",
                problem("routing:\n  routes:\n    - {low: \"51\", high: \"55\", issuer: issuer-b}\n"
                        + "    - {low: \"50\", high: \"51\", issuer: issuer-a}\n"));
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("http:\n  port: -1\nlisteners:\n  - maxFrameBytes: 10\n"));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("http.port=-1: not a TCP port"));
        assertTrue(e.getMessage().contains("listeners[0].maxFrameBytes=10: must be between 20 and 65535"));
    }

    @Test
    void shouldAcceptTheShippedConfigFile() throws Exception {
        Path file = Path.of(System.getProperty("acqswitch.config.dir", "../config"), "switch.yaml");
        SwitchConfig cfg = ConfigLoader.load(file);
        assertEquals(8583, cfg.listeners().getFirst().port());
    }
}
