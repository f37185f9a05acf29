/**
 * The data plane's stages: each policy of a route (IP lists, validation, tokens,
 * signatures and body rules, header rewrites, CORS, rate limits) as a {@link
 * dev.baton.proxy.stage.Stage}, and the {@link dev.baton.proxy.stage.Pipeline} a route
 * compiles to. A stage sees a request only through {@link
 * dev.baton.proxy.stage.StageContext} and answers with a {@link dev.baton.proxy.stage.Step},
 * so each is tested against a fake context.
 */
@NullMarked
package dev.baton.proxy.stage;

import org.jspecify.annotations.NullMarked;
