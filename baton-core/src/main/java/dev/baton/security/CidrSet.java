package dev.baton.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A set of IPv4 and IPv6 CIDR blocks, matched bit by bit. Addresses are literals
 * only (never a DNS lookup); an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1})
 * matches as the IPv4 address it carries.
 */
public final class CidrSet {
    public static final CidrSet EMPTY = new CidrSet(List.of());

    private record Block(byte[] network, int bits) {}

    private final List<Block> blocks;

    private CidrSet(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** Blocks such as {@code 10.0.0.0/8}, {@code ::1/128} or a bare address; the config has checked their syntax. */
    public static CidrSet parse(List<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String c : cidrs) {
            String s = c.trim();
            int slash = s.indexOf('/');
            byte[] addr = bytes(slash < 0 ? s : s.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("'" + c + "' is not an IP address or CIDR block");
            }
            int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(s.substring(slash + 1));
            blocks.add(new Block(addr, bits));
        }
        return new CidrSet(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether {@code address} (a literal IP) is in any block; false for anything that is not an IP. */
    public boolean contains(String address) {
        byte[] a = address == null ? null : bytes(address);
        if (a == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.network.length == a.length && prefixMatches(b.network, a, b.bits)) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatches(byte[] network, byte[] a, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != a[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (a[full] & mask);
    }

    /** The bytes of a literal IPv4 or IPv6 address, IPv4-mapped ones as IPv4; null if not a literal. */
    static byte @Nullable [] bytes(String literal) {
        String s = literal.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        boolean v6 = s.indexOf(':') >= 0;
        if (s.isEmpty() || !(v6 ? s.matches("[0-9A-Fa-f:.]+") : s.matches("[0-9.]+"))) {
            return null; // never let InetAddress resolve a name
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (a instanceof Inet6Address || a instanceof Inet4Address) {
                return a.getAddress();
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
