package dev.baton.server.internal;

/**
 * What {@code baton demo} prints: where the gateway listens and what to try. The
 * demo services themselves are {@link DemoService} processes that the demo config
 * has Baton launch and supervise.
 */
public final class Demo {
    private Demo() {}

    /**
     * The banner, printed once the demo services are ready; {@code starting} names
     * those that were not within the wait (a slow machine), which answer 503 with a
     * {@code Retry-After} until they are.
     */
    public static String banner(int proxyPort, int adminPort, java.util.List<String> starting) {
        String p = "http://127.0.0.1:" + proxyPort;
        String a = "http://127.0.0.1:" + adminPort;
        return String.join(
                "\n",
                "",
                starting.isEmpty()
                        ? "Baton demo is running."
                        : "Baton demo is running; still starting: " + String.join(", ", starting)
                                + " (503 with Retry-After until ready).",
                "  proxy:      " + p,
                "  dashboard:  " + a + "/   (open it in a browser: live health, traffic, the service map)",
                "  admin API:  " + a + "/health",
                "",
                "Try:",
                "  curl -s " + p + "/api/orders                 # routed to the orders service",
                "  curl -s " + p + "/api/inventory              # round-robin over two instances",
                "  curl -s " + p + "/orchestrator/orders/       # every service also lives here",
                "  curl -s -X DELETE " + p + "/api/orders       # 405, with an Allow header",
                "  curl -s " + p + "/nowhere                    # 404 as JSON",
                "  curl -s -X POST '" + p + "/api/orders/mode?set=slow'   # make orders slow (3 s); set=fail, set=ok",
                "",
                "Baton launched the demo services and supervises them:",
                "  curl -s " + a + "/dependencies               # start order and state",
                "  kill -9 $(curl -s " + a + "/services/inventory | grep -o '\"pid\":[0-9]*' | head -1 | cut -d: -f2)",
                "  curl -s " + a + "/services/inventory         # restarted; the gateway kept answering",
                "  curl -s '" + a + "/services/orders/logs?tail=5'",
                "",
                "A saga over both (the README's Sagas walks through a failure and a stuck undo):",
                "  curl -s -X POST '" + a + "/sagas/place-order?wait=10s' -H 'Content-Type: application/json' \\",
                "       -d '{\"sku\":\"keyboard\",\"qty\":1}'          # COMPLETED; qty 100 is refused and compensated",
                "",
                "A topic pushed to orders, and a queue to pull (the README's Queues and topics):",
                "  curl -s -X POST " + a + "/topics/order-events/messages -H 'Content-Type: application/json' \\",
                "       -d '{\"body\":{\"order\":1},\"headers\":{\"type\":\"order.placed\"}}'",
                "  curl -s " + p + "/api/orders/events                # what orders was pushed",
                "  curl -s -X POST '" + a + "/queues/emails/receive?max=10'",
                "",
                "Edit examples/demo.yaml while this runs: changes apply without a restart.",
                "Ctrl-C stops everything.",
                "");
    }
}
