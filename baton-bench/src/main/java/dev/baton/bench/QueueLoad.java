package dev.baton.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Persistent 1 KB messages published and consumed per second (not a JMH benchmark:
 * the cost is the store's or the broker's, which JMH's loops would only blur).
 * Producers and consumers run at once, and the figure is messages consumed per
 * second from the first publish to the last ack.
 *
 * <pre>
 * QueueLoad baton ADMIN-URL QUEUE MESSAGES   publish in batches of 10, receive up to 100 and ack them, over HTTP
 * QueueLoad amqp AMQP-URL MESSAGES           RabbitMQ's own client: persistent, confirms, manual acks
 * </pre>
 *
 * Run it with {@code bench/queues.sh}, which starts Baton alone on its core and
 * this on the other.
 */
public final class QueueLoad {
    static final int SIZE = 1024;
    static final int BATCH = 10;
    static final int PUBLISHERS = 8;
    static final int CONSUMERS = 4;

    private QueueLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: QueueLoad baton ADMIN-URL QUEUE MESSAGES | amqp AMQP-URL MESSAGES");
            System.exit(2);
        }
        char[] filler = new char[SIZE - 16];
        Arrays.fill(filler, 'x');
        String payload = new String(filler);
        long started = System.nanoTime();
        int n;
        if (args[0].equals("baton")) {
            n = Integer.parseInt(args[3]);
            baton(URI.create(args[1]), args[2], n, payload);
        } else {
            n = Integer.parseInt(args[2]);
            amqp(URI.create(args[1]), n, payload);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "%s: %d messages of 1 KB published and consumed in %.2f s: %.0f msg/s%n",
                args[0], n, seconds, n / seconds);
    }

    private static void baton(URI admin, String queue, int messages, String payload) throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost(admin.getHost())
                        .setDefaultPort(admin.getPort())
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(PUBLISHERS + CONSUMERS));
        String batch;
        JsonArray items = new JsonArray();
        for (int i = 0; i < BATCH; i++) {
            items.add(new JsonObject().put("body", payload));
        }
        batch = new JsonObject().put("messages", items).encode();
        AtomicInteger toPublish = new AtomicInteger(messages / BATCH);
        AtomicLong consumed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        for (int p = 0; p < PUBLISHERS; p++) {
            publishLoop(client, queue, batch, toPublish);
        }
        for (int c = 0; c < CONSUMERS; c++) {
            consumeLoop(client, queue, messages, consumed, done);
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("not done: " + consumed.get() + " consumed");
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static Future<Buffer> call(HttpClient client, String path, String body) {
        return client.request(HttpMethod.POST, path)
                .compose(r -> r.putHeader("content-type", "application/json").send(body))
                .compose(r -> r.statusCode() / 100 == 2
                        ? r.body()
                        : r.body().compose(b -> Future.failedFuture(r.statusCode() + " " + b)))
                .recover(e -> Future.failedFuture(path + ": " + e));
    }

    private static void publishLoop(HttpClient client, String queue, String batch, AtomicInteger left) {
        if (left.getAndDecrement() <= 0) {
            return;
        }
        call(client, "/queues/" + queue + "/messages", batch)
                .onSuccess(b -> publishLoop(client, queue, batch, left))
                .onFailure(e -> {
                    System.err.println("publish failed: " + e.getMessage());
                    System.exit(1);
                });
    }

    private static void consumeLoop(
            HttpClient client, String queue, int messages, AtomicLong consumed, CountDownLatch done) {
        if (consumed.get() >= messages) {
            done.countDown();
            return;
        }
        call(client, "/queues/" + queue + "/receive?max=100&wait=1s", "")
                .compose(b -> {
                    JsonArray got = new JsonObject(b).getJsonArray("messages");
                    if (got.isEmpty()) {
                        return Future.succeededFuture(0);
                    }
                    JsonArray receipts = new JsonArray();
                    got.forEach(m -> receipts.add(((JsonObject) m).getString("receipt")));
                    return call(
                                    client,
                                    "/queues/" + queue + "/ack",
                                    new JsonObject().put("receipts", receipts).encode())
                            .map(x -> got.size());
                })
                .onSuccess(k -> {
                    if (consumed.addAndGet(k) >= messages) {
                        done.countDown();
                    } else {
                        consumeLoop(client, queue, messages, consumed, done);
                    }
                })
                .onFailure(e -> {
                    if (consumed.get() >= messages) {
                        return; // the run is over: the client closing ends the receives still waiting
                    }
                    System.err.println("consume failed after " + consumed.get() + ": " + e.getMessage());
                    System.exit(1);
                });
    }

    /** The peer: RabbitMQ's Java client, persistent messages, publisher confirms, manual acks. */
    private static void amqp(URI url, int messages, String payload) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(url);
        String queue = "bench-" + System.nanoTime();
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = f.newConnection("bench")) {
            try (Channel setup = c.createChannel()) {
                setup.queueDeclare(queue, true, false, false, Map.of("x-max-priority", 9));
            }
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong consumed = new AtomicLong();
            for (int i = 0; i < CONSUMERS; i++) {
                Channel ch = c.createChannel();
                ch.basicQos(100);
                ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] b)
                            throws java.io.IOException {
                        ch.basicAck(env.getDeliveryTag(), false);
                        if (consumed.incrementAndGet() == messages) {
                            done.countDown();
                        }
                    }
                });
            }
            AtomicInteger left = new AtomicInteger(messages);
            Thread[] publishers = new Thread[PUBLISHERS];
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers[p] = new Thread(() -> {
                    try (Channel ch = c.createChannel()) {
                        ch.confirmSelect();
                        Semaphore window = new Semaphore(BATCH);
                        java.util.concurrent.ConcurrentSkipListSet<Long> out =
                                new java.util.concurrent.ConcurrentSkipListSet<>();
                        ch.addConfirmListener(
                                (tag, multiple) -> {
                                    int n = 0;
                                    if (multiple) {
                                        var upTo = out.headSet(tag, true);
                                        n = upTo.size();
                                        upTo.clear();
                                    } else if (out.remove(tag)) {
                                        n = 1;
                                    }
                                    window.release(n);
                                },
                                (tag, multiple) -> {
                                    throw new IllegalStateException("nacked by the broker");
                                });
                        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder()
                                .deliveryMode(2)
                                .contentType("application/json")
                                .build();
                        // A window of 10 unconfirmed messages per publisher, as Baton's batches of 10.
                        while (left.getAndDecrement() > 0) {
                            window.acquire();
                            out.add(ch.getNextPublishSeqNo());
                            ch.basicPublish("", queue, persistent, body);
                        }
                        ch.waitForConfirmsOrDie(60_000);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                publishers[p].start();
            }
            for (Thread t : publishers) {
                t.join();
            }
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("not done: " + consumed.get());
            }
            try (Channel cleanup = c.createChannel()) {
                cleanup.queueDelete(queue);
            }
        }
    }
}
