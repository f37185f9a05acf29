package dev.baton.control;

import dev.baton.config.ServiceConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * TLS to an upstream: a Netty client context (the service's CA bundle or the JDK's
 * trust store, its client certificate for mTLS) and the server name to send (SNI)
 * and verify the certificate against (endpoint identification, always on).
 */
public final class UpstreamTls {
    /** The JDK's trust store, no client certificate, the URL's host as server name. */
    public static final UpstreamTls DEFAULT = new UpstreamTls(null);

    private final SslContext context;
    private final @Nullable String serverName;
    private final ClientSSLOptions vertxOptions;

    /** TLS for a service's {@code tls:}, or the default when null; IllegalArgumentException if its files do not load. */
    public UpstreamTls(ServiceConfig.@Nullable UpstreamTls config) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (config != null) {
                config.ca().ifPresent(ca -> b.trustManager(ca.toFile()));
                if (config.cert().isPresent()) {
                    b.keyManager(
                            config.cert().get().toFile(),
                            config.key().orElseThrow().toFile());
                }
            }
            this.context = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the upstream TLS files: " + e.getMessage(), e);
        }
        this.serverName = config == null ? null : config.serverName().orElse(null);
        ClientSSLOptions o = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
        if (config != null) {
            config.ca().ifPresent(ca -> o.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
            config.cert()
                    .ifPresent(cert -> o.setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(cert.toString())
                            .setKeyPath(config.key().orElseThrow().toString())));
        }
        this.vertxOptions = o;
    }

    /** The same TLS for Vert.x's client (protocol upgrades go through it). */
    public ClientSSLOptions vertxOptions() {
        return vertxOptions;
    }

    /** The name to send and verify, when configured apart from the URL's host. */
    public java.util.Optional<String> serverName() {
        return java.util.Optional.ofNullable(serverName);
    }

    /** A handler for a connection to {@code host:port}, sending SNI and verifying the certificate's name. */
    public SslHandler handler(ByteBufAllocator alloc, String host, int port) {
        String name = serverName != null ? serverName : host;
        SSLEngine engine = context.newEngine(alloc, name, port);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(params);
        return new SslHandler(engine);
    }
}
