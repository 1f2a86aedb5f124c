package io.acqswitch.metrics;

import io.acqswitch.support.Http;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text-format scrape taken over HTTP, reduced to what the contract tests check. */
record Scrape(Map<String, String> types, Set<String> samples, Map<String, Set<String>> labels) {
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? .*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    static Scrape of(int port) throws IOException, InterruptedException {
        return parse(Http.get(port, "/metrics").body());
    }

    static Scrape parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> samples = new TreeSet<>();
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                types.put(t.group(1), t.group(2));
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!line.startsWith("#") && s.matches()) {
                samples.add(s.group(1));
                Set<String> names = labels.computeIfAbsent(s.group(1), n -> new TreeSet<>());
                if (s.group(3) != null) {
                    Matcher l = LABEL.matcher(s.group(3));
                    while (l.find()) {
                        names.add(l.group(1));
                    }
                }
            }
        }
        return new Scrape(types, samples, labels);
    }

    /** Names from {@code exprs} matching {@code switch_…} that no sample in the scrape carries. */
    List<String> missing(Iterable<String> exprs) {
        Set<String> missing = new TreeSet<>();
        Pattern name = Pattern.compile("\\bswitch_[a-z0-9_]+");
        for (String expr : exprs) {
            Matcher m = name.matcher(expr);
            while (m.find()) {
                if (!samples.contains(m.group())) {
                    missing.add(m.group());
                }
            }
        }
        return List.copyOf(missing);
    }
}
