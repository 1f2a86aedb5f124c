package io.acqswitch.metrics;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.acqswitch.iso.LogText;

/**
 * Logback's {@code %msg} with control characters escaped ({@link LogText#escape}): one event is one
 * line whatever its arguments hold. Registered in {@code logback.xml} as {@code %safeMsg}; the
 * stack trace of a logged exception ({@code %ex}) is printed as before, after the line.
 */
public final class EscapedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogText.escape(super.convert(event));
    }
}
