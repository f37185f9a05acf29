package dev.baton.control;

import dev.baton.config.Config;
import dev.baton.config.RouteConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.registry.Source;
import dev.baton.routing.PathPattern;
import dev.baton.routing.RouteDefinition;
import dev.baton.routing.Router;
import dev.baton.security.CidrSet;
import dev.baton.security.IpPolicy;
import dev.baton.security.JwtVerifier;
import dev.baton.time.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything the request path reads, compiled from one config and never changed:
 * a reload compiles a new snapshot and swaps one reference, so requests in flight
 * finish on the snapshot they started with.
 */
public final class Snapshot {
    private final Config config;
    private final Router<RouteTarget> router;
    private final Map<String, ServiceTarget> services;
    private final Map<String, Source> sources;
    private final boolean stopped;
    private final Map<String, RateLimitPolicy> routeLimits;
    private final @Nullable JwtVerifier verifier; // without security.jwt
    private final Map<String, RouteHmac> routeHmacs;
    private final IpPolicy ipPolicy;
    private final CidrSet trustedProxies;

    private Snapshot(
            Config config,
            Router<RouteTarget> router,
            Map<String, ServiceTarget> services,
            Map<String, Source> sources,
            Map<String, RateLimitPolicy> routeLimits,
            @Nullable JwtVerifier verifier,
            Map<String, RouteHmac> routeHmacs,
            boolean stopped) {
        this.routeHmacs = routeHmacs;
        this.ipPolicy =
                IpPolicy.of(config.security().ipAllow(), config.security().ipDeny());
        this.trustedProxies = CidrSet.parse(config.security().trustedProxies());
        this.config = config;
        this.routeLimits = routeLimits;
        this.verifier = verifier;
        this.router = router;
        this.services = services;
        this.sources = sources;
        this.stopped = stopped;
    }

    public static Snapshot compile(Config config) {
        return compile(config, null);
    }

    /** Compiles a config file's services alone; see {@link #compile(Config, Snapshot, Map)}. */
    public static Snapshot compile(Config config, @Nullable Snapshot previous) {
        return compile(config, previous, Clock.systemUTC(), Ticker.system());
    }

    /** As {@link #compile(Config, Snapshot)}, on {@code clock} and {@code ticker}. */
    public static Snapshot compile(Config config, @Nullable Snapshot previous, Clock clock, Ticker ticker) {
        Map<String, Source> sources = new LinkedHashMap<>();
        config.services().keySet().forEach(id -> sources.put(id, Source.CONFIG));
        return compile(config, previous, sources, EventSink.NONE, clock, ticker);
    }

    /**
     * Compiles {@code config} (whose services came from {@code sources}), keeping from {@code previous} every service whose
     * definition did not change, with its live state (a reload does not reset
     * what requests have taught the balancers). {@code previous} is null for the first snapshot.
     */
    public static Snapshot compile(Config config, @Nullable Snapshot previous, Map<String, Source> sources) {
        return compile(config, previous, sources, EventSink.NONE);
    }

    /** As {@link #compile(Config, Snapshot, Map)}; new services' breakers tell {@code events} of their transitions. */
    public static Snapshot compile(
            Config config, @Nullable Snapshot previous, Map<String, Source> sources, EventSink events) {
        return compile(config, previous, sources, events, Clock.systemUTC(), Ticker.system());
    }

    /**
     * As {@link #compile(Config, Snapshot, Map, EventSink)}, on {@code clock} and
     * {@code ticker} (fake ones in tests, so that none has to sleep for time to pass).
     * The clock is what new services' breakers and a new JWT verifier's key refreshes
     * tell time by; the ticker times new instances' ejections, local rate-limit
     * buckets, fallback caches and HMAC replay memories. A route to a service
     * the config lacks gets an undefined one ({@link ServiceTarget#undefined}) and answers
     * 503 until a source defines it. IllegalArgumentException when a route asks for JWT
     * auth without {@code security.jwt} (which {@link dev.baton.config.ConfigLoader} never
     * lets through).
     */
    public static Snapshot compile(
            Config config,
            @Nullable Snapshot previous,
            Map<String, Source> sources,
            EventSink events,
            Clock clock,
            Ticker ticker) {
        Map<String, ServiceTarget> services = new LinkedHashMap<>();
        for (ServiceConfig s : config.services().values()) {
            ServiceTarget old = previous == null ? null : previous.services.get(s.id());
            services.put(
                    s.id(), old != null && old.config().equals(s) ? old : new ServiceTarget(s, clock, ticker, events));
        }
        long defaultTimeout = config.limits().requestTimeout().toMillis();
        List<RouteDefinition<RouteTarget>> defs = new ArrayList<>();
        Map<String, RateLimitPolicy> routeLimits = new LinkedHashMap<>();
        Map<String, RouteHmac> routeHmacs = new LinkedHashMap<>();
        // An unchanged security.jwt keeps its verifier, and with it the JWKS keys already fetched.
        JwtVerifier verifier = previous != null
                        && previous.verifier != null
                        && previous.config
                                .security()
                                .jwt()
                                .equals(config.security().jwt())
                ? previous.verifier
                : config.security().jwt().map(j -> JwtVerifier.of(j, clock)).orElse(null);
        Map<String, ServiceTarget> undefined = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) {
            ServiceTarget defined = services.get(r.service());
            // A service that may register later: until it does, the route answers 503.
            ServiceTarget service = defined != null
                    ? defined
                    : undefined.computeIfAbsent(r.service(), id -> ServiceTarget.undefined(id, clock, ticker));
            List<RateLimitPolicy> limits = new ArrayList<>();
            r.rateLimit().ifPresent(l -> {
                RateLimitPolicy old = previous == null ? null : previous.routeLimits.get(r.id());
                RateLimitPolicy p =
                        old != null && old.config().equals(l) ? old : new RateLimitPolicy("route:" + r.id(), l, ticker);
                routeLimits.put(r.id(), p);
                limits.add(p);
            });
            service.rateLimit().ifPresent(limits::add);
            RouteTarget target = new RouteTarget(
                    r.id(),
                    service,
                    r.stripPrefix(),
                    r.timeout()
                            .or(() -> service.config().timeout())
                            .map(java.time.Duration::toMillis)
                            .orElse(defaultTimeout),
                    r.preserveHost(),
                    limits,
                    r.retryMethods(),
                    r.auth().filter(RouteConfig.Auth::jwt).map(a -> new RouteAuth(jwtFor(r, verifier), a)),
                    Optional.ofNullable(hmac(r, previous, routeHmacs, ticker)),
                    IpPolicy.of(r.ipAllow(), r.ipDeny()),
                    r.cors().map(CorsPolicy::new),
                    r.validate().map(RequestValidation::new),
                    r.transform().map(RouteTransform::new));
            defs.add(new RouteDefinition<>(PathPattern.parse(r.path()), r.host(), r.methods(), target));
        }
        if (config.server().orchestratorPath()) {
            for (ServiceTarget s : services.values()) {
                String prefix = "/orchestrator/" + s.id();
                long timeout =
                        s.config().timeout().map(java.time.Duration::toMillis).orElse(defaultTimeout);
                RouteTarget target = new RouteTarget(
                        "orchestrator:" + s.id(),
                        s,
                        Optional.of(prefix),
                        timeout,
                        false,
                        s.rateLimit().map(List::of).orElse(List.of()),
                        Set.of(),
                        Optional.empty(),
                        Optional.empty(),
                        IpPolicy.OPEN,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty());
                defs.add(new RouteDefinition<>(PathPattern.parse(prefix + "/**"), Optional.empty(), Set.of(), target));
            }
        }
        return new Snapshot(
                config,
                Router.build(defs),
                Collections.unmodifiableMap(services),
                Map.copyOf(sources),
                Map.copyOf(routeLimits),
                verifier,
                Map.copyOf(routeHmacs),
                false);
    }

    /**
     * This snapshot with proxying to services stopped or resumed (the admin API's
     * {@code POST /orchestrator/stop|start}): while stopped, routed requests get 503.
     */
    public Snapshot stopped(boolean stopped) {
        return stopped == this.stopped
                ? this
                : new Snapshot(config, router, services, sources, routeLimits, verifier, routeHmacs, stopped);
    }

    public boolean stopped() {
        return stopped;
    }

    public Config config() {
        return config;
    }

    /** Every route: the config's, then the generated {@code /orchestrator/{id}} ones. */
    public List<RouteTarget> routeTargets() {
        return router.definitions().stream().map(RouteDefinition::target).toList();
    }

    public Router<RouteTarget> router() {
        return router;
    }

    /** Services by id, in the config's order. */
    public Map<String, ServiceTarget> services() {
        return services;
    }

    /** The verifier for a route with JWT auth: the config's {@code security.jwt}, which it needs. */
    private static JwtVerifier jwtFor(RouteConfig r, @Nullable JwtVerifier verifier) {
        if (verifier == null) {
            throw new IllegalArgumentException("route " + r.id() + " has jwt auth but the config has no security.jwt");
        }
        return verifier;
    }

    /** A route's HMAC check, the previous snapshot's when its settings are unchanged (its replay memory with it). */
    private static @Nullable RouteHmac hmac(
            RouteConfig r, @Nullable Snapshot previous, Map<String, RouteHmac> out, Ticker ticker) {
        RouteConfig.Hmac config = r.auth().flatMap(RouteConfig.Auth::hmac).orElse(null);
        if (config == null) {
            return null;
        }
        RouteHmac old = previous == null ? null : previous.routeHmacs.get(r.id());
        RouteHmac h = old != null && old.config().equals(config) ? old : new RouteHmac(config, ticker);
        out.put(r.id(), h);
        return h;
    }

    /** The gateway-wide allow and deny lists ({@code security.ip-allow}, {@code ip-deny}). */
    public IpPolicy ipPolicy() {
        return ipPolicy;
    }

    /** The client address of a request from {@code peer}, believing X-Forwarded-For only from trusted proxies. */
    public String clientAddress(String peer, @Nullable String forwardedFor) {
        return IpPolicy.client(peer, forwardedFor, trustedProxies);
    }

    /** The verifier of {@code security.jwt}, when configured: routes and the admin API share it. */
    public Optional<JwtVerifier> jwtVerifier() {
        return Optional.ofNullable(verifier);
    }

    /** Every route's own rate limit (services' limits are on their targets). */
    public java.util.Collection<RateLimitPolicy> routeLimits() {
        return routeLimits.values();
    }

    /** The rate limit of route {@code id}, when it has one of its own. */
    public Optional<RateLimitPolicy> routeLimit(String id) {
        return Optional.ofNullable(routeLimits.get(id));
    }

    /** Where the service {@code id} was defined. */
    public Source source(String id) {
        return sources.getOrDefault(id, Source.CONFIG);
    }
}
