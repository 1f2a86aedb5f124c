package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.TestSwitch;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A rejected message's log line, over a real socket and through the shipped log configuration:
 * a line feed in field 41 stays inside the one line, and field 48 shows by its length only.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class TerminalLogTest {
    private static final String PAN = "4761739001010010";
    private static final String TRACK2 = PAN + "=22122011143804400000";

    @Test
    void shouldLogARejectedMessageAsOneLineWithField48ByLengthOnly() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(TerminalHandler.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try (TestSwitch sw = TestSwitch.start("listeners: [{}]\nissuers: []\nstubs: []\nrouting: {}\n", l -> l);
                TerminalClient t = sw.terminal()) {
            ILoggingEvent line = null;
            // rejection lines are throttled per reason (10 s) across the JVM: send until ours is the one logged
            for (int i = 0; i < 60 && line == null; i++) {
                ISOMsg sale = TerminalMessages.sale(PAN, 1000, String.format("%06d", 500 + i), "T\nFORGED", "MERCHANT0000001");
                sale.unset(4); // rejected: missing field 4, answered 30
                sale.set(48, TRACK2);
                assertEquals("30", t.exchange(sale).getString(39));
                line = captured.list.stream().filter(e -> e.getFormattedMessage().contains("FORGED")).findFirst().orElse(null);
                if (line == null) {
                    Thread.sleep(250); // time is the subject (the throttle): 60 x 250 ms covers one throttle interval
                }
            }
            assertNotNull(line, "the rejection was logged within one throttle interval");
            String written = asConfigured(line);
            assertEquals(1, written.lines().count(), written);
            assertTrue(written.contains("41=T\\nFORGED"), written);
            assertTrue(written.contains("48=<" + TRACK2.length() + " chars>"), written);
            assertFalse(written.contains(PAN) || written.contains("2212201114"), written);
        } finally {
            logger.detachAppender(captured);
        }
    }

    private static String asConfigured(ILoggingEvent event) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var appender = (OutputStreamAppender<ILoggingEvent>) ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
