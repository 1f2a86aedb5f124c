package io.acqswitch.cli;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.Durations;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.IsoLog;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code send}: acts as a terminal, sends one message and prints the masked answer. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send one message as a terminal and print the answer (card data masked). "
                + "Exit code 0 when the answer is approved (39=00), 1 when it is not, 2 when none came or the input is bad.")
final class SendCommand implements Callable<Integer> {
    @Option(names = "--host", description = "switch address (default: the first listener's bind address in the configuration, "
            + "127.0.0.1 for a wildcard)")
    String host;

    @Option(names = "--port", description = "terminal port; wins over --config and --port-base "
            + "(default: the first listener's port in the configuration, 8583 by default)")
    Integer port;

    @Option(names = {"-c", "--config"}, description = "the switch's configuration, to find its terminal port "
            + "(default: config/switch.yaml if present, else the built-in defaults)")
    Path config;

    @Option(names = "--port-base", paramLabel = "N", description = "as given to `run`: " + CliConfig.PORT_BASE_HELP)
    Integer portBase;

    @ArgGroup(exclusive = true)
    Kind kind = new Kind();

    static final class Kind {
        @Option(names = "--mti", description = "network management MTI to send: 0800 (default)")
        String mti = "0800";

        @Option(names = "--sale", description = "send a 0200 purchase")
        boolean sale;

        @Option(names = "--void", description = "send a 0200 void of --rrn (with --auth)")
        boolean voidIt;

        @Option(names = "--refund", description = "send a 0220 refund of --rrn")
        boolean refund;

        @Option(names = "--reversal", description = "send a 0400 reversal of the sale with --stan (same terminal)")
        boolean reversal;
    }

    @Option(names = "--network-code", defaultValue = "301", description = "field 70 for 0800: 001 sign-on, 002 sign-off, 301 echo")
    String networkCode;

    @Option(names = "--pan", defaultValue = "4761739001010010", description = "card number (a test card by default)")
    String pan;

    @Option(names = "--amount", defaultValue = "1000", description = "amount in minor units (default ${DEFAULT-VALUE})")
    long amount;

    @Option(names = "--dialect", defaultValue = "iso87", description = "iso87 (default) or cup (UnionPay: TPDU + header, 60.1/60.2/60.3)")
    String dialect;

    @Option(names = "--batch", defaultValue = "000001", description = "cup: batch number, field 60.2 (default ${DEFAULT-VALUE})")
    String batch;

    @Option(names = "--tpdu", defaultValue = "6000060000", description = "cup: TPDU, 60 + destination + source (default ${DEFAULT-VALUE})")
    String tpdu;

    @Option(names = "--rrn", description = "field 37 of the original, for --void and --refund")
    String rrn;

    @Option(names = "--auth", description = "field 38 of the original, for --void")
    String auth;

    @Option(names = "--stan", description = "field 11 (default: random)")
    String stan;

    @Option(names = "--tid", defaultValue = "TERM0001", description = "terminal id, field 41")
    String terminalId;

    @Option(names = "--mid", defaultValue = "MERCHANT0000001", description = "merchant id, field 42")
    String merchantId;

    @Option(names = "--timeout", defaultValue = "15s", description = "how long to wait for the answer")
    String timeout;

    @Spec
    CommandSpec spec;

    /** UnionPay conventions: TPDU + header, no field 7/70, the type and batch in 60 (60.3 for management). */
    private void toCup(ISOMsg m) {
        m.setHeader(HexFormat.of().parseHex(tpdu + CUP_HEADER));
        m.unset(7, 12, 13);
        String type;
        if (kind.voidIt) {
            type = "23";
        } else if (kind.refund) {
            type = "25";
        } else if (kind.sale || kind.reversal) {
            type = "22";
        } else {
            m.set(0, "002".equals(networkCode) ? "0820" : "0800");
            m.set(60, "00" + batch + networkCode);
            m.unset(70);
            return;
        }
        m.set(49, "156");
        m.set(60, type + batch);
    }

    /** Application 60, version 31, nothing requested, software version 0320072. */
    private static final String CUP_HEADER = "603100320072";

    /** True for the messages that carry a card number (field 2). */
    private boolean carriesPan() {
        return kind.sale || kind.reversal || kind.voidIt || kind.refund;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String s = stan != null ? stan : String.format("%06d", ThreadLocalRandom.current().nextInt(1, 1_000_000));
        if ((kind.voidIt || kind.refund) && rrn == null) {
            err.println("--void and --refund need --rrn of the original");
            return 2;
        }
        if (carriesPan() && !pan.matches("\\d{12,19}")) {
            // the switch answers such a PAN 30 (format error); say so here without echoing it
            err.println("--pan: a card number is 12 to 19 digits; this one has " + pan.length() + " characters"
                    + (pan.chars().allMatch(Character::isDigit) ? "" : ", not all digits"));
            return 2;
        }
        Duration wait;
        try {
            wait = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            err.println("--timeout=" + timeout + ": " + Failures.describe(e));
            return 2;
        }
        if (port == null) {
            try {
                var listener = CliConfig.load(config, portBase).listeners().getFirst();
                port = listener.port();
                host = host != null ? host : CliConfig.reachable(listener.bind());
            } catch (ConfigException e) {
                err.println("send: cannot tell the switch's terminal port (fix the configuration or give --port): " + e.getMessage());
                return 2;
            }
        }
        host = host != null ? host : "127.0.0.1";
        ISOMsg req;
        if (kind.sale || kind.reversal) {
            req = TerminalMessages.sale(pan, amount, s, terminalId, merchantId);
            if (kind.reversal) {
                req.set(0, "0400");
            }
        } else if (kind.voidIt) {
            req = TerminalMessages.voidOf(pan, amount, rrn, auth, s, terminalId, merchantId);
        } else if (kind.refund) {
            req = TerminalMessages.refundOf(pan, amount, rrn, s, terminalId, merchantId);
        } else {
            req = TerminalMessages.networkManagement(networkCode, s, terminalId);
            req.set(0, kind.mti);
        }
        Dialect d = Dialect.byName(dialect).orElse(null);
        if (d == null) {
            err.println("--dialect=" + dialect + ": unknown (known: " + Dialect.names() + ")");
            return 2;
        }
        if (d == Dialect.CUP) {
            toCup(req);
        }
        IsoCodec codec = IsoCodec.of(d);
        try (TerminalClient client = new TerminalClient(host, port, codec, wait)) {
            out.println("> " + IsoLog.describe(req));
            try {
                client.send(req);
            } catch (ISOException e) {
                err.println("send: the request does not pack (check --stan, --amount, --tid, --mid): " + Failures.describe(e));
                return 2;
            }
            ISOMsg answer;
            try {
                answer = client.receive();
            } catch (ISOException e) {
                err.println("send: the answer from " + host + ":" + port + " does not unpack as " + d.configName() + ": "
                        + Failures.describe(e));
                return 2;
            }
            out.println("< " + IsoLog.describe(answer));
            out.flush();
            return "00".equals(answer.getString(39)) ? 0 : 1;
        } catch (IOException e) {
            err.println("no answer from " + host + ":" + port + ": " + Failures.describe(e));
            return 2;
        }
    }

}
