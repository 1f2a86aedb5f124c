package io.acqswitch.cli;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.recon.LedgerCsv;
import io.acqswitch.recon.Reconciliation;
import io.acqswitch.recon.SettlementRecon;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recon}: the switch's journal against an issuer's ledger export; {@code recon settlements}:
 * the terminals' batch settlements against the journal. Exit 0 when the books agree, 1 when they
 * do not, 2 when the inputs cannot be read.
 */
@Command(name = "recon", mixinStandardHelpOptions = true,
        description = "Reconcile the switch's journal with an issuer ledger CSV; exit 0 = books agree, 1 = differences, 2 = error.",
        subcommands = ReconCommand.Settlements.class)
final class ReconCommand implements Callable<Integer> {
    /** Which journal to read, which period, where the CSV goes. */
    static final class Common {
        @Option(names = "--journal-url", description = "JDBC URL of the journal (default: the configuration's journal, "
                + "or the embedded H2 under --data-dir)")
        String journalUrl;

        @Option(names = "--journal-user", description = "journal database user (default: the configuration's; sa for the embedded H2)")
        String journalUser;

        @Option(names = "--journal-password", description = "journal database password (default: the configuration's)")
        String journalPassword;

        @Option(names = "--data-dir", description = "the switch's dataDir, whose embedded H2 journal to read "
                + "(default: dataDir of the configuration)")
        Path dataDir;

        @Option(names = {"-c", "--config"}, description = "the switch's configuration, for its journal "
                + "(default: config/switch.yaml if present, else the built-in defaults: data/journal)")
        Path config;

        @Option(names = "--from", description = "only what was received at or after this instant (ISO-8601)")
        Instant from;

        @Option(names = "--to", description = "only what was received before this instant (ISO-8601)")
        Instant to;

        @Option(names = "--out", description = "write the differences CSV here (default: standard output, summary on standard error)")
        Path out;

        /**
         * The journal: {@code --journal-url}, else the embedded H2 under {@code --data-dir}, else
         * the one the configuration names (its {@code journal.url}, or the H2 under its {@code dataDir}).
         */
        JournalQueries queries() throws ConfigException {
            if (journalUrl != null || dataDir != null) {
                String url = journalUrl != null ? journalUrl : SwitchConfig.Journal.embeddedUrl(dataDir);
                String user = journalUser != null ? journalUser : (journalUrl == null ? "sa" : "");
                return new JournalQueries(new JournalDb(url, user, journalPassword != null ? journalPassword : ""));
            }
            SwitchConfig cfg = CliConfig.load(config, null);
            return new JournalQueries(new JournalDb(cfg.journalUrl(),
                    journalUser != null ? journalUser : cfg.journal().user(),
                    journalPassword != null ? journalPassword : cfg.journal().password()));
        }

        /** Prints the CSV and the summary as {@code --out} says; the exit code from {@code agrees}. */
        int print(CommandSpec spec, String csv, String summary, boolean agrees) {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter stderr = spec.commandLine().getErr();
            try {
                if (out != null) {
                    Files.writeString(out, csv, StandardCharsets.UTF_8);
                    stdout.print(summary);
                    stdout.println("differences written to " + out);
                } else {
                    stdout.print(csv);
                    stderr.print(summary);
                }
            } catch (IOException e) {
                stderr.println("recon: cannot write " + out + ": " + Failures.describe(e));
                return 2;
            } finally {
                stdout.flush();
                stderr.flush();
            }
            return agrees ? 0 : 1;
        }
    }

    @Mixin
    Common common;

    @Option(names = "--ledger", description = "the issuer ledger export (CSV); required")
    Path ledger;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (ledger == null) {
            spec.commandLine().getErr().println("recon: --ledger FILE is required (or `recon settlements`)");
            return 2;
        }
        Reconciliation.Report report;
        try {
            JournalQueries q = common.queries();
            report = Reconciliation.compare(q.range(common.from, common.to), q.actingOn(common.from, common.to),
                    LedgerCsv.read(ledger), common.from, common.to);
        } catch (Exception e) {
            spec.commandLine().getErr().println("recon: " + Failures.describe(e));
            return 2;
        }
        return common.print(spec, report.csv(), report.summary(), report.agrees());
    }

    @Command(name = "settlements", mixinStandardHelpOptions = true,
            description = "Terminal batch settlements (0500) of a period: out of balance, batch-upload differences, "
                    + "batches changed since settled; exit 0 = all agree, 1 = differences, 2 = error.")
    static final class Settlements implements Callable<Integer> {
        @Mixin
        Common common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SettlementRecon.Report report;
            try {
                JournalQueries q = common.queries();
                report = SettlementRecon.compare(q.settlements(common.from, common.to), q::batch);
            } catch (Exception e) {
                spec.commandLine().getErr().println("recon settlements: " + Failures.describe(e));
                return 2;
            }
            return common.print(spec, report.csv(), report.summary(), report.agrees());
        }
    }
}
