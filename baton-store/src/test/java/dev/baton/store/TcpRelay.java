package dev.baton.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback to a server, which a test can {@link #cut} (every
 * connection closed, new ones refused, as when the server stops) and {@link
 * #resume} on the same port (as when it is back), to see what a client of the
 * server does meanwhile.
 */
final class TcpRelay implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final int port;
    private volatile ServerSocket listening;

    private TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listening = listen(0);
        this.port = listening.getLocalPort();
    }

    static TcpRelay to(String host, int port) throws IOException {
        return new TcpRelay(new InetSocketAddress(host, port));
    }

    int port() {
        return port;
    }

    /** Closes every relayed connection and stops listening: a connection to {@link #port} is refused. */
    synchronized void cut() throws IOException {
        listening.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /** Listens on the same port again. */
    synchronized void resume() throws IOException {
        listening = listen(port);
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private ServerSocket listen(int on) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), on));
        Thread accepting = new Thread(() -> accept(server), "relay-accept");
        accepting.setDaemon(true);
        accepting.start();
        return server;
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return; // closed by cut()
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            out.write(buf, 0, n);
                        }
                    } catch (IOException e) {
                        // one side closed: the other goes with it below
                    }
                    closeQuietly(from);
                    closeQuietly(to);
                },
                "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
