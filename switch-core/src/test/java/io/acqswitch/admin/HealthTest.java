package io.acqswitch.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code /health} answer from its sources, without a switch (end to end: {@code HealthAndSafAgeTest}). */
class HealthTest {
    private static Map<String, Integer> links(Object... idAndUp) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < idAndUp.length; i += 2) {
            m.put((String) idAndUp[i], (Integer) idAndUp[i + 1]);
        }
        return m;
    }

    @Test
    void shouldAnswer200UpWhenListenersStoreAndEveryIssuerAreUp() {
        AdminHttpServer.Reply r = new Health(new Health.Sources(() -> true, () -> true, () -> links("a", 2, "b", 1), () -> 3, null))
                .reply();

        assertEquals(200, r.status());
        assertEquals("application/json", r.contentType());
        assertEquals("{\"status\":\"UP\",\"degraded\":[],\"listeners\":\"UP\",\"store\":\"UP\",\"safDepth\":3,"
                + "\"issuers\":{\"a\":{\"linksUp\":2,\"status\":\"UP\"},\"b\":{\"linksUp\":1,\"status\":\"UP\"}}}", r.body());
    }

    @Test
    void shouldAnswer503NamingEveryFailingPart() {
        AdminHttpServer.Reply r = new Health(new Health.Sources(() -> false, () -> false, () -> links("a", 0, "b", 1), () -> 0, null))
                .reply();

        assertEquals(503, r.status());
        assertEquals("{\"status\":\"DEGRADED\",\"degraded\":[\"listeners\",\"store\",\"issuer:a\"],\"listeners\":\"DOWN\","
                + "\"store\":\"DOWN\",\"safDepth\":0,\"issuers\":{\"a\":{\"linksUp\":0,\"status\":\"DOWN\"},"
                + "\"b\":{\"linksUp\":1,\"status\":\"UP\"}}}", r.body());
    }

    @Test
    void shouldReadItsSourcesOnEveryRequest() {
        boolean[] open = {true};
        Health health = new Health(new Health.Sources(() -> true, () -> open[0], () -> links("a", 1), () -> 0, null));

        assertEquals(200, health.reply().status());
        open[0] = false;
        assertEquals(503, health.reply().status(), "a store closed since the last request");
    }

    @Test
    void shouldEscapeAnIssuerIdThatNeedsIt() {
        AdminHttpServer.Reply r = new Health(new Health.Sources(() -> true, () -> true, () -> links("a\"b", 0), () -> 0, null)).reply();

        assertTrue(r.body().contains("\"degraded\":[\"issuer:a\\\"b\"]"), r.body());
    }

    @Test
    void shouldShowAClusterNodesPartAndDegradeOnAFencedPartition() {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("nodeId", 2);
        cluster.put("partitions", List.of(0, 3));
        cluster.put("fenced", List.of(3));
        AdminHttpServer.Reply r = new Health(new Health.Sources(() -> true, () -> true, () -> links("a", 1), () -> 0,
                () -> cluster)).reply();

        assertEquals(503, r.status(), r.body());
        assertTrue(r.body().contains("\"degraded\":[\"cluster:3\"]"), r.body());
        assertTrue(r.body().contains("\"cluster\":{\"nodeId\":2,\"partitions\":[0,3],\"fenced\":[3]}"), r.body());
    }

    @Test
    void shouldDegradeAClusterNodeThatLeftItsGroupOnAnError() {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("nodeId", 2);
        cluster.put("partitions", List.of());
        cluster.put("fenced", List.of());
        cluster.put("group", "left");
        AdminHttpServer.Reply r = new Health(new Health.Sources(() -> true, () -> true, () -> links("a", 1), () -> 0,
                () -> cluster)).reply();

        assertEquals(503, r.status(), r.body());
        assertTrue(r.body().contains("\"degraded\":[\"cluster:group\"]"), r.body());
    }
}
