package io.acqswitch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Http;
import io.acqswitch.support.Rig;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /health} and the SAF age gauge, against a switch in front of an issuer stub. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class HealthAndSafAgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode health(Rig rig, int expectedStatus) throws Exception {
        HttpResponse<String> r = Http.get(rig.node.httpPort(), "/health");
        assertEquals(expectedStatus, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static List<String> degraded(JsonNode health) {
        List<String> parts = new ArrayList<>();
        health.required("degraded").forEach(n -> parts.add(n.asText()));
        return parts;
    }

    private static double gauge(Rig rig, String name) {
        return rig.node.metrics().registry().get(name).gauge().value();
    }

    @Test
    void shouldAnswer200WhenEveryIssuerHasALinkUpAnd503NamingTheIssuerOnceItsLinksAreDown() throws Exception {
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        boolean stubClosed = false;
        try (Rig rig = Rig.start(stub, List.of("127.0.0.1:" + stub.port()), 2_000, Files.createTempDirectory("health"))) {
            JsonNode up = health(rig, 200);
            assertEquals("UP", up.get("status").asText());
            assertEquals(List.of(), degraded(up));
            assertEquals("UP", up.get("store").asText());
            assertEquals("UP", up.at("/issuers/issuer-a/status").asText());

            stub.close();
            stubClosed = true;
            rig.await("issuer links down", () -> rig.node.issuers().linksUp(0) == 0, Duration.ofSeconds(10));
            JsonNode down = health(rig, 503);
            assertEquals("DEGRADED", down.get("status").asText());
            assertEquals(List.of("issuer:issuer-a"), degraded(down));
            assertEquals("DOWN", down.at("/issuers/issuer-a/status").asText());
            assertEquals("UP", down.get("listeners").asText());
        } finally {
            if (!stubClosed) {
                stub.close();
            }
        }
    }

    @Test
    void shouldAnswer503NamingOnlyTheIssuerThatIsDown() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("health");
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            String yaml = Rig.yaml(List.of("127.0.0.1:" + stub.port()), 2_000, dir).replace("routing:", """
                      - id: issuer-b
                        hosts: ["127.0.0.1:%d"]
                        reconnectMin: 50ms
                        reconnectMax: 200ms
                    routing:""".formatted(deadPort));
            try (Rig rig = Rig.start(stub, List.of("127.0.0.1:" + stub.port()), yaml, dir)) {
                JsonNode h = health(rig, 503);
                assertEquals(List.of("issuer:issuer-b"), degraded(h));
                assertEquals("UP", h.at("/issuers/issuer-a/status").asText());
                assertEquals(0, h.at("/issuers/issuer-b/linksUp").asInt());
                rig.await("reconnect attempts counted", () -> rig.counted("switch_issuer_reconnects", "issuer", "issuer-b") >= 2,
                        Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void shouldReportTheAgeOfTheOldestPendingReversalAndZeroOnceDelivered() throws Exception {
        try (Rig rig = Rig.start(300)) {
            assertEquals(0, gauge(rig, "switch_saf_oldest_entry_age_seconds"));
            rig.stub.setRules(StubRules.builder().withholdRatio(1.0).ignoreReversals(1_000).build());
            try (TerminalClient t = rig.terminal()) {
                assertEquals("68", t.exchange(TerminalMessages.sale("4761739001010010", 100, "000002", "TERM0001",
                        "MERCHANT0000001")).getString(39));
            }
            rig.await("a reversal waiting over 0.3 s",
                    () -> gauge(rig, "switch_saf_oldest_entry_age_seconds") >= 0.3, Duration.ofSeconds(5));
            assertEquals(1, gauge(rig, "switch_saf_depth"));
            rig.stub.setRules(StubRules.approveAll());
            rig.await("reversal delivered", () -> gauge(rig, "switch_saf_depth") == 0, Duration.ofSeconds(5));
            rig.await("age back to 0", () -> gauge(rig, "switch_saf_oldest_entry_age_seconds") == 0,
                    Duration.ofSeconds(5));
            assertTrue(rig.counted("switch_reversals_delivered", "issuer", "issuer-a") >= 1);
        }
    }
}
