package dev.baton.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpPolicyTest {
    @Test
    void cidrBlocksMatchBitByBitInBothFamilies() {
        CidrSet s = CidrSet.parse(List.of("10.0.0.0/8", "192.168.1.0/25", "2001:db8::/32", "::1/128", "172.16.5.4"));
        assertThat(s.contains("10.255.0.1")).isTrue();
        assertThat(s.contains("11.0.0.1")).isFalse();
        assertThat(s.contains("192.168.1.127")).isTrue();
        assertThat(s.contains("192.168.1.128")).isFalse();
        assertThat(s.contains("2001:db8:ffff::1")).isTrue();
        assertThat(s.contains("2001:db9::1")).isFalse();
        assertThat(s.contains("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(s.contains("::ffff:10.1.2.3")).as("IPv4-mapped").isTrue();
        assertThat(s.contains("172.16.5.4")).isTrue();
        assertThat(s.contains("172.16.5.5")).isFalse();
        assertThat(s.contains("example.com")).as("never a DNS lookup").isFalse();
        assertThat(s.contains(null)).isFalse();
        assertThat(CidrSet.parse(List.of("0.0.0.0/0")).contains("8.8.8.8")).isTrue();
    }

    @Test
    void allowThenDeny() {
        IpPolicy p = IpPolicy.of(List.of("10.0.0.0/8"), List.of("10.6.6.0/24"));
        assertThat(p.permits("10.1.1.1")).isTrue();
        assertThat(p.permits("10.6.6.6")).isFalse();
        assertThat(p.permits("8.8.8.8")).isFalse();
        assertThat(IpPolicy.of(List.of(), List.of("8.8.8.8")).permits("1.1.1.1"))
                .isTrue();
        assertThat(IpPolicy.OPEN.open()).isTrue();
    }

    @Test
    void forwardedForIsBelievedOnlyBehindTrustedProxies() {
        CidrSet trusted = CidrSet.parse(List.of("10.0.0.0/8"));
        assertThat(IpPolicy.client("203.0.113.9", "1.2.3.4", trusted))
                .as("untrusted peer")
                .isEqualTo("203.0.113.9");
        assertThat(IpPolicy.client("10.0.0.2", "1.2.3.4", trusted)).isEqualTo("1.2.3.4");
        assertThat(IpPolicy.client("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.7", trusted))
                .as("the nearest untrusted hop, not the spoofable leftmost")
                .isEqualTo("1.2.3.4");
        assertThat(IpPolicy.client("10.0.0.2", "garbage, 10.0.0.7", trusted)).isEqualTo("10.0.0.7");
        assertThat(IpPolicy.client("10.0.0.2", "1.2.3.4", CidrSet.EMPTY))
                .as("nothing trusted by default")
                .isEqualTo("10.0.0.2");
    }
}
