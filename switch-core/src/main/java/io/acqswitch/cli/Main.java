package io.acqswitch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code acquirer-switch.jar}. */
@Command(name = "acquirer-switch", mixinStandardHelpOptions = true, version = "acquirer-switch 0.1.0",
        description = "ISO 8583 acquirer switch",
        subcommands = {RunCommand.class, SendCommand.class, IssuerStubCommand.class, TxnCommand.class, ReconCommand.class, KeysCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Chronicle Map must not phone home; set before any Chronicle class loads.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.exit(new CommandLine(Main.class).execute(args));
    }
}
