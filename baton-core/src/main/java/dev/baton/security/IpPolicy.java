package dev.baton.security;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may connect: an allow-list (when not empty, only those), then a deny-list
 * (never those). The client's address is the peer's, or with {@code trusted-proxies},
 * the nearest untrusted address in {@code X-Forwarded-For} behind trusted peers.
 */
public record IpPolicy(CidrSet allow, CidrSet deny) {
    public static final IpPolicy OPEN = new IpPolicy(CidrSet.EMPTY, CidrSet.EMPTY);

    public static IpPolicy of(List<String> allow, List<String> deny) {
        return allow.isEmpty() && deny.isEmpty() ? OPEN : new IpPolicy(CidrSet.parse(allow), CidrSet.parse(deny));
    }

    public boolean open() {
        return allow.isEmpty() && deny.isEmpty();
    }

    public boolean permits(String client) {
        return (allow.isEmpty() || allow.contains(client)) && !deny.contains(client);
    }

    /**
     * The client's address: {@code peer} itself unless it is a trusted proxy; then,
     * reading {@code X-Forwarded-For} from the right, the first address that is not
     * a trusted proxy (or the leftmost when all are). A header from an untrusted
     * peer is never believed.
     */
    public static String client(String peer, @Nullable String forwardedFor, CidrSet trustedProxies) {
        if (forwardedFor == null || trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String candidate = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (CidrSet.bytes(hop) == null) {
                return candidate; // garbage in the chain: trust nothing beyond it
            }
            candidate = hop;
            if (!trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return candidate;
    }
}
