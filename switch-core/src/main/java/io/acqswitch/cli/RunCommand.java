package io.acqswitch.cli;

import io.acqswitch.SwitchNode;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run}: starts the switch and runs until the process is stopped. A configuration that is refused
 * or a start-up that fails ({@link StartupException}) is one line {@code name=value: why} on stderr and
 * exit code 2, with no stack trace.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the switch (config/switch.yaml if present, else built-in defaults).")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "configuration file (default: config/switch.yaml if present)")
    Path config;

    @Option(names = "--port-base", paramLabel = "N", description = CliConfig.PORT_BASE_HELP)
    Integer portBase;

    @Override
    public Integer call() throws Exception {
        SwitchNode configured;
        try {
            SwitchConfig cfg = config != null ? ConfigLoader.load(config, portBase) : ConfigLoader.loadDefault(portBase);
            configured = DemoStubs.node(cfg);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        SwitchNode node;
        try {
            node = configured.start();
        } catch (StartupException e) {
            System.err.println(e.getMessage()); // one line naming the setting: the cause is the operator's to fix, not a bug
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown"));
        System.out.println("switch running; Ctrl-C to stop");
        stopped.await();
        return 0;
    }
}
