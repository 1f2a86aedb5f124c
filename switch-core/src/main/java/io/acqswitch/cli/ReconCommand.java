package io.acqswitch.cli;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.recon.LedgerCsv;
import io.acqswitch.recon.Reconciliation;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recon}: the switch's journal against an issuer's ledger export. Exit 0 when the books
 * agree, 1 when they do not, 2 when the inputs cannot be read.
 */
@Command(name = "recon", mixinStandardHelpOptions = true,
        description = "Reconcile the switch's journal with an issuer ledger CSV; exit 0 = books agree, 1 = differences, 2 = error.")
final class ReconCommand implements Callable<Integer> {
    @Option(names = "--journal-url", description = "JDBC URL of the journal (default: the embedded H2 under --data-dir)")
    String journalUrl;

    @Option(names = "--journal-user", description = "journal database user (default: sa for the embedded H2)")
    String journalUser;

    @Option(names = "--journal-password", defaultValue = "", description = "journal database password")
    String journalPassword;

    @Option(names = "--data-dir", defaultValue = "data", description = "the switch's dataDir (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--ledger", required = true, description = "the issuer ledger export (CSV)")
    Path ledger;

    @Option(names = "--from", description = "only transactions received at or after this instant (ISO-8601)")
    Instant from;

    @Option(names = "--to", description = "only transactions received before this instant (ISO-8601)")
    Instant to;

    @Option(names = "--out", description = "write the differences CSV here (default: standard output, summary on standard error)")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String url = journalUrl != null ? journalUrl : SwitchConfig.Journal.embeddedUrl(dataDir);
        String user = journalUser != null ? journalUser : (journalUrl == null ? "sa" : "");
        Reconciliation.Report report;
        try {
            var journal = new JournalQueries(new JournalDb(url, user, journalPassword)).range(from, to);
            report = Reconciliation.compare(journal, LedgerCsv.read(ledger), from, to);
        } catch (Exception e) {
            stderr.println("recon: " + e.getMessage());
            return 2;
        }
        try {
            if (out != null) {
                Files.writeString(out, report.csv(), StandardCharsets.UTF_8);
                stdout.print(report.summary());
                stdout.println("differences written to " + out);
            } else {
                stdout.print(report.csv());
                stderr.print(report.summary());
            }
        } catch (java.io.IOException e) {
            stderr.println("recon: cannot write " + out + ": " + e.getMessage());
            return 2;
        }
        stdout.flush();
        stderr.flush();
        return report.agrees() ? 0 : 1;
    }
}
