package io.acqswitch.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a cluster node's {@code /health} says of the partitions it serves. */
public final class ClusterHealth {
    private static final Pattern SERVED = Pattern.compile("\"partitions\":\\[([0-9,]*)]");

    private ClusterHealth() {}

    /** The partitions the node whose admin port is {@code httpPort} says on /health that it serves. */
    public static Set<Integer> served(int httpPort) throws Exception {
        Matcher m = SERVED.matcher(Http.get(httpPort, "/health").body());
        assertTrue(m.find(), "a cluster part in /health");
        Set<Integer> s = new TreeSet<>();
        for (String p : m.group(1).split(",")) {
            if (!p.isEmpty()) {
                s.add(Integer.parseInt(p));
            }
        }
        return s;
    }
}
