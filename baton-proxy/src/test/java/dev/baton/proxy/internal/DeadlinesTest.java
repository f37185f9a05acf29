package dev.baton.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    final FakeClock clock = new FakeClock();
    final Deadlines deadlines = new Deadlines(clock::nanos);
    final List<String> fired = new ArrayList<>();

    /** An owner idle since {@code idleNanosAgo}, with a timeout of one second. */
    final class Owner implements Deadlines.Idle {
        final String name;
        final long last;
        Consumer<Owner> onTimeout = o -> {};

        Owner(String name, long idleNanosAgo) {
            this.name = name;
            this.last = clock.nanos() - idleNanosAgo;
        }

        @Override
        public long lastActivityNanos() {
            return last;
        }

        @Override
        public long timeoutNanos() {
            return 1_000_000_000L;
        }

        @Override
        public void idleTimeout() {
            fired.add(name);
            onTimeout.accept(this);
        }
    }

    @Test
    void firesOnlyWhatIsIdleForItsWholeTimeout() {
        deadlines.arm(new Owner("old", 2_000_000_000L));
        deadlines.arm(new Owner("fresh", 0));
        Deadlines.Entry disarmed = deadlines.arm(new Owner("disarmed", 2_000_000_000L));
        deadlines.arm(new Owner("older", 5_000_000_000L));
        deadlines.disarm(disarmed);
        deadlines.disarm(disarmed); // twice is harmless

        deadlines.sweep();
        assertThat(fired).containsExactly("old", "older");
        assertThat(deadlines.size()).isEqualTo(1);

        deadlines.sweep();
        assertThat(fired).as("each fires once").containsExactly("old", "older");

        clock.advance(Duration.ofSeconds(1));
        deadlines.sweep();
        assertThat(fired).as("fresh, once its timeout has passed").containsExactly("old", "older", "fresh");
    }

    @Test
    void aTimeoutThatEndsTheNextEntryDoesNotDerailTheSweep() {
        Owner first = new Owner("first", 2_000_000_000L);
        Owner second = new Owner("second", 2_000_000_000L);
        Owner third = new Owner("third", 2_000_000_000L);
        deadlines.arm(first);
        Deadlines.Entry secondEntry = deadlines.arm(second);
        deadlines.arm(third);
        first.onTimeout = o -> deadlines.disarm(secondEntry); // like a shared connection closing

        deadlines.sweep();
        assertThat(fired).containsExactly("first", "third");
        assertThat(deadlines.size()).isZero();
    }
}
