package io.acqswitch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.SwitchNode;
import io.acqswitch.net.TlsContexts;
import io.acqswitch.support.Cli;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestCertificates;
import io.acqswitch.support.TestCertificates.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.cli.DemoStubs;

/**
 * The {@code tls:} sections: checked at start-up, each problem {@code name=value: why} (exit 2 from
 * {@code run}); no password in any message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // one test starts a switch: seconds alone, far more on a busy machine
class TlsConfigTest {
    private static Identity id;
    private static Path garbage;

    @BeforeAll
    static void certificates() throws Exception {
        id = TestCertificates.issue("TlsConfigTest", "server");
        garbage = id.certificate().resolveSibling("garbage.pem");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    }

    private static String problems(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml)).getMessage();
    }

    @Test
    void shouldServePlainTcpWithoutATlsSectionAndReadEverySetting() throws Exception {
        SwitchConfig plain = ConfigLoader.parse("");
        assertNull(plain.listeners().getFirst().tls());
        assertNull(plain.http().tls());
        assertNull(plain.issuers().getFirst().tls());
        SwitchConfig cfg = ConfigLoader.parse("""
                listeners: [{tls: {keyStore: %s, password: secret-word, trust: %s, clientAuth: optional}}]
                http: {tls: {certificate: %s, privateKey: %s}}
                issuers: [{id: issuer-a, hosts: ["127.0.0.1:9583"], tls: {}}]
                routing: {defaultIssuer: issuer-a}
                """.formatted(id.p12(), id.certificate(), id.certificate(), id.privateKey()));
        SwitchConfig.Tls l = cfg.listeners().getFirst().tls();
        assertEquals(SwitchConfig.ClientAuth.OPTIONAL, l.clientAuth());
        assertEquals(id.p12(), l.keyStore());
        assertFalse(l.toString().contains("secret-word"), "the password never shows: " + l);
        assertEquals(SwitchConfig.ClientAuth.NONE, cfg.http().tls().clientAuth());
        assertNotNull(cfg.issuers().getFirst().tls(), "tls: {} is TLS with the JDK's authorities");
    }

    @Test
    void shouldNameAMissingFile() {
        String m = problems("listeners: [{tls: {certificate: no/such.crt, privateKey: %s}}]".formatted(id.privateKey()));
        assertTrue(m.contains("listeners[0].tls.certificate=no/such.crt: file not found"), m);
        m = problems("issuers: [{id: a, hosts: [\"h:1\"], tls: {trust: no/trust.pem}}]\nrouting: {defaultIssuer: a}");
        assertTrue(m.contains("issuers[0].tls.trust=no/trust.pem: file not found"), m);
    }

    @Test
    void shouldRefuseAServerWithoutAKeyOrWithHalfAPairOrBoth() {
        String m = problems("http: {tls: {trust: %s}}".formatted(id.certificate()));
        assertTrue(m.contains("http.tls.certificate=: a TLS server needs certificate and privateKey (PEM) or keyStore (PKCS#12)"), m);
        m = problems("listeners: [{tls: {certificate: %s}}]".formatted(id.certificate()));
        assertTrue(m.contains("listeners[0].tls.privateKey=: certificate and privateKey go together"), m);
        m = problems("listeners: [{tls: {certificate: %s, privateKey: %s, keyStore: %s}}]".formatted(id.certificate(),
                id.privateKey(), id.p12()));
        assertTrue(m.contains("listeners[0].tls.keyStore=" + id.p12() + ": give either"), m);
    }

    @Test
    void shouldRefuseClientAuthWithoutTrustOrOnAnIssuerLinkOrMisspelt() {
        String m = problems("listeners: [{tls: {keyStore: %s, clientAuth: require}}]".formatted(id.p12()));
        assertTrue(m.contains("listeners[0].tls.clientAuth=require: needs trust"), m);
        m = problems("issuers: [{id: a, hosts: [\"h:1\"], tls: {clientAuth: optional, trust: %s}}]\nrouting: {defaultIssuer: a}"
                .formatted(id.certificate()));
        assertTrue(m.contains("issuers[0].tls.clientAuth=optional: only for listeners and http"), m);
        m = problems("listeners: [{tls: {keyStore: %s, clientAuth: always}}]".formatted(id.p12()));
        assertTrue(m.contains("listeners[0].tls.clientAuth=always: must be none, optional or require"), m);
    }

    @Test
    void shouldBuildContextsFromPemAndFromPkcs12() throws Exception {
        assertTrue(TlsContexts.server(new SwitchConfig.Tls(id.certificate(), id.privateKey(), null, null, null, null), "t").isServer());
        assertTrue(TlsContexts.server(new SwitchConfig.Tls(null, null, id.p12(), TestCertificates.PASSWORD, id.certificate(),
                SwitchConfig.ClientAuth.REQUIRE), "t").isServer());
        assertTrue(TlsContexts.client(new SwitchConfig.Tls(id.certificate(), id.privateKey(), null, null, id.certificate(), null),
                "t").isClient());
        assertNull(TlsContexts.server(null, "t"));
    }

    @Test
    void shouldNameTheFileThatDoesNotHoldWhatItShould() {
        StartupException e = assertThrows(StartupException.class, () -> TlsContexts.server(
                new SwitchConfig.Tls(garbage, id.privateKey(), null, null, null, null), "listeners[0].tls"));
        assertTrue(e.getMessage().startsWith("listeners[0].tls.certificate=" + garbage + ": not a PEM certificate chain"), e.getMessage());
        e = assertThrows(StartupException.class, () -> TlsContexts.server(
                new SwitchConfig.Tls(id.certificate(), garbage, null, null, null, null), "http.tls"));
        assertTrue(e.getMessage().startsWith("http.tls.privateKey=" + garbage + ": not a PEM private key"), e.getMessage());
        e = assertThrows(StartupException.class, () -> TlsContexts.server(
                new SwitchConfig.Tls(null, null, id.p12(), "wrong-password-42", null, null), "listeners[1].tls"));
        assertTrue(e.getMessage().startsWith("listeners[1].tls.keyStore=" + id.p12() + ": wrong password or not a PKCS#12 file"),
                e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password-42"), e.getMessage());
        e = assertThrows(StartupException.class, () -> TlsContexts.client(
                new SwitchConfig.Tls(null, null, null, null, garbage, null), "issuers[0].tls"));
        assertTrue(e.getMessage().startsWith("issuers[0].tls.trust=" + garbage + ": not PEM certificates"), e.getMessage());
    }

    @Test
    void shouldServeAnEmbeddedStubOverTlsWhenItsSectionSaysSo() throws Exception {
        String m = problems("stubs: [{name: s, port: 0, tls: {certificate: %s, privateKey: no/such.key}}]".formatted(id.certificate()));
        assertTrue(m.contains("stubs[0].tls.privateKey=no/such.key: file not found"), m);
        Path dir = TempFiles.newDir("tls-stub");
        int stubPort = ChildSwitch.freePort();
        SwitchConfig cfg = ConfigLoader.parse("""
                dataDir: %s
                http: {port: 0}
                listeners: [{port: 0}]
                stubs: [{name: issuer-a, port: %d, tls: {keyStore: %s, password: %s}}]
                issuers: []
                routing: {}
                journal: {enabled: false}
                store: {expectedEntries: 20000}
                """.formatted(dir, stubPort, id.p12(), TestCertificates.PASSWORD));
        try (SwitchNode node = DemoStubs.node(cfg).start();
             SSLSocket s = (SSLSocket) TestCertificates.trustingOnly(id).getSocketFactory()
                     .createSocket("127.0.0.1", stubPort)) {
            assertTrue(node.terminalPort(0) > 0, "the switch beside its stub is listening");
            s.setSoTimeout(5_000);
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            assertEquals("CN=server", ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
        } finally {
            TempFiles.delete(dir);
        }
    }

    @Test
    void shouldStopRunWithExitTwoBeforeListeningWhenAKeyWillNotLoad() throws Exception {
        Path dir = TempFiles.newDir("tls-config");
        try {
            Path cfg = dir.resolve("switch.yaml");
            Files.writeString(cfg, """
                    dataDir: %s
                    http: {port: 0}
                    listeners: [{port: 0, tls: {certificate: %s, privateKey: %s}}]
                    stubs: []
                    issuers: []
                    routing: {}
                    store: {expectedEntries: 20000}
                    """.formatted(dir.resolve("data"), garbage, id.privateKey()));
            assertEquals("2", Cli.run("run", "-c", cfg.toString())[0]);
            StartupException e = assertThrows(StartupException.class, () -> new SwitchNode(ConfigLoader.load(cfg)).start());
            assertTrue(e.getMessage().startsWith("listeners[0].tls.certificate=" + garbage), e.getMessage());
        } finally {
            TempFiles.delete(dir);
        }
    }
}
