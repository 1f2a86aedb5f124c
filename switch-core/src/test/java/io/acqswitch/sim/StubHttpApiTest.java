package io.acqswitch.sim;

import static io.acqswitch.sim.StubWire.connect;
import static io.acqswitch.sim.StubWire.reversal;
import static io.acqswitch.sim.StubWire.sale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.admin.AdminHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stub's HTTP API, mounted under a prefix and at the root of an admin server. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class StubHttpApiTest {
    private static final String PAN = "4761739001010010";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private IssuerStub stub;
    private IssuerStub rootStub;
    private AdminHttpServer server;
    private AdminHttpServer rootServer;

    @BeforeEach
    void start() throws Exception {
        stub = new IssuerStub("issuer-a", "127.0.0.1", 0, StubRules.approveAll()).start();
        server = new AdminHttpServer("127.0.0.1", 0);
        stub.mount(server, "/stubs/issuer-a");
        server.start();
        rootStub = new IssuerStub("alone", "127.0.0.1", 0, StubRules.approveAll()).start();
        rootServer = new AdminHttpServer("127.0.0.1", 0);
        rootStub.mount(rootServer, "");
        rootServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
        rootServer.close();
        stub.close();
        rootStub.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(server, "/stubs/issuer-a" + path, method, body);
    }

    private HttpResponse<String> call(AdminHttpServer s, String path, String method, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(5)).method(method, publisher).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldApplyRulesChangedOverHttpPut() throws Exception {
        try (TerminalClient client = connect(stub)) {
            assertEquals("00", client.exchange(sale(PAN, 5000)).getString(39));

            HttpResponse<String> put = call("PUT", "/rules", "{\"declineAtOrAbove\": 1000, \"latencyMs\": 1}");
            assertEquals(200, put.statusCode(), put.body());
            assertEquals(1000, JSON.readTree(put.body()).get("declineAtOrAbove").asLong());

            assertEquals("51", client.exchange(sale(PAN, 5000)).getString(39));
            assertEquals(1000L, stub.rules().declineAtOrAbove());
            assertEquals(1000, JSON.readTree(call("GET", "/rules", null).body()).get("declineAtOrAbove").asLong());
        }
    }

    @Test
    void shouldRejectInvalidRulesWithClearMessageAndKeepOldRules() throws Exception {
        stub.setRules(StubRules.parse("declineAtOrAbove: 777"));
        for (String[] bad : List.of(
                new String[] {"{\"withholdRatio\": 2}", "withholdRatio=2.0: must be between 0 and 1"},
                new String[] {"{\"declineAtOrAbov\": 5}", "unknown setting"},
                new String[] {"{\"latencyMs\": \"slow\"}", "latencyMs"},
                new String[] {"{not json", "not valid"},
                new String[] {"", "empty body"})) {
            HttpResponse<String> put = call("PUT", "/rules", bad[0]);
            assertEquals(400, put.statusCode(), bad[0]);
            String error = JSON.readTree(put.body()).get("error").asText();
            assertTrue(error.contains(bad[1]), bad[0] + " -> " + error);
        }
        assertEquals(777L, stub.rules().declineAtOrAbove());
    }

    @Test
    void shouldNeverShowFullPanOverHttp() throws Exception {
        stub.setRules(StubRules.parse("balances: {\"" + PAN + "\": 9000}"));
        try (TerminalClient client = connect(stub)) {
            ISOMsg debit = sale(PAN, 1234);
            client.exchange(debit);
            client.exchange(reversal("0420", debit));
            client.exchange(reversal("0420", sale("4000001234567899", 50)));
        }
        for (String path : List.of("/ledger", "/ledger/summary", "/ledger.csv", "/rules")) {
            HttpResponse<String> r = call("GET", path, null);
            assertEquals(200, r.statusCode(), path);
            assertFalse(r.body().contains(PAN), path + ": " + r.body());
            assertFalse(r.body().contains("4000001234567899"), path + ": " + r.body());
        }
        JsonNode ledger = JSON.readTree(call("GET", "/ledger", null).body());
        assertEquals("476173******0010", ledger.get("entries").get(0).get("maskedPan").asText());
        assertTrue(ledger.get("entries").get(0).get("reversed").asBoolean());
        assertEquals(1, ledger.get("summary").get("orphanReversals").asInt());
        assertEquals("400000******7899", ledger.get("orphanReversals").get(0).get("maskedPan").asText());
        assertTrue(call("GET", "/rules", null).body().contains("476173******0010"));
    }

    @Test
    void shouldExportLedgerAsCsvWithDocumentedColumns() throws Exception {
        ISOMsg debit = sale(PAN, 1234);
        try (TerminalClient client = connect(stub)) {
            client.exchange(debit);
        }
        HttpResponse<String> csv = call("GET", "/ledger.csv", null);
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        String[] lines = csv.body().split("\r\n");
        assertEquals(LedgerExport.CSV_HEADER, lines[0]);
        String[] cells = lines[1].split(",", -1);
        assertEquals(LedgerExport.CSV_HEADER.split(",").length, cells.length);
        assertEquals(debit.getString(37), cells[0]);
        assertEquals(debit.getString(11), cells[1]);
        assertEquals("476173******0010", cells[5]);
        assertEquals("1234", cells[6]);
        assertEquals("DEBIT", cells[8]);
        assertEquals("00", cells[9]);
    }

    @Test
    void shouldClearLedgerOnPost() throws Exception {
        try (TerminalClient client = connect(stub)) {
            client.exchange(sale(PAN, 10));
        }
        assertEquals(405, call("GET", "/ledger/clear", null).statusCode());
        assertEquals(200, call("POST", "/ledger/clear", "").statusCode());
        assertTrue(stub.ledger().entries().isEmpty());
        assertEquals(404, call("GET", "/nothing", null).statusCode());
    }

    @Test
    void shouldServeAtRootWhenMountedWithEmptyPrefix() throws Exception {
        try (TerminalClient client = connect(rootStub)) {
            client.exchange(sale(PAN, 10));
        }
        HttpResponse<String> summary = call(rootServer, "/ledger/summary", "GET", null);
        assertEquals(200, summary.statusCode());
        assertEquals(1, JSON.readTree(summary.body()).get("debitsApproved").asInt());
        assertEquals(200, call(rootServer, "/rules", "PUT", "refuseConnections: true").statusCode());
        assertTrue(rootStub.rules().refuseConnections());
    }
}
