package dev.baton.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * TLS termination on the proxy listener ({@code server.tls}): a PEM certificate
 * chain and key, or a PKCS#12 keystore with its password; the protocol versions
 * offered (TLS 1.2 and 1.3 by default); ALPN offers h2 and http/1.1. The files are
 * watched: a renewed certificate is picked up without a restart.
 */
public record TlsConfig(
        Optional<Path> cert,
        Optional<Path> key,
        Optional<Path> pkcs12,
        Optional<String> password,
        List<String> protocols) {
    public TlsConfig {
        protocols = List.copyOf(protocols);
    }

    /** The files to watch for renewals. */
    public List<Path> files() {
        return pkcs12.map(List::of).orElseGet(() -> List.of(cert.orElseThrow(), key.orElseThrow()));
    }
}
