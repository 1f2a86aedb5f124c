package io.acqswitch.net;

import io.acqswitch.iso.LogText;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import java.security.KeyStoreException;
import java.util.Collections;

/**
 * Builds the TLS 1.3 contexts of the switch's sockets from their {@code tls:} sections, once at
 * start-up, and the {@link SslHandler} each connection's pipeline starts with ({@code tls}). The JDK's
 * TLS provider; no other protocol version is offered or accepted.
 *
 * <p>Every failure is a {@link StartupException} naming the setting, {@code listeners[0].tls.keyStore=
 * config/tls/pos.p12: wrong password or not a PKCS#12 file}; the message never holds a password.
 */
public final class TlsContexts {
    static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {}

    /**
     * The context of a server socket (a terminal listener, the admin port), or {@code null} for
     * {@code tls == null} (plain TCP).
     *
     * @param name the section's name in messages, e.g. {@code listeners[0].tls}
     * @throws StartupException when a file does not hold what it should
     */
    public static SslContext server(SwitchConfig.Tls tls, String name) throws StartupException {
        if (tls == null) {
            return null;
        }
        SslContextBuilder b = tls.keyStore() != null
                ? SslContextBuilder.forServer(keyManagers(tls, name))
                : pem(tls, name, true, null);
        b.clientAuth(switch (tls.clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case REQUIRE -> ClientAuth.REQUIRE;
        });
        return build(b, tls, name);
    }

    /**
     * The context of an issuer link, or {@code null} for {@code tls == null}: the issuer's host name
     * (or address) must be in its certificate, which {@code trust} (else the JDK's authorities) vouches for.
     *
     * @throws StartupException when a file does not hold what it should
     */
    public static SslContext client(SwitchConfig.Tls tls, String name) throws StartupException {
        if (tls == null) {
            return null;
        }
        SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
        if (tls.keyStore() != null) {
            b.keyManager(keyManagers(tls, name));
        } else if (tls.certificate() != null) {
            pem(tls, name, false, b);
        }
        return build(b, tls, name);
    }

    /** The server side's {@code tls} handler: a handshake not done within {@code handshakeTimeout} fails. */
    public static SslHandler serverHandler(SslContext ctx, Channel ch, Duration handshakeTimeout) {
        SslHandler h = ctx.newHandler(ch.alloc());
        h.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return h;
    }

    /** An issuer link's {@code tls} handler: {@code host} is the name checked against the issuer's certificate. */
    static SslHandler clientHandler(SslContext ctx, Channel ch, String host, int port, Duration handshakeTimeout) {
        SslHandler h = ctx.newHandler(ch.alloc(), host, port);
        h.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return h;
    }

    private static SslContextBuilder pem(SwitchConfig.Tls tls, String name, boolean server, SslContextBuilder client)
            throws StartupException {
        try {
            if (server) {
                return SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile(), tls.password());
            }
            return client.keyManager(tls.certificate().toFile(), tls.privateKey().toFile(), tls.password());
        } catch (IllegalArgumentException e) {
            // Netty says which of the two it could not read; the cause (a parser's complaint) names no secret
            String which = String.valueOf(e.getMessage()).contains("certificate") ? "certificate" : "privateKey";
            Path file = which.equals("certificate") ? tls.certificate() : tls.privateKey();
            throw new StartupException(name + "." + which + "=" + file + ": " + reason(e, which.equals("certificate")
                    ? "not a PEM certificate chain" : "not a PEM private key (PKCS#8), or its password is wrong"), e);
        }
    }

    private static KeyManagerFactory keyManagers(SwitchConfig.Tls tls, String name) throws StartupException {
        char[] password = tls.password() == null ? new char[0] : tls.password().toCharArray();
        try (InputStream in = Files.newInputStream(tls.keyStore())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            if (!ks.aliases().hasMoreElements() || Collections.list(ks.aliases()).stream().noneMatch(a -> isKey(ks, a))) {
                throw new StartupException(name + ".keyStore=" + tls.keyStore() + ": holds no private key");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return kmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new StartupException(name + ".keyStore=" + tls.keyStore() + ": wrong password or not a PKCS#12 file ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static boolean isKey(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (KeyStoreException e) {
            return false;
        }
    }

    private static SslContext build(SslContextBuilder b, SwitchConfig.Tls tls, String name) throws StartupException {
        if (tls.trust() != null) {
            try {
                b.trustManager(tls.trust().toFile());
            } catch (IllegalArgumentException e) {
                throw new StartupException(name + ".trust=" + tls.trust() + ": " + reason(e, "not PEM certificates"), e);
            }
        }
        try {
            return b.sslProvider(SslProvider.JDK).protocols(PROTOCOL).build();
        } catch (SSLException e) {
            throw new StartupException(name + "=" + tls + ": " + reason(e, "cannot set up TLS"), e);
        }
    }

    /** {@code fallback}, with the innermost cause's message when there is one (a parser's words, no secrets). */
    private static String reason(Throwable e, String fallback) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? fallback : fallback + " (" + LogText.escape(m, 200) + ")";
    }
}
