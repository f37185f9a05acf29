package dev.baton.config.internal;

/** Syntax check of an IPv4 or IPv6 CIDR block without any DNS lookup. */
final class Cidrs {
    private Cidrs() {}

    static void check(String cidr) {
        String c = cidr.trim();
        int slash = c.indexOf('/');
        String addr = slash < 0 ? c : c.substring(0, slash);
        boolean v6 = addr.indexOf(':') >= 0;
        int maxBits = v6 ? 128 : 32;
        if (!(v6 ? isIpv6(addr) : isIpv4(addr))) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
        }
        if (slash >= 0) {
            try {
                int bits = Integer.parseInt(c.substring(slash + 1));
                if (bits < 0 || bits > maxBits) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + maxBits);
            }
        }
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String s) {
        if (!s.matches("[0-9A-Fa-f:.]+") || s.indexOf(":::") >= 0) {
            return false;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] groups = s.split(":", -1);
        return groups.length >= 3 && groups.length <= 8 || (doubleColon >= 0 && groups.length <= 9);
    }
}
