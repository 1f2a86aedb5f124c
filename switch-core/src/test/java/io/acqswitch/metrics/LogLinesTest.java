package io.acqswitch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import io.acqswitch.iso.LogText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** One event is one log line, and a storm of findings is a line or two, whatever a peer sends. */
class LogLinesTest {
    /** The event as the shipped logback.xml writes it to the console. */
    static String asConfigured(ILoggingEvent event) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var appender = (OutputStreamAppender<ILoggingEvent>) ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteOneLinePerEventWhateverItsArgumentsHold() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.acqswitch.test.lines");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, ch.qos.logback.classic.Level.WARN,
                "rejected tid={} detail={}", null, new Object[] {"T\n12:00:00.000 INFO  forged", "a\rb\u2028c\u202ed"});
        String line = asConfigured(event);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1 && line.indexOf('\r') < 0, line);
        assertTrue(line.contains("tid=T\\n12:00:00.000 INFO  forged detail=a\\rb\\u2028c\\u202ed"), line);
    }

    @Test
    void shouldEscapeControlCharactersAndLeaveOtherTextAsItIs() {
        String clean = "TERM0001 Zürich 商户";
        assertSame(clean, LogText.escape(clean));
        assertEquals("a\\x00b\\x1bc\\x7fd\\x85e\\tf", LogText.escape("a\u0000b\u001bc\u007fd\u0085e\tf"));
        assertEquals("x\\ny", LogText.escape(LogText.escape("x\ny")), "escaping twice changes nothing");
        assertEquals("abc…(+3)", LogText.escape("abcdef", 3));
        assertEquals("null", LogText.escape(null));
    }

    @Test
    void shouldLogTheFindingsOfAThousandBatchUploadsAsOneLine() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.acqswitch.test.findings");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            ThrottledLog log = new ThrottledLog(logger, Level.WARN, 60_000);
            List<String> differences = new ArrayList<>();
            for (int i = 1; i <= 49; i++) {
                differences.add(String.format("stan %06d: in the terminal's batch (100), not approved at the switch {}", i));
            }
            for (int upload = 0; upload < 1000; upload++) {
                log.logFindings("batch-upload", "batch upload, terminal {} batch {}", differences, "TERM0001", "000001");
                log.logFindings("batch-upload", "batch upload, terminal {} batch {}", List.of(), "TERM0001", "000002");
            }
            assertEquals(1, captured.list.size(), "one line for 1000 uploads within the interval");
            String line = captured.list.getFirst().getFormattedMessage();
            assertTrue(line.startsWith("batch upload, terminal TERM0001 batch 000001: 49 findings: stan 000001: "), line);
            assertTrue(line.endsWith("stan 000003: in the terminal's batch (100), not approved at the switch {} (and 46 more)"), line);
        } finally {
            logger.detachAppender(captured);
        }
    }
}
