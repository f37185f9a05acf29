package dev.baton.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.ServiceConfig;
import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
    final FakeClock clock = new FakeClock();

    /** Endpoints whose ejections are timed by {@link #clock}. */
    List<Endpoint> endpoints(int... weights) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new Endpoint("e" + i, weights[i], clock::nanos));
        }
        return list;
    }

    static OutlierDetector detector(List<Endpoint> eps, int failures, long baseMillis, int percent) {
        return new OutlierDetector(
                eps, new ServiceConfig.OutlierDetection(failures, Duration.ofMillis(baseMillis), percent));
    }

    @Test
    void ejectsAfterConsecutiveFailuresOnly() {
        List<Endpoint> eps = endpoints(1, 1);
        OutlierDetector d = detector(eps, 3, 60_000, 50);
        Endpoint e = eps.get(0);
        d.failure(e);
        d.failure(e);
        d.success(e); // breaks the run
        d.failure(e);
        d.failure(e);
        assertThat(e.available()).isTrue();
        assertThat(d.failure(e)).isTrue();
        assertThat(e.ejected()).isTrue();
        assertThat(e.available()).isFalse();
        assertThat(e.ejectionRemainingNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(60));
        clock.advance(Duration.ofSeconds(59));
        assertThat(e.ejected()).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(e.available()).as("the ejection is over").isTrue();
    }

    @Test
    void neverEjectsMoreThanTheAllowedShare() {
        List<Endpoint> four = endpoints(1, 1, 1, 1);
        OutlierDetector d = detector(four, 1, 60_000, 50);
        four.forEach(d::failure);
        assertThat(four.stream().filter(Endpoint::ejected).count()).isEqualTo(2);

        List<Endpoint> two = endpoints(1, 1);
        OutlierDetector low = detector(two, 1, 60_000, 10);
        two.forEach(low::failure);
        assertThat(two.stream().filter(Endpoint::ejected).count())
                .as("one of several may always go")
                .isEqualTo(1);

        List<Endpoint> one = endpoints(1);
        detector(one, 1, 60_000, 100).failure(one.get(0));
        assertThat(one.get(0).ejected()).as("a lone instance stays").isFalse();

        List<Endpoint> off = endpoints(1, 1);
        OutlierDetector none = detector(off, 0, 60_000, 100);
        for (int i = 0; i < 100; i++) {
            none.failure(off.get(0));
        }
        assertThat(off.get(0).ejected()).isFalse();
    }

    @Test
    void ejectionsInARowLastLongerAndEnd() {
        List<Endpoint> eps = endpoints(1, 1);
        OutlierDetector d = detector(eps, 1, 300, 50);
        Endpoint e = eps.get(0);
        d.failure(e);
        assertThat(remainingMillis(e)).isEqualTo(300);
        clock.advance(Duration.ofMillis(300));
        assertThat(e.ejected()).isFalse();
        assertThat(e.available()).isTrue();

        d.failure(e); // straight after coming back: twice as long
        assertThat(remainingMillis(e)).isEqualTo(600);
        clock.advance(Duration.ofMillis(600));
        assertThat(e.ejected()).isFalse();

        clock.advance(Duration.ofMillis(600)); // two base periods in: the streak is forgotten
        d.failure(e);
        assertThat(remainingMillis(e)).isEqualTo(300);
    }

    private static long remainingMillis(Endpoint e) {
        return TimeUnit.NANOSECONDS.toMillis(e.ejectionRemainingNanos());
    }
}
