package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RequiredServerTest {
    @Test
    void aServerThatIsDownFailsTheTestWithOneLineSayingHowToStartIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int closed = port;
        assertThatThrownBy(() -> RequiredServer.require("Redis", closed, "redis-server --port " + closed))
                .isInstanceOf(AssertionError.class)
                .hasMessage("this test needs Redis on 127.0.0.1:" + closed
                        + ", which does not answer; start it with: redis-server --port " + closed)
                .hasNoCause();
    }

    @Test
    void aServerThatAnswersPasses() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatCode(() -> RequiredServer.require("x", s.getLocalPort(), "-"))
                    .doesNotThrowAnyException();
        }
    }
}
