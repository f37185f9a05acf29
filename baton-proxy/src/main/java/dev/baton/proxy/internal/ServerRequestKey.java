package dev.baton.proxy.internal;

import dev.baton.balance.RequestKey;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import org.jspecify.annotations.Nullable;

/** What affinity balancers read of a client request. */
record ServerRequestKey(HttpServerRequest req) implements RequestKey {
    @Override
    public @Nullable String clientIp() {
        return req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    }

    @Override
    public @Nullable String header(String name) {
        return req.getHeader(name);
    }

    @Override
    public @Nullable String cookie(String name) {
        Cookie c = req.getCookie(name);
        return c == null ? null : c.getValue();
    }

    @Override
    public @Nullable String path() {
        return req.path();
    }
}
