package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.support.Http;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The operations API shows transactions: off loopback it needs a token, and a token is enforced. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class OpsTokenTest {
    private static final String TOKEN = "s3cret-token-for-tests";

    @Test
    void shouldRefuseToStartOnNonLoopbackAddressWithoutToken() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("http: {bind: 0.0.0.0}\n"));
        assertTrue(e.getMessage().contains("http.bind=0.0.0.0") && e.getMessage().contains("http.token"), e.getMessage());
    }

    @Test
    void shouldAcceptLoopbackWithoutTokenAndAnyAddressWithToken() throws Exception {
        ConfigLoader.parse("http: {bind: 127.0.0.1}\n");
        ConfigLoader.parse("http: {bind: localhost}\n");
        ConfigLoader.parse("http: {bind: 0.0.0.0, token: " + TOKEN + "}\n");
    }

    @Test
    void shouldRequireBearerTokenWhenConfigured() throws Exception {
        Path dir = Files.createTempDirectory("ops-token");
        String yaml = Rig.yaml(List.of("127.0.0.1:1"), 400, dir)
                .replace("http: {port: 0}", "http: {port: 0, bind: 0.0.0.0, token: " + TOKEN + "}");
        try (Rig rig = Rig.start(null, List.of("127.0.0.1:1"), yaml, dir)) {
            int port = rig.node.httpPort();
            Journals.awaitCaughtUp(rig); // the writer creates the schema on its own thread: 503 until then
            assertEquals(401, Http.get(port, "/ops/transactions", null).statusCode());
            assertEquals(401, Http.get(port, "/ops/transactions", "wrong-token-wrong-token").statusCode());
            assertEquals(200, Http.get(port, "/ops/transactions", TOKEN).statusCode());
        }
    }
}
