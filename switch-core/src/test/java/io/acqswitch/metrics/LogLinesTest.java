package io.acqswitch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One event is one log line, whatever a peer sends. */
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
}
