package dev.baton.proxy.internal.http;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The headers that describe one connection rather than the message (RFC 9110 §7.6.1),
 * which a proxy must not forward in either direction, plus any header that the
 * Connection header names.
 */
public final class HopByHop {
    static final Set<String> NAMES = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade");

    private static final String[] NONE = {};

    private HopByHop() {}

    /** Case-insensitive and allocation-free: this runs for every header of every request. */
    public static boolean isHopByHop(String name) {
        if (name.regionMatches(true, 0, "proxy-", 0, 6)) {
            return true;
        }
        for (String h : NAMES) {
            if (h.length() == name.length() && h.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers or those listed in
     * Connection. {@code keepUpgrade} keeps Upgrade and {@code Connection: upgrade} for a
     * protocol switch, which needs them end to end.
     */
    public static void copy(MultiMap from, MultiMap to, boolean keepUpgrade) {
        copy(from, to, keepUpgrade, NONE);
    }

    /**
     * As {@link #copy(MultiMap, MultiMap, boolean)}, also leaving out {@code replaced}
     * (lower-case names the caller sets itself), so the caller can add them without a
     * remove per name.
     */
    static void copy(MultiMap from, MultiMap to, boolean keepUpgrade, String[] replaced) {
        Set<String> listed = listed(from.getAll("connection"));
        // forEach, not an iterator: Vert.x wraps every entry an iterator returns.
        from.forEach((name, value) -> {
            if (isHopByHop(name) || (!listed.isEmpty() && listed.contains(name.toLowerCase(Locale.ROOT)))) {
                if (keepUpgrade && name.equalsIgnoreCase("upgrade")) {
                    to.add(name, value);
                }
                return;
            }
            if (!isOneOf(name, replaced)) {
                to.add(name, value);
            }
        });
        if (keepUpgrade) {
            to.add("connection", "upgrade");
        }
    }

    private static boolean isOneOf(String name, String[] lowerCaseNames) {
        for (String n : lowerCaseNames) {
            if (n.length() == name.length() && n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Header names that Connection lists, beyond the usual keep-alive, close and upgrade. */
    private static Set<String> listed(List<String> connectionHeaders) {
        Set<String> names = Set.of();
        for (String h : connectionHeaders) {
            for (String token : h.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("upgrade") && !t.equals("keep-alive") && !t.equals("close")) {
                    if (names.isEmpty()) {
                        names = new HashSet<>();
                    }
                    names.add(t);
                }
            }
        }
        return names;
    }
}
