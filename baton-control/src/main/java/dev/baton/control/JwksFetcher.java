package dev.baton.control;

import dev.baton.security.JwksKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a JWKS document without blocking the event loop and hands it to its
 * {@link JwksKeys}. Fetches are rare (a rotation, or every few minutes), so each
 * uses a short-lived client. A failed fetch keeps the keys already known.
 */
public final class JwksFetcher {
    private static final Logger log = LoggerFactory.getLogger(JwksFetcher.class);
    static final long TIMEOUT_MILLIS = 5_000;

    private JwksFetcher() {}

    public static Future<Void> fetch(Vertx vertx, JwksKeys keys) {
        boolean https = keys.url().regionMatches(true, 0, "https:", 0, 6);
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(https));
        return client.request(new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setAbsoluteURI(keys.url())
                        .setTimeout(TIMEOUT_MILLIS)
                        .putHeader("accept", "application/json"))
                .compose(req -> req.send())
                .compose(
                        res -> res.statusCode() == 200 ? res.body() : Future.failedFuture("status " + res.statusCode()))
                .timeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .<Void>compose(body -> {
                    try {
                        keys.update(body.toString());
                        log.info("fetched JWKS from {}", keys.url());
                        return Future.succeededFuture();
                    } catch (java.text.ParseException e) {
                        return Future.failedFuture("not a JWKS document: " + e.getMessage());
                    }
                })
                .onFailure(e -> log.warn(
                        "JWKS from {} not fetched ({}); the keys already known stay", keys.url(), e.toString()))
                .eventually(() -> client.close());
    }
}
