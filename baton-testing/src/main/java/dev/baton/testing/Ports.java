package dev.baton.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for programs a test starts itself and must name in advance (a child
 * process's port in a config). Taken below the kernel's ephemeral range (Linux:
 * 32768 and up), because a port handed out there can be taken in the meantime as
 * the local end of any outgoing connection, and a kept-alive one holds it for as
 * long as it lives.
 */
public final class Ports {
    private static final int FROM = 20_000;
    private static final int TO = 32_000;

    private Ports() {}

    public static int free() {
        for (int tries = 0; tries < 1000; tries++) {
            int port = ThreadLocalRandom.current().nextInt(FROM, TO);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port from " + FROM + " to " + TO);
    }
}
