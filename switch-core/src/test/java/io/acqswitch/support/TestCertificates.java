package io.acqswitch.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time by the running JDK's {@code keytool}: a self-signed EC P-256 key pair
 * per name, valid two days for 127.0.0.1 and localhost, under {@code target/tls/<dir>}. Each comes as
 * PKCS#12 ({@code <name>.p12}) and as PEM ({@code <name>.crt}, {@code <name>.key}, PKCS#8); a self-signed
 * certificate is its own trust file.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-pass-1234";

    /** One key pair and its certificate. */
    public record Identity(Path p12, Path certificate, Path privateKey) {
        /** A client or server context that presents this identity and trusts {@code peers}' certificates. */
        public SSLContext sslContext(Identity... peers) throws IOException, GeneralSecurityException {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(p12), PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), trusting(peers).getTrustManagers(), null);
            return ctx;
        }
    }

    private TestCertificates() {}

    /** A context with no identity of its own that trusts {@code peers}' certificates. */
    public static SSLContext trustingOnly(Identity... peers) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, trusting(peers).getTrustManagers(), null);
        return ctx;
    }

    /** Makes (or reuses, when this run already made it) the identity {@code name} under {@code target/tls/dir}. */
    public static Identity issue(String dir, String name) throws IOException, InterruptedException, GeneralSecurityException {
        Path base = Path.of("target", "tls", dir).toAbsolutePath();
        Files.createDirectories(base);
        Path p12 = base.resolve(name + ".p12");
        Path crt = base.resolve(name + ".crt");
        Path key = base.resolve(name + ".key");
        if (!Files.exists(key)) {
            Files.deleteIfExists(p12);
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
            KeyStore ks = load(p12);
            Certificate cert = ks.getCertificate(name);
            PrivateKey pk = (PrivateKey) ks.getKey(name, PASSWORD.toCharArray());
            Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(key, pem("PRIVATE KEY", pk.getEncoded()), StandardCharsets.US_ASCII);
        }
        return new Identity(p12, crt, key);
    }

    private static TrustManagerFactory trusting(Identity... peers) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < peers.length; i++) {
            KeyStore ks = load(peers[i].p12());
            trust.setCertificateEntry("peer" + i, ks.getCertificate(ks.aliases().nextElement()));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    private static KeyStore load(Path p12) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
