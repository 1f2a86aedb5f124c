package io.acqswitch.cli;

import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.config.ConfigException;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code issuer-stub}: runs an issuer host simulator (and its HTTP API) until the process is stopped. */
@Command(name = "issuer-stub", mixinStandardHelpOptions = true,
        description = {"Run an issuer host simulator that answers iso87 requests by its rules and keeps a ledger "
                + "(in memory only: empty again after a restart).",
            "Exit 0 when stopped, 2 on a bad rules file or a port it cannot listen on."})
final class IssuerStubCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", defaultValue = "9583", description = "ISO 8583 port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--http-port", defaultValue = "9680",
            description = "HTTP API port (GET /ledger, /ledger.csv, /rules; PUT /rules); 0 = no HTTP (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--rules", description = "YAML or JSON rules file (default: approve everything)")
    Path rules;

    @Option(names = "--name", defaultValue = "issuer-stub", description = "name in logs (default ${DEFAULT-VALUE})")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StubRules initial;
        try {
            initial = rules != null ? StubRules.load(rules) : StubRules.approveAll();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(Failures.describe(e));
            return 2;
        }
        IssuerStub stub;
        try {
            stub = new IssuerStub(name, bind, port, initial).start();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // Netty rethrows the bind failure (BindException) undeclared
            spec.commandLine().getErr().println("issuer-stub: cannot listen on " + bind + ":" + port + ": " + Failures.describe(e));
            return 2;
        }
        AdminHttpServer http = null;
        try {
            if (httpPort > 0) {
                http = new AdminHttpServer(bind, httpPort);
                stub.mount(http, "");
                http.start();
            }
        } catch (IOException | RuntimeException e) {
            stub.close();
            spec.commandLine().getErr().println("issuer-stub: cannot serve HTTP on " + bind + ":" + httpPort + ": "
                    + Failures.describe(e));
            return 2;
        }
        Runnable shutdown = closeOnce(stub, http);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown.run();
            stopped.countDown();
        }, "shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("issuer stub " + name + " on " + bind + ":" + stub.port()
                + (http != null ? ", HTTP on " + bind + ":" + http.port() : "") + "; rules " + initial + "; Ctrl-C to stop");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown.run();
        }
        return 0;
    }

    /** Closes the HTTP server, then the stub, the first time it runs (shutdown hook or interrupt). */
    private static Runnable closeOnce(IssuerStub stub, AdminHttpServer http) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                if (http != null) {
                    http.close();
                }
                stub.close();
            }
        };
    }
}
