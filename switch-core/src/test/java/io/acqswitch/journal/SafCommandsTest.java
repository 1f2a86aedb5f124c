package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.cli.Main;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Http;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Operations re-queue or resolve expired reversals (CLI {@code txn requeue|resolve}, HTTP underneath); who and why are recorded. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class SafCommandsTest {
    private static final StubRules DEAF = StubRules.builder().withholdRatio(1.0).ignoreReversals(100_000).build();

    private static HttpResponse<String> post(Rig rig, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + rig.node.httpPort() + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRequeueAnExpiredReversalAndResolveAnotherByHand() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, DEAF).start()) {
            var data = TempFiles.newDir("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 300, data).replace("saf: {firstRetry: 100ms, maxRetry: 400ms}",
                    "saf: {firstRetry: 100ms, maxRetry: 200ms, expiry: 600ms}");
            try (Rig rig = Rig.start(stub, hosts, yaml, data); TerminalClient t = rig.terminal()) {
                String first = t.exchange(TerminalMessages.sale("4761739001010010", 10, "000001", "TERM0001", "M1")).getString(37);
                String second = t.exchange(TerminalMessages.sale("4761739001010010", 20, "000002", "TERM0001", "M1")).getString(37);
                rig.await("both reversals expired", () -> rig.counted("switch_reversals_expired") == 2.0, Duration.ofSeconds(10));
                rig.await("expired reversals are no longer pending", () -> rig.node.processor().safDepth() == 0,
                        Duration.ofSeconds(2));

                assertEquals(400, post(rig, "/ops/saf/" + first + "/requeue").statusCode(), "who and why are required");
                stub.setRules(StubRules.approveAll());
                rig.await("the journal shows both expired", () -> {
                    try {
                        String expired = Http.get(rig.node.httpPort(), "/ops/saf?status=expired", null).body();
                        return expired.contains(first) && expired.contains(second);
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(10));
                // the CLI's requeue (a 202 from POST .../requeue underneath) returns once the switch has sent it again
                String[] requeued = Cli.run("txn", "requeue", first, "--url",
                        "http://127.0.0.1:" + rig.node.httpPort(), "--who", "alice", "--why", "issuer back online");
                assertEquals("0", requeued[0], requeued[1] + requeued[2]);
                assertTrue(requeued[1].contains("requeue of " + first + " applied"), requeued[1]);
                rig.await("requeued reversal delivered", () -> rig.ledger(first).map(LedgerEntry::reversed).orElse(false),
                        Duration.ofSeconds(10));

                StringWriter out = new StringWriter();
                picocli.CommandLine cli = new picocli.CommandLine(Main.class);
                cli.setOut(new PrintWriter(out));
                int code = cli.execute("txn", "resolve", second, "--url", "http://127.0.0.1:" + rig.node.httpPort(),
                        "--who", "bob", "--why", "reversed by phone");
                assertEquals(0, code, out.toString());
                assertTrue(out.toString().contains("resolve of " + second + " applied: state REVERSED"), out.toString());
                rig.await("resolved", () -> rig.counted("switch_saf_commands", "action", "saf_resolve", "result", "applied") == 1.0,
                        Duration.ofSeconds(5));
                assertTrue(!rig.ledger(second).orElseThrow().reversed(), "resolving sends nothing to the issuer");
                rig.await("the journal shows who resolved it", () -> {
                    try {
                        HttpResponse<String> r = Http.get(rig.node.httpPort(), "/ops/transactions/" + second, null);
                        return r.body().contains("resolved by hand by bob: reversed by phone") && r.body().contains("REVERSED");
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(10));
            }
        }
    }
}
