package io.acqswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
    void shouldStopStartUpOnAFrameTimeoutOfZero() {
        assertEquals("listeners[0].frameTimeout=0s: must be at least 1ms", problem("listeners:\n  - frameTimeout: 0s\n"));
    }

    @Test
    void shouldStopStartUpOnABadHeaderTimeoutOrConcurrencyCap() {
        assertEquals("http.headerTimeout=0s: must be at least 1ms", problem("http: {headerTimeout: 0s}\n"));
        assertEquals("http.maxConcurrentRequests=0: must be between 1 and 256", problem("http: {maxConcurrentRequests: 0}\n"));
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

    @Test
    void shouldAcceptTheThreeShippedClusterNodeFilesWithNothingShared() throws Exception {
        Path dir = Path.of(System.getProperty("acqswitch.config.dir", "../config"), "cluster");
        List<SwitchConfig> nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            SwitchConfig cfg = ConfigLoader.load(dir.resolve("node-" + n + ".yaml"));
            assertEquals(n, cfg.cluster().nodeId());
            assertEquals("127.0.0.1:9092", cfg.cluster().bootstrap());
            nodes.add(cfg);
        }
        // one machine: the data directories and every port (terminals, HTTP, the two stubs, the peer link) differ
        assertEquals(3, nodes.stream().map(SwitchConfig::dataDir).distinct().count());
        assertEquals(15, nodes.stream().flatMap(c -> Stream.of(c.listeners().getFirst().port(), c.http().port(),
                c.stubs().get(0).port(), c.stubs().get(1).port(),
                Integer.parseInt(c.cluster().peerListen().substring(c.cluster().peerListen().lastIndexOf(':') + 1))))
                .distinct().count());
    }

    /** The demo's ports after a move: listener, http, then each issuer's hosts and each stub's port. */
    private static List<Object> ports(SwitchConfig cfg) {
        return List.of(cfg.listeners().getFirst().port(), cfg.http().port(),
                cfg.issuers().get(0).hosts(), cfg.issuers().get(1).hosts(), cfg.stubs().get(0).port(), cfg.stubs().get(1).port());
    }

    @Test
    void shouldMoveEveryDemoPortTogetherWithPortBase() throws Exception {
        assertEquals(List.of(28000, 28001, List.of("127.0.0.1:28002"), List.of("127.0.0.1:28003"),
                28002, 28003), ports(ConfigLoader.parse("portBase: 28000\n")));
    }

    @Test
    void shouldMoveTheShippedConfigFileWithThePortBaseFlag() throws Exception {
        // the shipped file writes every default port out: they still count as defaults and move
        Path file = Path.of(System.getProperty("acqswitch.config.dir", "../config"), "switch.yaml");
        assertEquals(List.of(31000, 31001, List.of("127.0.0.1:31002"), List.of("127.0.0.1:31003"),
                31002, 31003), ports(ConfigLoader.load(file, 31000)));
    }

    @Test
    void shouldLetThePortBaseFlagReplaceTheFilesPortBase() throws Exception {
        assertEquals(30000, ConfigLoader.parse("portBase: 28000\n", 30000).listeners().getFirst().port());
    }

    @Test
    void shouldKeepAPortSetByHandWhenPortBaseMovesTheRest() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("portBase: 28000\nhttp: {port: 9100}\n");
        assertEquals(9100, cfg.http().port());
        assertEquals(28000, cfg.listeners().getFirst().port());
    }

    @Test
    void shouldNotMoveARemoteIssuerHostWithPortBase() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("""
                portBase: 28000
                issuers: [{id: a, hosts: ["10.1.2.3:9583", "127.0.0.1:9583", "localhost:9584"]}]
                stubs: []
                routing: {defaultIssuer: a}
                """);
        assertEquals(List.of("10.1.2.3:9583", "127.0.0.1:28002", "localhost:28003"), cfg.issuers().getFirst().hosts());
    }

    @Test
    void shouldStopStartUpOnPortBaseBeyond65535() {
        assertEquals("portBase=65534: the demo's ports run from portBase to portBase+3, so it must be between 1 and 65532",
                problem("portBase: 65534\n"));
        assertEquals("portBase=0: the demo's ports run from portBase to portBase+3, so it must be between 1 and 65532",
                problem("portBase: 0\n"));
    }

    @Test
    void shouldStopStartUpWhenAKeptPortLandsOnAMovedOne() {
        assertEquals("listeners[0].port=28000: http.port binds that port too (after portBase=28000 moved the default ports)",
                problem("portBase: 28000\nhttp: {port: 28000}\n"));
    }

    @Test
    void shouldStopStartUpWhenTwoServersBindOnePort() {
        assertEquals("stubs[1].port=9583: stubs[0].port binds that port too",
                problem("stubs: [{name: issuer-a}, {name: issuer-b, port: 9583}]\n"));
    }
}
