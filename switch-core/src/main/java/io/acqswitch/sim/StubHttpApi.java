package io.acqswitch.sim;

import com.sun.net.httpserver.HttpExchange;
import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.admin.AdminHttpServer.Reply;
import io.acqswitch.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The issuer stub's operations API, mounted under a prefix of an {@link AdminHttpServer}. Runs on
 * the HTTP server's threads; everything it touches (ledger, rules) is thread-safe. The server asks
 * the bearer token of {@code PUT rules} and {@code POST ledger/clear} when one is configured (401
 * before this runs).
 */
final class StubHttpApi {
    private static final int MAX_BODY_BYTES = 1 << 20;

    private final IssuerStub stub;

    StubHttpApi(IssuerStub stub) {
        this.stub = stub;
    }

    void mount(AdminHttpServer http, String prefix) {
        String base = prefix == null || prefix.equals("/") ? "" : prefix.replaceAll("/+$", "");
        http.route(base + "/", ex -> handle(ex, base));
    }

    private Reply handle(HttpExchange ex, String base) throws IOException {
        String path = ex.getRequestURI().getPath().substring(base.length());
        String method = ex.getRequestMethod();
        return switch (path) {
            case "/ledger" -> get(method, () -> Reply.json(200, stub.ledger().toJson()));
            case "/ledger/summary" -> get(method, () -> Reply.json(200, LedgerExport.json(stub.ledger().summary())));
            case "/ledger.csv" -> get(method, () -> new Reply(200, "text/csv; charset=utf-8", stub.ledger().toCsv()));
            case "/ledger/clear" -> "POST".equals(method) ? clear() : notAllowed("POST");
            case "/rules" -> switch (method) {
                case "GET" -> rules();
                case "PUT" -> putRules(ex);
                default -> notAllowed("GET, PUT");
            };
            default -> error(404, "no such resource: " + ex.getRequestURI().getPath());
        };
    }

    private interface Get {
        Reply reply();
    }

    private static Reply get(String method, Get get) {
        return "GET".equals(method) ? get.reply() : notAllowed("GET");
    }

    private Reply clear() {
        stub.ledger().clear();
        return Reply.json(200, LedgerExport.json(stub.ledger().summary()));
    }

    private Reply rules() {
        return Reply.json(200, LedgerExport.json(stub.rules().toMaskedMap()));
    }

    private Reply putRules(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            return error(413, "rules body larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (body.length == 0) {
            return error(400, "rules: empty body (send {} for the defaults)");
        }
        try {
            stub.setRules(StubRules.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (ConfigException e) {
            return error(400, String.join("; ", e.problems()));
        }
        return rules();
    }

    private static Reply notAllowed(String allowed) {
        return error(405, "method not allowed (allowed: " + allowed + ")");
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, LedgerExport.json(Map.of("error", message)));
    }
}
