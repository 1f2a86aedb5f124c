package io.acqswitch.bench.load;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a switch's {@code /metrics} (Prometheus text exposition) for the harness. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * The sum of the samples named {@code sample} (every label set), e.g. a counter's
     * {@code name_total} or a gauge's {@code name}; empty when {@code text} has none.
     */
    static OptionalDouble sum(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            found = true;
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
