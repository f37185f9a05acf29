package dev.baton.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A host with an optional port, as a browser writes it in {@code Host} and in the
 * middle of an {@code Origin}: a DNS name, a dotted IPv4 address or a bracketed
 * IPv6 address. Names are kept in lower case and addresses in one canonical text,
 * so that two spellings of the same host compare equal. Parsing never looks a name
 * up: a name is only ever compared as text.
 *
 * @param host the name in lower case, or the address's canonical text (IPv6 without brackets)
 * @param port the port, or -1 when none was written
 */
public record Authority(String host, int port) {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");
    // Letters, digits, hyphens and underscores (container names have them), dot-separated labels.
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    /**
     * Reads {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static Authority parse(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("://")) {
            throw new IllegalArgumentException(
                    "'" + text + "' is a URL, not a host (expected a host name or address, optionally with :port,"
                            + " e.g. admin.example.com:9090)");
        }
        String host;
        String rest;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(
                        "'" + text + "' opens a bracket for an IPv6 address but never closes it");
            }
            host = t.substring(1, close);
            rest = t.substring(close + 1);
            if (address(host).isEmpty() || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + text + "' has no IPv6 address in its brackets");
            }
        } else {
            int colon = t.indexOf(':');
            if (colon >= 0 && t.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException(
                        "'" + text + "' looks like an IPv6 address: put it in brackets, e.g. [::1]");
            }
            host = colon < 0 ? t : t.substring(0, colon);
            rest = colon < 0 ? "" : t.substring(colon);
            if (host.length() > 253 || !NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + text
                        + "' is not a host name or IP address (expected e.g. admin.example.com or 10.0.0.5)");
            }
        }
        int port = -1;
        if (!rest.isEmpty()) {
            if (!rest.matches(":[0-9]{1,5}")
                    || Integer.parseInt(rest.substring(1)) < 1
                    || Integer.parseInt(rest.substring(1)) > 65535) {
                throw new IllegalArgumentException("'" + text + "' has no port from 1 to 65535 after the host");
            }
            port = Integer.parseInt(rest.substring(1));
        }
        return new Authority(address(host).map(InetAddress::getHostAddress).orElse(host), port);
    }

    /**
     * The address {@code host} spells when it is a literal (dotted IPv4, or IPv6 with or
     * without brackets); empty for a name, so that nothing is ever resolved.
     */
    public static Optional<InetAddress> address(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int zone = h.indexOf('%');
        if (zone >= 0) {
            h = h.substring(0, zone);
        }
        boolean literal = h.indexOf(':') >= 0
                ? IPV6.matcher(h).matches()
                : IPV4.matcher(h).matches();
        if (!literal) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(h)); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether the host is an IP address rather than a name. */
    public boolean isAddress() {
        return address(host).isPresent();
    }

    /** The host as it goes into a URL: IPv6 addresses in brackets. */
    public String urlHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return port < 0 ? urlHost() : urlHost() + ":" + port;
    }
}
