package io.acqswitch.route;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link BinTable} and swaps it on reload. {@link #route} is lock-free and
 * allocation-free (one volatile read) and may be called from any thread; reloads are serialised
 * among themselves and never disturb lookups in flight. A new table that fails validation is
 * rejected with its problems and the old one stays.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // a route shows prefix or low/high, not the other pair as nulls
        JSON.configOverride(SwitchConfig.Route.class).setInclude(JsonInclude.Value.construct(
                JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));
    }

    /** The outcome of a reload. */
    public sealed interface Reload {
        /** The new table is in use; it has {@code routes} routes. */
        record Applied(int routes) implements Reload {}

        /** The file was not used (the old table stays); each problem reads {@code name=value: reason}. */
        record Rejected(List<String> problems) implements Reload {
            public Rejected {
                problems = List.copyOf(problems);
            }
        }
    }

    private final Set<String> issuerIds;
    private final Path routesFile;
    private volatile BinTable table;
    private ScheduledExecutorService watcher;

    /**
     * @param initial    the table to start with (usually from the validated {@code routing:} section)
     * @param issuerIds  the configured issuer ids; reloaded routes may only name these
     * @param routesFile the file {@code POST .../reload} reads, or null when there is none
     */
    public Router(BinTable initial, Set<String> issuerIds, Path routesFile) {
        this.table = Objects.requireNonNull(initial, "initial");
        this.issuerIds = Set.copyOf(issuerIds);
        this.routesFile = routesFile;
    }

    /**
     * A router over a validated configuration's {@code routing:} section.
     *
     * @throws IllegalArgumentException if the routing is invalid (it cannot be, once
     *                                  {@link ConfigLoader} accepted {@code cfg})
     */
    public static Router of(SwitchConfig cfg, Path routesFile) {
        Set<String> ids = cfg.issuers().stream().map(SwitchConfig.Issuer::id)
                .filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
        return switch (BinTable.build(cfg.routing(), ids, "routing")) {
            case BinTable.Result.Built b -> new Router(b.table(), ids, routesFile);
            case BinTable.Result.Invalid i -> throw new IllegalArgumentException(String.join("; ", i.problems()));
        };
    }

    /** The issuer for {@code pan}, or null (answer 15); see {@link BinTable#route}. Any thread, no allocation. */
    public String route(CharSequence pan) {
        return table.route(pan);
    }

    /** The table in use now. */
    public BinTable table() {
        return table;
    }

    /** The file {@link #reload()} reads, or null. */
    public Path routesFile() {
        return routesFile;
    }

    /** Reloads from the configured routes file; rejected when none is configured. */
    public Reload reload() {
        if (routesFile == null) {
            return new Reload.Rejected(List.of("routesFile=null: no routes file is configured"));
        }
        return reload(routesFile);
    }

    /**
     * Reads {@code yamlFile} (shaped like the {@code routing:} section: {@code routes:} and
     * {@code defaultIssuer}), validates it and, if valid, makes it the table in use. Never throws
     * for a missing, unreadable or invalid file: that is a {@link Reload.Rejected}, logged at WARN.
     */
    public synchronized Reload reload(Path yamlFile) {
        Reload result;
        try {
            SwitchConfig.Routing routing = ConfigLoader.parseRouting(Files.readString(yamlFile));
            result = switch (BinTable.build(routing, issuerIds, "")) {
                case BinTable.Result.Built b -> {
                    table = b.table();
                    yield new Reload.Applied(b.table().size());
                }
                case BinTable.Result.Invalid i -> new Reload.Rejected(i.problems());
            };
        } catch (NoSuchFileException e) {
            result = new Reload.Rejected(List.of("file=" + yamlFile + ": not found"));
        } catch (IOException e) {
            result = new Reload.Rejected(List.of("file=" + yamlFile + ": cannot read (" + e.getMessage() + ")"));
        } catch (ConfigException e) {
            result = new Reload.Rejected(e.problems());
        }
        switch (result) {
            case Reload.Applied a -> LOG.info("routing reloaded from {}: {} routes, default issuer {}",
                    yamlFile, a.routes(), table.defaultIssuer());
            // one line: log lines are escaped (a line feed would show as \n), so the problems are joined with "; "
            case Reload.Rejected r -> LOG.warn("routing reload from {} rejected, keeping the {} routes in use: {}",
                    yamlFile, table.size(), String.join("; ", r.problems()));
        }
        return result;
    }

    /**
     * Polls {@code file}'s last-modified time and size every {@code pollInterval} on a daemon
     * thread and reloads when either changes (a missing file is a change too once it reappears).
     * The file as it is now counts as seen: call {@link #reload(Path)} first to load it. Stopped by
     * {@link #close()}.
     *
     * @throws IllegalStateException if already watching
     */
    public synchronized Router watch(Path file, Duration pollInterval) {
        if (watcher != null) {
            throw new IllegalStateException("already watching a routes file");
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "routes-watch");
            t.setDaemon(true);
            return t;
        });
        FileWatch watch = new FileWatch(file);
        long ms = Math.max(1, pollInterval.toMillis());
        watcher.scheduleWithFixedDelay(watch::poll, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Serves {@code GET path} (the table in use as JSON: {@code routes}, {@code defaultIssuer}) and
     * {@code POST path/reload} (reload from the routes file: 200 {@code {"routes":n}}, or 422
     * {@code {"problems":[...]}} with the old table kept). Other methods get 405, other paths 404.
     * The server asks the bearer token of the POST when one is configured (401 before this runs).
     */
    public Router mount(AdminHttpServer http, String path) {
        String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        http.route(base, ex -> {
            String p = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (p.equals(base) || p.equals(base + "/")) {
                return method.equals("GET") ? AdminHttpServer.Reply.json(200, tableJson())
                        : AdminHttpServer.Reply.json(405, "{\"error\":\"use GET\"}");
            }
            if (p.equals(base + "/reload")) {
                if (!method.equals("POST")) {
                    return AdminHttpServer.Reply.json(405, "{\"error\":\"use POST\"}");
                }
                return switch (reload()) {
                    case Reload.Applied a -> AdminHttpServer.Reply.json(200, json(Map.of("routes", a.routes())));
                    case Reload.Rejected r -> AdminHttpServer.Reply.json(422, json(Map.of("problems", r.problems())));
                };
            }
            return AdminHttpServer.Reply.json(404, "{\"error\":\"not found\"}");
        });
        return this;
    }

    /** The table in use as JSON: {@code {"routes":[...],"defaultIssuer":"..."}}. */
    public String tableJson() {
        SwitchConfig.Routing r = table.routing();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("routes", r.routes());
        body.put("defaultIssuer", r.defaultIssuer());
        return json(body);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Stops the file watch, if any. Lookups keep working with the table in use. */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    /** What the watch last saw of the file; touched only by the watch thread. */
    private final class FileWatch {
        private final Path file;
        private long lastModified;
        private long lastSize;

        FileWatch(Path file) {
            this.file = file;
            this.lastModified = modified(file);
            this.lastSize = size(file);
        }

        void poll() {
            try {
                long modified = modified(file);
                long size = size(file);
                if (modified == lastModified && size == lastSize) {
                    return;
                }
                lastModified = modified;
                lastSize = size;
                if (modified < 0) {
                    LOG.warn("routes file {} has gone; keeping the {} routes in use", file, table.size());
                    return;
                }
                reload(file);
            } catch (RuntimeException e) { // a thrown task would silently end the schedule
                LOG.error("routes watch on {} failed; still watching", file, e);
            }
        }

        private static long modified(Path f) {
            try {
                return Files.getLastModifiedTime(f).toMillis();
            } catch (IOException e) {
                return -1;
            }
        }

        private static long size(Path f) {
            try {
                return Files.size(f);
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
