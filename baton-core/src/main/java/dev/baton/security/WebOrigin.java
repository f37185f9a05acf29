package dev.baton.security;

import java.util.Locale;

/**
 * A web origin, {@code scheme://host[:port]}, as a browser sends it in the
 * {@code Origin} header: http or https, no path. Two spellings of one origin are
 * equal records ({@code HTTPS://Ops.Example.com:443} is {@code https://ops.example.com}),
 * so the admin API can compare what a browser sent with what the config lists.
 *
 * @param scheme {@code http} or {@code https}
 * @param host the host in {@link Authority}'s canonical form
 * @param port the port, the scheme's default when none was written
 */
public record WebOrigin(String scheme, String host, int port) {

    /**
     * Reads an origin such as {@code https://ops.example.com} or {@code http://127.0.0.1:9090}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static WebOrigin parse(String text) {
        String expected = "(expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)";
        int sep = text.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an origin " + expected);
        }
        String scheme = text.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "' is not an http or https origin " + expected);
        }
        String rest = text.substring(sep + 3);
        if (rest.isEmpty() || rest.matches(".*[/?#@\\s].*")) {
            throw new IllegalArgumentException("'" + text + "' is not an origin " + expected);
        }
        Authority a;
        try {
            a = Authority.parse(rest);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an origin: " + e.getMessage());
        }
        return new WebOrigin(scheme, a.host(), a.port() >= 0 ? a.port() : defaultPort(scheme));
    }

    /** The origin a browser sends for a page at {@code http://host:port}. */
    public static WebOrigin http(String host, int port) {
        return new WebOrigin("http", host, port);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** As a browser writes it: the default port left out, IPv6 in brackets. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + h + (port == defaultPort(scheme) ? "" : ":" + port);
    }
}
