package io.acqswitch.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.support.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class RouterTest {
    private static final Set<String> ISSUERS = Set.of("issuer-a", "issuer-b");
    private static final String VISA = "4761739001010010";
    private static final String MASTERCARD = "5300000000000000";

    @TempDir
    Path dir;

    private static Router router(Path file) {
        SwitchConfig.Routing routing = new SwitchConfig.Routing(
                List.of(new SwitchConfig.Route("4", null, null, "issuer-a")), null);
        BinTable.Result r = BinTable.build(routing, ISSUERS, "routing");
        return new Router(assertInstanceOf(BinTable.Result.Built.class, r).table(), ISSUERS, file);
    }

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void shouldSwapTableOnReloadFromFile() throws Exception {
        Path f = file("""
                defaultIssuer: issuer-b
                routes:
                  - prefix: "4"
                    issuer: issuer-b
                  - low: "51"
                    high: "55"
                    issuer: issuer-a
                """);
        try (Router router = router(f)) {
            assertEquals("issuer-a", router.route(VISA));
            assertEquals(new Router.Reload.Applied(2), router.reload());
            assertEquals("issuer-b", router.route(VISA));
            assertEquals("issuer-a", router.route(MASTERCARD));
            assertEquals("issuer-b", router.route("6011000000000004"));
        }
    }

    @Test
    void shouldKeepOldTableWhenReloadedFileIsInvalid() throws Exception {
        Path f = file("""
                routes:
                  - prefix: "4"
                    issuer: issuer-b
                  - low: "4"
                    high: "4"
                    issuer: issuer-a
                  - low: "55"
                    high: "51"
                    issuer: issuer-a
                """);
        try (Router router = router(f)) {
            BinTable before = router.table();
            Router.Reload.Rejected r = assertInstanceOf(Router.Reload.Rejected.class, router.reload());
            assertEquals(List.of(
                    "routes[2].low=55: must not be above high (51)",
                    "routes[1].low=4: overlaps routes[0] (prefix 4 to issuer-b) but goes to issuer-a;"
                            + " equal-length routes to different issuers must not overlap"), r.problems());
            assertSame(before, router.table());
            assertEquals("issuer-a", router.route(VISA));
        }
    }

    @Test
    void shouldRejectUnreadableOrMalformedFiles() throws Exception {
        try (Router router = router(dir.resolve("missing.yaml"))) {
            assertEquals(List.of("file=" + dir.resolve("missing.yaml") + ": not found"),
                    assertInstanceOf(Router.Reload.Rejected.class, router.reload()).problems());
            String empty = assertInstanceOf(Router.Reload.Rejected.class, router.reload(file("   \n"))).problems().getFirst();
            assertTrue(empty.contains("empty document"), empty);
            String typo = assertInstanceOf(Router.Reload.Rejected.class,
                    router.reload(file("routes:\n  - prefx: \"4\"\n    issuer: issuer-a\n"))).problems().getFirst();
            assertTrue(typo.startsWith("routes[0].prefx: unknown setting"), typo);
            String unknown = assertInstanceOf(Router.Reload.Rejected.class,
                    router.reload(file("routes:\n  - prefix: \"4\"\n    issuer: nobody\n"))).problems().getFirst();
            assertEquals("routes[0].issuer=nobody: no issuer has that id", unknown);
            assertEquals("issuer-a", router.route(VISA));
        }
    }

    @Test
    void shouldRejectReloadWithoutRoutesFile() {
        try (Router router = router(null)) {
            assertInstanceOf(Router.Reload.Rejected.class, router.reload());
            assertEquals("issuer-a", router.route(VISA));
        }
    }

    @Test
    void shouldPickUpChangedFileWhenWatching() throws Exception {
        Path f = file("routes:\n  - prefix: \"4\"\n    issuer: issuer-a\n");
        try (Router router = router(f)) {
            router.watch(f, Duration.ofMillis(50));
            Files.writeString(f, "routes:\n  - prefix: \"4\"\n    issuer: issuer-b\n");
            // a later mtime, in case the file system keeps whole seconds
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            Await.until("the watched file reloaded", () -> "issuer-b".equals(router.route(VISA)), Duration.ofSeconds(5));
            assertEquals("issuer-b", router.route(VISA));
        }
    }

    @Test
    void shouldAnswer422AndKeepRoutingWhenHttpReloadFileIsBad() throws Exception {
        Path f = file("routes:\n  - low: \"5100\"\n    high: \"55\"\n    issuer: issuer-b\n");
        try (Router router = router(f);
                AdminHttpServer http = new AdminHttpServer("127.0.0.1", 0)) {
            router.mount(http, "/routes");
            http.start();
            HttpClient client = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + http.port() + "/routes");

            HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(base + "/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, bad.statusCode(), bad.body());
            assertEquals("{\"problems\":[\"routes[0].low=5100: low and high must have the same length\"]}", bad.body());
            assertEquals("issuer-a", router.route(VISA));
            assertNull(router.route(MASTERCARD));

            HttpResponse<String> table = client.send(HttpRequest.newBuilder(base).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, table.statusCode());
            assertEquals("{\"routes\":[{\"prefix\":\"4\",\"issuer\":\"issuer-a\"}],\"defaultIssuer\":null}", table.body());

            Files.writeString(f, "routes:\n  - low: \"51\"\n    high: \"55\"\n    issuer: issuer-b\n");
            HttpResponse<String> good = client.send(HttpRequest.newBuilder(URI.create(base + "/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, good.statusCode(), good.body());
            assertEquals("{\"routes\":1}", good.body());
            assertEquals("issuer-b", router.route(MASTERCARD));
            assertNull(router.route(VISA));

            HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(URI.create(base + "/reload"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, wrongMethod.statusCode());
        }
    }
}
