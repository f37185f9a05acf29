package dev.baton.proxy.internal;

import dev.baton.config.TlsConfig;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.LinkedHashSet;

/** Vert.x's server TLS options for {@code server.tls}: ALPN (h2, http/1.1) and the configured protocol versions. */
final class TlsOptions {
    private TlsOptions() {}

    public static KeyCertOptions keyCert(TlsConfig tls) {
        if (tls.pkcs12().isPresent()) {
            return new PfxOptions()
                    .setPath(tls.pkcs12().get().toString())
                    .setPassword(tls.password().orElse(""));
        }
        return new PemKeyCertOptions()
                .setCertPath(tls.cert().orElseThrow().toString())
                .setKeyPath(tls.key().orElseThrow().toString());
    }

    public static ServerSSLOptions server(TlsConfig tls) {
        return new ServerSSLOptions()
                .setKeyCertOptions(keyCert(tls))
                .setUseAlpn(true)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()));
    }
}
