package io.acqswitch.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server (the JDK's) for operations. Routes are added with {@link #route}; each
 * handler returns a {@link Reply}. Requests run on two daemon threads, away from Netty and the ring.
 */
public final class AdminHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);

    /** An HTTP answer. */
    public record Reply(int status, String contentType, String body) {
        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body);
        }

        public static Reply text(int status, String body) {
            return new Reply(status, "text/plain; charset=utf-8", body);
        }
    }

    /** Handles one request; {@code exchange} gives method, path, query and body. */
    @FunctionalInterface
    public interface Route {
        Reply handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;

    public AdminHttpServer(String bind, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
    }

    /** Serves {@code path} (and everything below it) with {@code route}. */
    public AdminHttpServer route(String path, Route route) {
        server.createContext(path, new Adapter(route));
        return this;
    }

    public AdminHttpServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Adapter(Route route) implements HttpHandler {
        @Override
        public void handle(HttpExchange ex) throws IOException {
            Reply reply;
            try {
                reply = route.handle(ex);
            } catch (RuntimeException | IOException e) {
                LOG.error("admin request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
                reply = Reply.json(500, "{\"error\":\"internal error\"}");
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", reply.contentType());
            ex.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
