package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code issuer-stub}: rules file handling and a real run on an ephemeral port. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class IssuerStubCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartWithInvalidRulesFile() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "withholdRatio: 7\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("issuer-stub", "--port", "0", "--http-port", "0", "--rules", rules.toString());

        assertEquals(2, code);
        assertTrue(err.toString().contains("withholdRatio=7.0: must be between 0 and 1"), err.toString());
    }

    @Test
    void shouldServeByRulesFileUntilStopped() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "{\"declineAtOrAbove\": 1000}");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(new PrintWriter(out, true));
        AtomicInteger code = new AtomicInteger(-1);
        Thread runner = new Thread(() -> code.set(cli.execute("issuer-stub", "--port", "0", "--http-port", "0",
                "--name", "cli-stub", "--rules", rules.toString())), "issuer-stub-cli");
        runner.start();
        try {
            int port = awaitPort(out);
            try (TerminalClient client = new TerminalClient("127.0.0.1", port, IsoCodec.of(Dialect.ISO87), Duration.ofSeconds(5))) {
                var sale = TerminalMessages.sale("4761739001010010", 999, "000001", "TERM0001", "MERCHANT0000001");
                assertEquals("00", client.exchange(sale).getString(39));
                sale.set(11, "000002");
                sale.set(4, "000000001000");
                assertEquals("51", client.exchange(sale).getString(39));
            }
        } finally {
            runner.interrupt();
            runner.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertFalse(runner.isAlive());
        assertFalse(out.toString().contains("4761739001010010"));
    }

    private static int awaitPort(StringWriter out) throws InterruptedException {
        Pattern started = Pattern.compile("issuer stub cli-stub on 127\\.0\\.0\\.1:(\\d+)");
        Matcher m = Await.until("the stub's start line", () -> started.matcher(out.toString()), Matcher::find,
                Duration.ofSeconds(10));
        return Integer.parseInt(m.group(1));
    }
}
