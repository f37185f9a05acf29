package dev.baton.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Self-signed certificates for TLS tests, made by the JDK's own keytool (nothing to
 * install): a PKCS#12 keystore (password {@code changeit}), its certificate and key
 * as PEM, and a client context that trusts anything, for reaching them.
 */
public final class TestCerts {
    public static final String PASSWORD = "changeit";

    private TestCerts() {}

    /** A keystore {@code dir/name.p12} holding a key and a certificate for {@code cn}, valid for localhost and 127.0.0.1. */
    public static Path keystore(Path dir, String name, String cn) throws Exception {
        Path ks = dir.resolve(name + ".p12");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "baton",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        PASSWORD,
                        "-dname",
                        "CN=" + cn,
                        "-validity",
                        "2",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        return ks;
    }

    /** The keystore's certificate and private key (PKCS#8) as PEM files. */
    public static void pem(Path p12, Path cert, Path key) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
        Files.writeString(
                cert,
                "-----BEGIN CERTIFICATE-----\n"
                        + b64.encodeToString(ks.getCertificate("baton").getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        Files.writeString(
                key,
                "-----BEGIN PRIVATE KEY-----\n"
                        + b64.encodeToString(
                                ks.getKey("baton", PASSWORD.toCharArray()).getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
    }

    /** A client TLS context that accepts any server certificate (tests only). */
    public static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        @Override
                        public void checkClientTrusted(X509Certificate[] c, String a) {}

                        @Override
                        public void checkServerTrusted(X509Certificate[] c, String a) {}

                        @Override
                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    }
                },
                null);
        return ctx;
    }
}
