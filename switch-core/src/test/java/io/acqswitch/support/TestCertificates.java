package io.acqswitch.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time, in this JVM (the JDK's key pair generator and signature, the
 * certificate's DER written here: no {@code keytool} process per identity): a self-signed EC P-256
 * key pair per name, X.509 v3 signed SHA256withECDSA, valid two days for 127.0.0.1 and localhost
 * (subject alternative names), under {@code target/tls/<dir>}. Each comes as PKCS#12
 * ({@code <name>.p12}) and as PEM ({@code <name>.crt}, {@code <name>.key}, PKCS#8); a self-signed
 * certificate is its own trust file.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-pass-1234";
    /** ecdsa-with-SHA256 (1.2.840.10045.4.3.2), DER. */
    private static final byte[] ECDSA_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    /** commonName (2.5.4.3), DER. */
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    /** subjectAltName (2.5.29.17), DER. */
    private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

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
    public static Identity issue(String dir, String name) throws IOException, GeneralSecurityException {
        Path base = Path.of("target", "tls", dir).toAbsolutePath();
        Files.createDirectories(base);
        Path p12 = base.resolve(name + ".p12");
        Path crt = base.resolve(name + ".crt");
        Path key = base.resolve(name + ".key");
        if (!Files.exists(key)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Certificate cert = selfSigned(name, pair);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(name, pair.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert});
            try (OutputStream out = Files.newOutputStream(p12)) {
                ks.store(out, PASSWORD.toCharArray());
            }
            Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        }
        return new Identity(p12, crt, key);
    }

    /** An X.509 v3 certificate for {@code CN=name}, issued by itself, for 127.0.0.1 and localhost, valid two days from now. */
    private static Certificate selfSigned(String name, KeyPair pair) throws GeneralSecurityException {
        byte[] algorithm = der(0x30, ECDSA_SHA256);
        byte[] cn = der(0x30, der(0x31, der(0x30, COMMON_NAME, der(0x0c, name.getBytes(StandardCharsets.UTF_8)))));
        Instant now = Instant.now();
        byte[] validity = der(0x30, utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(Duration.ofDays(2))));
        byte[] altNames = der(0x30, der(0x87, new byte[] {127, 0, 0, 1}), der(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)));
        byte[] extensions = der(0xa3, der(0x30, der(0x30, SUBJECT_ALT_NAME, der(0x04, altNames))));
        byte[] serial = new byte[8];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7f; // a positive INTEGER
        byte[] tbs = der(0x30, der(0xa0, der(0x02, new byte[] {2})), der(0x02, serial), algorithm, cn, validity, cn,
                pair.getPublic().getEncoded(), extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1]; // a BIT STRING: no unused bits, then the signature
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] cert = der(0x30, tbs, algorithm, der(0x03, bits));
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert));
    }

    private static byte[] utcTime(Instant t) {
        return der(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    /** A DER element: {@code tag}, the definite length, then {@code parts} one after another. */
    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        int n = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
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
}
