package dev.baton.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who a verified token says is calling: its subject, its roles (from the
 * configured roles claim) and every claim, for routes that forward some of them.
 */
public record Caller(Optional<String> subject, List<String> roles, Map<String, Object> claims) {
    public Caller {
        roles = List.copyOf(roles);
        claims = Map.copyOf(claims);
    }

    public boolean hasAnyRole(List<String> wanted) {
        return wanted.isEmpty() || wanted.stream().anyMatch(roles::contains);
    }
}
