package dev.baton.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Which permission each kind of queue endpoint needs: declarations are config, the rest the queues' own. */
class AdminAuthPermissionTest {
    @Test
    void queueDeclarationsAreConfigAndMessagesAreTheQueuesOwn() {
        assertThat(AdminAuth.permission(HttpMethod.GET, "/queues")).isEqualTo("queues:read");
        assertThat(AdminAuth.permission(HttpMethod.GET, "/topics/t/subscriptions/s/dead-letters"))
                .isEqualTo("queues:read");
        assertThat(AdminAuth.permission(HttpMethod.GET, "/ui/queues/jobs")).isEqualTo("queues:read");
        assertThat(AdminAuth.permission(HttpMethod.PUT, "/queues/jobs")).isEqualTo("config:write");
        assertThat(AdminAuth.permission(HttpMethod.DELETE, "/topics/orders")).isEqualTo("config:write");
        assertThat(AdminAuth.permission(HttpMethod.PUT, "/topics/orders/subscriptions/billing"))
                .isEqualTo("config:write");
        assertThat(AdminAuth.permission(HttpMethod.POST, "/queues/jobs/messages"))
                .isEqualTo("queues:write");
        assertThat(AdminAuth.permission(HttpMethod.POST, "/queues/jobs/receive"))
                .isEqualTo("queues:write");
        assertThat(AdminAuth.permission(HttpMethod.POST, "/topics/t/subscriptions/s/ack"))
                .isEqualTo("queues:write");
        assertThat(AdminAuth.permission(HttpMethod.DELETE, "/queues/jobs/dead-letters"))
                .isEqualTo("queues:write");
    }
}
