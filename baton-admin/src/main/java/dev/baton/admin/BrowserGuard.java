package dev.baton.admin;

import static dev.baton.admin.Replies.error;

import dev.baton.config.HostPort;
import dev.baton.config.SecurityConfig;
import dev.baton.security.Authority;
import dev.baton.security.CidrSet;
import dev.baton.security.SecurityViolations;
import dev.baton.security.WebOrigin;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps web pages the operator happens to have open from using the admin API
 * through their browser, whether admin-auth is on or not. Against DNS rebinding
 * (a page whose name now points at the admin), a loopback, private or wildcard
 * listener answers only a {@code Host} that is its own address, {@code localhost}
 * or listed in {@code security.admin-hosts}: 421 otherwise, on every method, since
 * reading is the harm there. Against cross-site requests, a change (any method but
 * GET, HEAD and OPTIONS) needs a JSON body or none (415: forms and
 * {@code text/plain} fetches are what a page can send without asking), and must
 * not come from a foreign {@code Origin} nor say {@code Sec-Fetch-Site: cross-site}
 * (403). Clients that are not browsers send neither header and pass. A browser
 * that holds the dashboard's CSRF cookie ({@link #CSRF_COOKIE}, set by its pages,
 * SameSite=Strict) must also send its value in {@link #CSRF_HEADER}, which only a
 * page of this origin can read from the page it was given. Each refusal is counted
 * as a security violation.
 */
final class BrowserGuard {
    static final String CSRF_COOKIE = "baton_csrf";
    static final String CSRF_HEADER = "x-csrf-token";

    /** Where a browser page can reach the admin without the operator giving it out. */
    private static final CidrSet LOCAL = CidrSet.parse(List.of(
            "127.0.0.0/8",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "169.254.0.0/16",
            "::1/128",
            "fc00::/7",
            "fe80::/10"));

    private final String bindHost;
    private final boolean wildcard;
    private final Supplier<SecurityConfig> security;
    private final Supplier<SecurityViolations> violations;

    /**
     * @param listen the admin listener's configured address (a reload does not move the listener)
     * @param security the live security settings, so reloads change the lists
     * @param violations where refusals are counted (the proxy's counters, renewed at each start)
     */
    BrowserGuard(HostPort listen, Supplier<SecurityConfig> security, Supplier<SecurityViolations> violations) {
        Optional<InetAddress> bound = Authority.address(listen.host());
        this.bindHost =
                bound.map(InetAddress::getHostAddress).orElse(listen.host().toLowerCase(Locale.ROOT));
        this.wildcard = bound.map(InetAddress::isAnyLocalAddress).orElse(false);
        this.security = security;
        this.violations = violations;
    }

    void handle(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        SocketAddress local = req.localAddress();
        String localHost = local == null || local.hostAddress() == null
                ? bindHost
                : Authority.address(local.hostAddress())
                        .map(InetAddress::getHostAddress)
                        .orElse(bindHost);
        int port = local == null ? -1 : local.port();
        SecurityConfig sec = security.get();
        if ((wildcard || LOCAL.contains(localHost)) && !hostAllowed(req, localHost, sec)) {
            refuse(
                    rc,
                    421,
                    SecurityViolations.ADMIN_HOST,
                    "host " + rawHost(req) + " is not this admin API's address (allowed: "
                            + String.join(", ", allowedHosts(sec)) + ", or list it in security.admin-hosts)");
            return;
        }
        HttpMethod m = req.method();
        if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
            rc.next();
            return;
        }
        String contentType = req.getHeader("content-type");
        if (contentType != null ? !isJson(contentType) : hasBody(req)) {
            refuse(
                    rc,
                    415,
                    SecurityViolations.ADMIN_CONTENT_TYPE,
                    (contentType == null ? "a body without a content type" : "content type " + contentType.trim())
                            + " is not accepted for admin changes (expected application/json, or no body;"
                            + " with curl: -H 'Content-Type: application/json')");
            return;
        }
        String origin = req.getHeader("origin");
        String fetchSite = req.getHeader("sec-fetch-site");
        boolean crossSite = fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site");
        boolean foreign = origin != null && !own(origin, localHost, port);
        // A listed origin is trusted even though its pages are cross-site to the admin.
        if ((foreign || crossSite) && !(origin != null && listed(origin, sec))) {
            String allowed = String.join(", ", allowedOrigins(localHost, port, sec));
            refuse(
                    rc,
                    403,
                    SecurityViolations.ADMIN_CSRF,
                    foreign
                            ? "origin " + origin + " is not allowed to change the admin API (allowed: " + allowed
                                    + ", or list it in security.admin-origins)"
                            : "a cross-site request (Sec-Fetch-Site: cross-site) may not change the admin API"
                                    + " (send it from " + allowed + ")");
            return;
        }
        io.vertx.core.http.Cookie csrf = req.getCookie(CSRF_COOKIE);
        if (csrf != null && !csrf.getValue().equals(req.getHeader(CSRF_HEADER))) {
            refuse(
                    rc,
                    403,
                    SecurityViolations.ADMIN_CSRF,
                    "the dashboard's CSRF token is missing or wrong: reload the page and try again");
            return;
        }
        rc.next();
    }

    private void refuse(RoutingContext rc, int status, String violation, String message) {
        violations.get().count(violation);
        error(rc, status, message);
    }

    /** The Host header (HTTP/1) or {@code :authority} (HTTP/2); null when the client sent none. */
    private static @Nullable String rawHost(HttpServerRequest req) {
        String h = req.getHeader("host");
        if (h == null) {
            HostAndPort a = req.authority();
            if (a != null) {
                String host = a.host().indexOf(':') >= 0 && !a.host().startsWith("[") ? "[" + a.host() + "]" : a.host();
                h = a.port() < 0 ? host : host + ":" + a.port();
            }
        }
        return h;
    }

    private boolean hostAllowed(HttpServerRequest req, String localHost, SecurityConfig sec) {
        String raw = rawHost(req);
        if (raw == null) {
            return true; // HTTP/1.0 without Host: no browser sends that
        }
        Authority given;
        try {
            given = Authority.parse(raw);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String h = given.host();
        // A rebinding needs a name of the attacker's: an address in Host means the page
        // came from that address itself. The port is not compared, so forwarded ports work.
        if (h.equals("localhost") || h.equals(bindHost) || h.equals(localHost) || (wildcard && given.isAddress())) {
            return true;
        }
        for (String entry : sec.adminHosts()) {
            Authority listed = Authority.parse(entry); // checked by the config reader
            if (listed.host().equals(h) && (listed.port() < 0 || listed.port() == effectivePort(given))) {
                return true;
            }
        }
        return false;
    }

    private static int effectivePort(Authority a) {
        return a.port() < 0 ? 80 : a.port();
    }

    private List<String> allowedHosts(SecurityConfig sec) {
        List<String> out = new ArrayList<>();
        if (wildcard) {
            out.add("an IP address");
        } else {
            out.add(new Authority(bindHost, -1).urlHost());
        }
        if (!bindHost.equals("localhost")) {
            out.add("localhost");
        }
        out.addAll(sec.adminHosts());
        return out;
    }

    private static boolean listed(String origin, SecurityConfig sec) {
        WebOrigin given;
        try {
            given = WebOrigin.parse(origin.trim());
        } catch (IllegalArgumentException e) {
            return false; // "null" (sandboxed pages, files, some redirects) among them
        }
        return sec.adminOrigins().stream().map(WebOrigin::parse).anyMatch(given::equals);
    }

    /** Whether {@code origin} is the admin's own: how a browser names a page it served. */
    private boolean own(String origin, String localHost, int port) {
        WebOrigin given;
        try {
            given = WebOrigin.parse(origin.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return given.scheme().equals("http")
                && given.port() == port
                && (given.host().equals("localhost")
                        || given.host().equals(bindHost)
                        || given.host().equals(localHost));
    }

    private List<String> allowedOrigins(String localHost, int port, SecurityConfig sec) {
        List<String> out = new ArrayList<>();
        out.add(WebOrigin.http(wildcard ? localHost : bindHost, port).toString());
        out.add(WebOrigin.http("localhost", port).toString());
        out.addAll(sec.adminOrigins());
        return out.stream().distinct().toList();
    }

    /** {@code application/json}, with parameters, or any {@code +json} type. */
    static boolean isJson(String contentType) {
        int semi = contentType.indexOf(';');
        String type =
                (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        int slash = type.indexOf('/');
        return type.equals("application/json") || (slash > 0 && type.endsWith("+json"));
    }

    /** Whether a body is announced; a form always brings a content type, so this only decides bare bodies. */
    private static boolean hasBody(HttpServerRequest req) {
        String length = req.getHeader("content-length");
        if (length != null) {
            return !length.trim().equals("0");
        }
        return req.getHeader("transfer-encoding") != null;
    }
}
