package dev.baton.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A program for supervisor tests to launch as a real child process: an HTTP
 * service on {@code --port} whose {@code GET /health} fails until {@code --ready-after}
 * milliseconds have passed and whenever the file {@code --unhealthy-file} exists;
 * it exits with {@code --exit-code} after {@code --exit-after} milliseconds, and
 * with {@code --ignore-term} it shrugs off SIGTERM. {@link #command} builds its
 * command line for the running JVM.
 */
public final class TestService {
    private TestService() {}

    /** The command line that runs this program with {@code args}, from this JVM's java and class path. */
    public static List<String> command(String... args) {
        List<String> out = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                TestService.class.getName()));
        out.addAll(List.of(args));
        return out;
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        long readyAfter = 0;
        long exitAfter = -1;
        int exitCode = 1;
        Path unhealthy = null;
        boolean ignoreTerm = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--ready-after" -> readyAfter = Long.parseLong(args[++i]);
                case "--exit-after" -> exitAfter = Long.parseLong(args[++i]);
                case "--exit-code" -> exitCode = Integer.parseInt(args[++i]);
                case "--unhealthy-file" -> unhealthy = Path.of(args[++i]);
                case "--ignore-term" -> ignoreTerm = true;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (ignoreTerm) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> System.out.println("ignoring SIGTERM"));
        }
        long started = System.nanoTime();
        long ready = readyAfter;
        Path sick = unhealthy;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/health", ex -> {
            boolean up = (System.nanoTime() - started) / 1_000_000 >= ready && (sick == null || !Files.exists(sick));
            reply(ex, up ? 200 : 503, up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
        });
        server.createContext(
                "/",
                ex -> reply(
                        ex,
                        200,
                        "{\"pid\":" + ProcessHandle.current().pid() + ",\"port\":"
                                + server.getAddress().getPort() + ",\"path\":\""
                                + ex.getRequestURI().getPath() + "\"}"));
        server.start();
        System.out.println("test service pid " + ProcessHandle.current().pid() + " listening on "
                + server.getAddress().getPort() + " env NAME=" + System.getenv("NAME"));
        System.out.flush();
        if (exitAfter >= 0) {
            Thread.sleep(exitAfter);
            System.err.println("exiting with " + exitCode + " as asked");
            System.exit(exitCode);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
