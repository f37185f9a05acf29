package dev.baton.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.testing.FakeClock;
import dev.baton.testing.TestUpstream;
import dev.baton.time.ManualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sagas against real upstreams on a real store, the embedded one and PostgreSQL
 * (127.0.0.1:5432, database test), with time on a fake clock: each
 * test moves the clock past a backoff or a deadline rather than waiting for it.
 * The services: inventory reserves and releases, payments charges and refunds,
 * shipping ships; each answers what the test tells it to.
 */
@org.junit.jupiter.params.ParameterizedClass(name = "{0}")
@org.junit.jupiter.params.provider.EnumSource(dev.baton.store.StoreBackend.class)
class SagasTest {
    @org.junit.jupiter.params.Parameter
    dev.baton.store.StoreBackend backend;

    dev.baton.store.StoreBackend.Fresh fresh;

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    final Vertx vertx = Vertx.vertx();
    final FakeClock clock = new FakeClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<String> calls = new CopyOnWriteArrayList<>(); // "METHOD path key"
    final AtomicReference<Integer> chargeStatus = new AtomicReference<>(201);
    final AtomicInteger chargeFailures = new AtomicInteger(); // answered 503 this many times first
    final AtomicReference<Integer> releaseStatus = new AtomicReference<>(204);
    final AtomicReference<Integer> shipStatus = new AtomicReference<>(201);
    TestUpstream inventory;
    TestUpstream payments;
    TestUpstream shipping;
    DataStore data;
    Snapshot snapshot;
    Sagas sagas;

    void record(HttpServerRequest req) {
        calls.add(req.method() + " " + req.path() + " " + req.getHeader("idempotency-key"));
    }

    @BeforeEach
    void start() throws Exception {
        inventory = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    record(req);
                    if (req.method().name().equals("POST")) {
                        req.response()
                                .setStatusCode(201)
                                .end("{\"id\":\"r1\",\"got\":" + (body.length() == 0 ? "null" : body) + "}");
                    } else {
                        req.response().setStatusCode(releaseStatus.get()).end();
                    }
                }));
        payments = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    record(req);
                    if (req.path().endsWith("/refund")) {
                        req.response().setStatusCode(200).end();
                    } else if (chargeFailures.getAndDecrement() > 0) {
                        req.response().setStatusCode(503).end("{\"error\":\"busy\"}");
                    } else {
                        req.response().setStatusCode(chargeStatus.get()).end("{\"id\":\"c1\"}");
                    }
                }));
        shipping = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    record(req);
                    req.response().setStatusCode(shipStatus.get()).end("{\"shipment\":\"s1\"}");
                }));
        fresh = backend.fresh(dir.resolve("data"));
        data = new DataStore(
                fresh.dir(),
                fresh.server()
                        .map(p ->
                                new dev.baton.config.StoreConfig(p.url(), p.user(), p.password(), p.maxConnections())));
        sagas = sagas(config("", ""));
    }

    Config config(String stepExtra, String timeout) {
        return config(stepExtra, timeout, "retry: { attempts: 3, backoff: 1s, max-backoff: 4s }");
    }

    Config config(String stepExtra, String timeout, String chargeRetry) {
        return new ConfigLoader(Map.of())
                .parse(
                        """
                services:
                  inventory: { instances: [ "%s" ] }
                  payments: { instances: [ "%s" ] }
                  shipping: { instances: [ "%s" ] }
                sagas:
                  place-order:
                    timeout: %s
                    compensation-deadline: 1m
                    steps:
                      - id: reserve
                        call: { service: inventory, method: POST, path: /reservations,
                                body: { sku: "{{input.sku}}", qty: "{{input.qty}}" } }
                        compensate: { service: inventory, method: DELETE,
                                      path: "/reservations/{{steps.reserve.response.body.id}}" }
                        retry: { attempts: 3, backoff: 1s, max-backoff: 4s }
                      - id: charge
                        call: { service: payments, method: POST, path: /charges,
                                body: { order: "{{saga.id}}", amount: "{{input.amount}}" } }
                        compensate: { service: payments, method: POST,
                                      path: "/charges/{{steps.charge.response.body.id}}/refund" }
                        %s
                        %s
                      - id: ship
                        call: { service: shipping, method: POST, path: /shipments, body: "{{input}}" }
                        retry: { attempts: 2, backoff: 1s }
                """.formatted(
                                        inventory.url(),
                                        payments.url(),
                                        shipping.url(),
                                        timeout.isEmpty() ? "2m" : timeout,
                                        chargeRetry,
                                        stepExtra),
                        "baton.yaml");
    }

    Sagas sagas(Config config) {
        snapshot = Snapshot.compile(config);
        Sagas s = new Sagas(vertx, data, () -> snapshot, EventSink.NONE, clock, clock::nanos, scheduler);
        s.start();
        s.apply(snapshot);
        return s;
    }

    @AfterEach
    void stop() throws Exception {
        sagas.close();
        data.close();
        fresh.close();
        for (TestUpstream u : List.of(inventory, payments, shipping)) {
            u.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static JsonNode input() throws Exception {
        return JSON.readTree("{\"sku\":\"A-1\",\"qty\":2,\"amount\":9.5}");
    }

    Saga begin() throws Exception {
        return sagas.start("place-order", input(), Optional.empty())
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    Saga now(String id) throws Exception {
        return sagas.get(id).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
    }

    void awaitState(String id, SagaState state) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(now(id).state()).isEqualTo(state));
    }

    /** Waits until the saga has scheduled its next wake-up, then moves the clock past it. */
    void advance(Duration d) {
        await().atMost(WAIT).until(() -> scheduler.pending() > 0);
        scheduler.advance(d);
    }

    /** Moves the clock by {@code d} at a time, each time the saga waits, until it is no longer {@code in}. */
    void advanceWhile(String id, SagaState in, Duration d) throws Exception {
        for (int i = 0; i < 50; i++) {
            await().atMost(WAIT).until(() -> scheduler.pending() > 0 || now(id).state() != in);
            if (now(id).state() != in) {
                return;
            }
            scheduler.advance(d);
        }
    }

    Saga.Step step(Saga s, String id) {
        return s.steps().stream().filter(st -> st.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void everyStepSucceedsAndEachCallCarriesItsIdempotencyKey() throws Exception {
        Saga s = begin();
        awaitState(s.id(), SagaState.COMPLETED);
        assertThat(calls)
                .containsExactly(
                        "POST /reservations " + s.id() + ":reserve:call",
                        "POST /charges " + s.id() + ":charge:call",
                        "POST /shipments " + s.id() + ":ship:call");
        Saga done = now(s.id());
        assertThat(done.steps()).extracting(Saga.Step::state).containsOnly(StepState.SUCCEEDED);
        JsonNode got = step(done, "reserve").response().orElseThrow().body().get("got");
        assertThat(got.get("qty").isInt())
                .as("a value that is one template keeps its JSON type")
                .isTrue();
        assertThat(got.get("sku").asText()).isEqualTo("A-1");
        assertThat(payments.last().headers().get("x-baton-saga-id")).isEqualTo(s.id());
        assertThat(done.endedAt()).isPresent();
        assertThat(done.trail()).extracting(Saga.Entry::what).contains("completed");
    }

    @Test
    void aBusinessRefusalIsNotRetriedAndCompensatesWhatWentBefore() throws Exception {
        chargeStatus.set(402);
        Saga s = begin();
        awaitState(s.id(), SagaState.COMPENSATED);
        assertThat(calls)
                .containsExactly(
                        "POST /reservations " + s.id() + ":reserve:call",
                        "POST /charges " + s.id() + ":charge:call",
                        "DELETE /reservations/r1 " + s.id() + ":reserve:compensate");
        Saga done = now(s.id());
        assertThat(step(done, "charge").state()).isEqualTo(StepState.FAILED);
        assertThat(step(done, "charge").attempts()).isEqualTo(1);
        assertThat(step(done, "reserve").state()).isEqualTo(StepState.COMPENSATED);
        assertThat(step(done, "ship").state()).isEqualTo(StepState.PENDING);
        assertThat(done.reason())
                .hasValueSatisfying(r -> assertThat(r).startsWith("step charge was refused: answered 402"));
    }

    @Test
    void aTransientFailureIsRetriedWithBackoffThenCompensatesWhenItLasts() throws Exception {
        chargeFailures.set(2);
        Saga ok = begin();
        await().atMost(WAIT).until(() -> step(now(ok.id()), "charge").attempts() == 1);
        advance(Duration.ofMillis(1200)); // 1s ± 20%
        await().atMost(WAIT).until(() -> step(now(ok.id()), "charge").attempts() == 2);
        advance(Duration.ofMillis(2400)); // doubled
        awaitState(ok.id(), SagaState.COMPLETED);
        assertThat(step(now(ok.id()), "charge").attempts()).isEqualTo(3);

        calls.clear();
        chargeFailures.set(100);
        Saga failing = begin();
        await().atMost(WAIT).until(() -> step(now(failing.id()), "charge").attempts() == 1);
        advance(Duration.ofMillis(1200));
        await().atMost(WAIT).until(() -> step(now(failing.id()), "charge").attempts() == 2);
        advance(Duration.ofMillis(2400));
        awaitState(failing.id(), SagaState.COMPENSATED);
        assertThat(calls).filteredOn(c -> c.startsWith("POST /charges")).hasSize(3);
        assertThat(calls).last().isEqualTo("DELETE /reservations/r1 " + failing.id() + ":reserve:compensate");
        assertThat(now(failing.id()).reason())
                .hasValueSatisfying(r -> assertThat(r).startsWith("step charge failed after 3 attempts: answered 503"));
    }

    @Test
    void aCompensationThatKeepsFailingIsStuckUntilAnOperatorRetriesOrSkips() throws Exception {
        chargeStatus.set(402);
        releaseStatus.set(500);
        Saga s = begin();
        await().atMost(WAIT)
                .until(() -> step(now(s.id()), "reserve")
                        .compensation()
                        .map(c -> c.attempts() == 1)
                        .orElse(false));
        advanceWhile(s.id(), SagaState.COMPENSATING, Duration.ofSeconds(5)); // capped at 4s ± 20%
        awaitState(s.id(), SagaState.STUCK);
        Saga stuck = now(s.id());
        assertThat(stuck.reason())
                .hasValueSatisfying(r ->
                        assertThat(r).startsWith("the compensation of step reserve has failed for 1m: answered 500"));
        assertThatThrownBy(() -> sagas.cancel(s.id()).toCompletableFuture().join())
                .hasCauseInstanceOf(SagaRefused.class);

        releaseStatus.set(204);
        sagas.retry(s.id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitState(s.id(), SagaState.COMPENSATED);
        assertThat(step(now(s.id()), "reserve").state()).isEqualTo(StepState.COMPENSATED);

        releaseStatus.set(500);
        Saga other = begin();
        await().atMost(WAIT)
                .until(() -> step(now(other.id()), "reserve").compensation().isPresent());
        advanceWhile(other.id(), SagaState.COMPENSATING, Duration.ofSeconds(5));
        awaitState(other.id(), SagaState.STUCK);
        sagas.skip(other.id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitState(other.id(), SagaState.COMPENSATED);
        assertThat(step(now(other.id()), "reserve").state()).isEqualTo(StepState.SKIPPED);
    }

    @Test
    void aCancelledSagaCompensatesItsCompletedStepsAndEndsCancelled() throws Exception {
        chargeFailures.set(100);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        sagas.cancel(s.id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitState(s.id(), SagaState.CANCELLED);
        assertThat(calls).last().isEqualTo("DELETE /reservations/r1 " + s.id() + ":reserve:compensate");
        assertThat(now(s.id()).reason()).hasValue("cancelled by an operator");
        assertThatThrownBy(() -> sagas.cancel(s.id()).toCompletableFuture().join())
                .hasCauseInstanceOf(SagaRefused.class)
                .hasMessageContaining("has ended CANCELLED");
    }

    @Test
    void pastThePivotASagaOnlyGoesForward() throws Exception {
        sagas.close();
        sagas = sagas(config("pivot: true", ""));
        shipStatus.set(400);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "ship").attempts() >= 1);
        assertThatThrownBy(() -> sagas.cancel(s.id()).toCompletableFuture().join())
                .hasCauseInstanceOf(SagaRefused.class)
                .hasMessageContaining("past its pivot");
        advance(Duration.ofMillis(1200));
        await().atMost(WAIT).until(() -> step(now(s.id()), "ship").attempts() >= 2);
        assertThat(now(s.id()).state())
                .as("a refusal past the pivot is retried, not compensated")
                .isEqualTo(SagaState.RUNNING);
        shipStatus.set(201);
        advance(Duration.ofSeconds(3));
        awaitState(s.id(), SagaState.COMPLETED);
        assertThat(calls).noneMatch(c -> c.contains(":compensate"));
    }

    @Test
    void theSagaTimeoutCompensates() throws Exception {
        chargeFailures.set(100);
        sagas.close();
        sagas = sagas(config("", "", "retry: { attempts: 100, backoff: 30s, max-backoff: 30s }"));
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        advanceWhile(s.id(), SagaState.RUNNING, Duration.ofSeconds(40));
        awaitState(s.id(), SagaState.COMPENSATED);
        assertThat(now(s.id()).reason()).hasValue("timed out after 2m");
    }

    @Test
    void aStartWithTheSameKeyIsTheSameSaga() throws Exception {
        Saga a = sagas.start("place-order", input(), Optional.of("order-7"))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Saga b = sagas.start("place-order", input(), Optional.of("order-7"))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(b.id()).isEqualTo(a.id());
        awaitState(a.id(), SagaState.COMPLETED);
        assertThat(calls).filteredOn(c -> c.startsWith("POST /reservations")).hasSize(1);
        assertThatThrownBy(() -> sagas.start("nope", input(), Optional.empty())
                        .toCompletableFuture()
                        .join())
                .hasCauseInstanceOf(SagaRefused.class)
                .hasMessageContaining("no saga definition 'nope'");
    }

    @Test
    void aSagaLeftUnfinishedIsResumedByTheNextStartWithTheSameKeys() throws Exception {
        chargeFailures.set(1);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        sagas.close(); // as a crash: nothing more is written
        sagas = sagas(config("", ""));
        advanceWhile(s.id(), SagaState.RUNNING, Duration.ofMillis(1200));
        awaitState(s.id(), SagaState.COMPLETED);
        assertThat(calls)
                .containsExactly(
                        "POST /reservations " + s.id() + ":reserve:call",
                        "POST /charges " + s.id() + ":charge:call",
                        "POST /charges " + s.id() + ":charge:call",
                        "POST /shipments " + s.id() + ":ship:call");
        assertThat(now(s.id()).trail()).extracting(Saga.Entry::what).contains("resumed after a restart");
    }

    @Test
    void aRedefinedSagaGetsANewVersionAndARunningOneKeepsItsOwn() throws Exception {
        assertThat(sagas.definitions().get("place-order").version()).isEqualTo(1);
        chargeFailures.set(1);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        snapshot = Snapshot.compile(config("", "3m"));
        sagas.apply(snapshot);
        assertThat(sagas.definitions().get("place-order").version()).isEqualTo(2);
        sagas.apply(snapshot);
        assertThat(sagas.definitions().get("place-order").version())
                .as("the same again is no new version")
                .isEqualTo(2);
        advance(Duration.ofMillis(1200));
        awaitState(s.id(), SagaState.COMPLETED);
        assertThat(now(s.id()).version()).isEqualTo(1);
        assertThat(begin().version()).isEqualTo(2);
    }

    @Test
    void anAttemptWithoutAnAnswerTimesOutOnTheClockAndItsStepIsCompensatedToo() throws Exception {
        AtomicInteger charges = new AtomicInteger();
        TestUpstream slow = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    record(req);
                    if (req.path().equals("/charges") && charges.incrementAndGet() == 1) {
                        return; // never answers: the attempt times out, its outcome unknown
                    }
                    req.response()
                            .setStatusCode(req.path().equals("/charges") ? 402 : 200)
                            .end("{}");
                }));
        try {
            sagas.close();
            sagas = sagas(new ConfigLoader(Map.of()).parse("""
                    services:
                      inventory: { instances: [ "%s" ] }
                      payments: { instances: [ "%s" ] }
                    sagas:
                      place-order:
                        steps:
                          - id: reserve
                            call: { service: inventory, path: /reservations }
                            compensate: { service: inventory, method: DELETE, path: "/reservations/{{steps.reserve.response.body.id}}" }
                          - id: charge
                            call: { service: payments, path: /charges }
                            compensate: { service: payments, path: /refunds, body: { order: "{{saga.id}}" } }
                            timeout: 3s
                            retry: { attempts: 2, backoff: 1s }
                    """.formatted(inventory.url(), slow.url()), "baton.yaml"));
            Saga s = begin();
            await().atMost(WAIT).until(() -> charges.get() == 1);
            advance(Duration.ofSeconds(3));
            await().atMost(WAIT).until(() -> step(now(s.id()), "charge").unknownOutcome());
            assertThat(step(now(s.id()), "charge").error()).hasValue("no answer within 3000 ms");
            advance(Duration.ofMillis(1200));
            await().atMost(WAIT)
                    .until(() -> now(s.id()).state().ended() || now(s.id()).state() == SagaState.STUCK);
            assertThat(now(s.id()).state())
                    .as(now(s.id()).reason() + " " + calls)
                    .isEqualTo(SagaState.COMPENSATED);
            assertThat(calls)
                    .containsExactly(
                            "POST /reservations " + s.id() + ":reserve:call",
                            "POST /charges " + s.id() + ":charge:call",
                            "POST /charges " + s.id() + ":charge:call",
                            "POST /refunds " + s.id() + ":charge:compensate",
                            "DELETE /reservations/r1 " + s.id() + ":reserve:compensate");
        } finally {
            slow.close();
        }
    }

    @Test
    void whileTheBreakerIsOpenTheSagaWaitsWithoutSpendingAttempts() throws Exception {
        sagas.close();
        sagas = sagas(new ConfigLoader(Map.of()).parse("""
                services:
                  inventory: { instances: [ "%s" ] }
                  payments:
                    instances: [ "%s" ]
                    circuit-breaker: { minimum-calls: 2, failure-rate-threshold: 50, open-duration: 5m }
                sagas:
                  place-order:
                    steps:
                      - id: reserve
                        call: { service: inventory, path: /reservations }
                      - id: charge
                        call: { service: payments, path: /charges }
                        retry: { attempts: 5, backoff: 1s, max-backoff: 1s }
                """.formatted(inventory.url(), payments.url()), "baton.yaml"));
        chargeFailures.set(2);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        advance(Duration.ofMillis(1200));
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 2);
        assertThat(snapshot.services().get("payments").breakers().state())
                .hasValue(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofMillis(1200));
        }
        assertThat(step(now(s.id()), "charge").attempts())
                .as("no attempt while the breaker is open")
                .isEqualTo(2);
        assertThat(calls).filteredOn(c -> c.startsWith("POST /charges")).hasSize(2);
        snapshot.services().get("payments").breakers().apply("close");
        advance(Duration.ofMillis(1200));
        awaitState(s.id(), SagaState.COMPLETED);
        assertThat(step(now(s.id()), "charge").attempts()).isEqualTo(3);
    }

    @Test
    void aRetryWaitsForTheServicesRetryBudget() throws Exception {
        sagas.close();
        sagas = sagas(new ConfigLoader(Map.of()).parse("""
                services:
                  inventory: { instances: [ "%s" ] }
                  payments:
                    instances: [ "%s" ]
                    retry: { attempts: 2, budget: { percent: 0, min-retries: 0 } }
                sagas:
                  place-order:
                    steps:
                      - id: charge
                        call: { service: payments, path: /charges }
                        retry: { attempts: 3, backoff: 1s, max-backoff: 1s }
                """.formatted(inventory.url(), payments.url()), "baton.yaml"));
        chargeFailures.set(1);
        Saga s = begin();
        await().atMost(WAIT).until(() -> step(now(s.id()), "charge").attempts() == 1);
        for (int i = 0; i < 4; i++) {
            advance(Duration.ofMillis(1200));
        }
        assertThat(calls).as("the budget allows no retry").hasSize(1);
        assertThat(step(now(s.id()), "charge").attempts())
                .as("and a wait spends no attempt")
                .isEqualTo(1);
        assertThat(now(s.id()).state()).isEqualTo(SagaState.RUNNING);
    }

    @Test
    void aServiceOnHttpsIsCalledWithItsOwnCaAndAClientCertificate() throws Exception {
        Path serverCert = dir.resolve("server.pem");
        Path serverKey = dir.resolve("server-key.pem");
        dev.baton.testing.TestCerts.pem(
                dev.baton.testing.TestCerts.keystore(dir, "server", "localhost"), serverCert, serverKey);
        Path clientCert = dir.resolve("client.pem");
        Path clientKey = dir.resolve("client-key.pem");
        dev.baton.testing.TestCerts.pem(
                dev.baton.testing.TestCerts.keystore(dir, "client", "baton-client"), clientCert, clientKey);
        TestUpstream secure = TestUpstream.start(
                vertx,
                new io.vertx.core.http.HttpServerOptions()
                        .setSsl(true)
                        .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                                .setCertPath(serverCert.toString())
                                .setKeyPath(serverKey.toString()))
                        .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED)
                        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(clientCert.toString())),
                req -> req.response().setStatusCode(201).end("{\"id\":\"t1\"}"));
        try {
            sagas.close();
            sagas = sagas(new ConfigLoader(Map.of())
                    .parse("""
                    services:
                      vault:
                        instances: [ "https://localhost:%d" ]
                        tls: { ca: "%s", cert: "%s", key: "%s" }
                    sagas:
                      place-order:
                        steps:
                          - { id: seal, call: { service: vault, path: /seal } }
                    """.formatted(secure.port(), serverCert, clientCert, clientKey), "baton.yaml"));
            Saga s = begin();
            awaitState(s.id(), SagaState.COMPLETED);
            assertThat(step(now(s.id()), "seal").status()).hasValue(201);
        } finally {
            secure.close();
        }
    }

    @Test
    void anAnswerThatComesAfterTheDeadlineStillCompletesTheSaga() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        TestUpstream slow = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(b -> {
                    record(req);
                    held.add(req);
                }));
        try {
            sagas.close();
            sagas = sagas(new ConfigLoader(Map.of()).parse("""
                    services:
                      shipping: { instances: [ "%s" ] }
                    sagas:
                      place-order:
                        timeout: 1m
                        steps:
                          - { id: ship, call: { service: shipping, path: /ship }, timeout: 5m }
                    """.formatted(slow.url()), "baton.yaml"));
            Saga s = begin();
            await().atMost(WAIT).until(() -> held.size() == 1);
            scheduler.advance(Duration.ofMinutes(2)); // past the saga's deadline, the call still out
            held.get(0).response().setStatusCode(201).end("{}");
            awaitState(s.id(), SagaState.COMPLETED);
        } finally {
            slow.close();
        }
    }

    @Test
    void aStepWhoseOutcomeIsUnknownIsCompensatedEvenWhileItWaitsToRetry() throws Exception {
        AtomicInteger charges = new AtomicInteger();
        TestUpstream slow = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    record(req);
                    if (req.path().equals("/charges") && charges.incrementAndGet() == 1) {
                        return; // never answers
                    }
                    req.response().setStatusCode(200).end("{}");
                }));
        try {
            sagas.close();
            sagas = sagas(new ConfigLoader(Map.of()).parse("""
                    services:
                      inventory: { instances: [ "%s" ] }
                      payments: { instances: [ "%s" ] }
                    sagas:
                      place-order:
                        steps:
                          - id: reserve
                            call: { service: inventory, path: /reservations }
                            compensate: { service: inventory, method: DELETE, path: "/reservations/{{steps.reserve.response.body.id}}" }
                          - id: charge
                            call: { service: payments, path: /charges }
                            compensate: { service: payments, path: /refunds, body: { order: "{{saga.id}}" } }
                            timeout: 3s
                            retry: { attempts: 3, backoff: 1m }
                    """.formatted(inventory.url(), slow.url()), "baton.yaml"));
            Saga s = begin();
            await().atMost(WAIT).until(() -> charges.get() == 1);
            advance(Duration.ofSeconds(3)); // the attempt times out: its outcome unknown, a retry in a minute
            await().atMost(WAIT)
                    .until(() -> step(now(s.id()), "charge").unknownOutcome()
                            && step(now(s.id()), "charge").state() == StepState.PENDING);
            sagas.cancel(s.id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            awaitState(s.id(), SagaState.CANCELLED);
            assertThat(calls).contains("POST /refunds " + s.id() + ":charge:compensate");
            assertThat(calls).last().isEqualTo("DELETE /reservations/r1 " + s.id() + ":reserve:compensate");
        } finally {
            slow.close();
        }
    }

    @Test
    void aRowThatNoLongerReadsIsLeftOutOfTheListNotTheListOfTheRest() throws Exception {
        Saga good = begin();
        awaitState(good.id(), SagaState.COMPLETED);
        java.time.Instant t = clock.instant();
        data.get()
                .sagas()
                .insert(new dev.baton.store.SagaRecords.Row(
                        "broken", "place-order", 1, "COMPLETED", Optional.empty(), "{not json", 0, t, t));
        List<Saga> all = sagas.list(Optional.empty(), Optional.empty(), 10)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(all).extracting(Saga::id).containsExactly(good.id());
    }
}
