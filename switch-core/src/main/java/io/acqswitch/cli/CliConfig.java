package io.acqswitch.cli;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import java.nio.file.Path;

/**
 * The switch's configuration as the tools beside it ({@code txn}, {@code send}, {@code recon}) read
 * it, so that they find the switch where {@code run} put it: the same file ({@code --config}, else
 * {@code config/switch.yaml} if present, else the built-in defaults) and the same
 * {@code --port-base}. An explicit {@code --url}, {@code --port} or {@code --data-dir} wins, and
 * then the file is not read at all.
 */
final class CliConfig {
    /** The help text of {@code --port-base}, shared by every command that takes it. */
    static final String PORT_BASE_HELP = "move every demo port together: terminal listener N, HTTP (/metrics, /ops) N+1, "
            + "issuer stubs N+2 and N+3; only ports still at their defaults (8583, 8080, 9583, 9584) move; "
            + "replaces portBase in the configuration";

    private CliConfig() {}

    /** {@code config}, else the default file if present, else the defaults; ports moved to {@code portBase} if given. */
    static SwitchConfig load(Path config, Integer portBase) throws ConfigException {
        return config != null ? ConfigLoader.load(config, portBase) : ConfigLoader.loadDefault(portBase);
    }

    /** The HTTP endpoint a local tool reaches: {@code http.bind} (loopback for a wildcard) and {@code http.port}. */
    static String adminUrl(SwitchConfig cfg) {
        String host = reachable(cfg.http().bind());
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + cfg.http().port();
    }

    /** The address a local client uses for a server bound to {@code bind}: a wildcard is reached on loopback. */
    static String reachable(String bind) {
        String host = bind.replaceAll("^\\[|]$", "");
        return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }
}
