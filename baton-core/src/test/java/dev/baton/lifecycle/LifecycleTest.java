package dev.baton.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    /** What every fake component did, in the order it happened. */
    final List<String> log = new CopyOnWriteArrayList<>();

    /** A component that records its calls, and fails where it is told to. */
    final class Fake implements Component<String> {
        final String name;
        boolean failStart;
        boolean failApply;
        boolean failClose;

        Fake(String name) {
            this.name = name;
        }

        @Override
        public void start() {
            log.add("start " + name);
            if (failStart) {
                throw new IllegalStateException(name + " cannot start");
            }
        }

        @Override
        public void apply(String next) {
            log.add(name + " applies " + next);
            if (failApply) {
                throw new IllegalStateException(name + " cannot apply " + next);
            }
        }

        @Override
        public void close() {
            log.add("close " + name);
            if (failClose) {
                throw new IllegalStateException(name + " cannot close");
            }
        }
    }

    Fake fake(String name) {
        return new Fake(name);
    }

    @Test
    void startsInOrderAppliesInOrderAndClosesInReverse() {
        Lifecycle<String> life = new Lifecycle<>();
        Fake a = life.start(() -> fake("a"));
        life.start(() -> fake("b"));
        life.start(() -> fake("c"));
        assertThat(a.name).isEqualTo("a");

        life.apply("v2");
        assertThat(life.close()).isEmpty();

        assertThat(log)
                .containsExactly(
                        "start a",
                        "start b",
                        "start c",
                        "a applies v2",
                        "b applies v2",
                        "c applies v2",
                        "close c",
                        "close b",
                        "close a");
        assertThat(life.isEmpty()).isTrue();
    }

    @Test
    void aFailedStartClosesItAndThoseStartedBeforeInReverse() {
        Lifecycle<String> life = new Lifecycle<>();
        life.start(() -> fake("a"));
        life.start(() -> fake("b"));
        Fake c = fake("c");
        c.failStart = true;

        assertThatThrownBy(() -> life.start(() -> c))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("c cannot start")
                .hasNoSuppressedExceptions();

        // c's start may have taken something before it failed: it is closed as well.
        assertThat(log).containsExactly("start a", "start b", "start c", "close c", "close b", "close a");
        assertThat(life.isEmpty()).isTrue();
        log.clear();
        life.apply("v2");
        assertThat(log).as("nothing is left to follow a snapshot").isEmpty();
    }

    @Test
    void aConstructorThatThrowsIsAFailedStart() {
        Lifecycle<String> life = new Lifecycle<>();
        life.start(() -> fake("a"));

        assertThatThrownBy(() -> life.start(() -> {
                    throw new IllegalArgumentException("b: port -1 (expected: 0 to 65535)");
                }))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(log).containsExactly("start a", "close a");
    }

    @Test
    void closesThatThrowAreCollectedAndTheRestStillClose() {
        Lifecycle<String> life = new Lifecycle<>();
        life.start(() -> fake("a"));
        Fake b = life.start(() -> fake("b"));
        b.failClose = true;
        Fake c = life.start(() -> fake("c"));
        c.failClose = true;

        List<RuntimeException> failures = life.close();

        assertThat(log).containsExactly("start a", "start b", "start c", "close c", "close b", "close a");
        assertThat(failures).extracting(Throwable::getMessage).containsExactly("c cannot close", "b cannot close");
        log.clear();
        assertThat(life.close()).as("closing again closes nothing").isEmpty();
        assertThat(log).isEmpty();
    }

    @Test
    void closeFailuresAfterAFailedStartAreSuppressedInTheStartFailure() {
        Lifecycle<String> life = new Lifecycle<>();
        Fake a = life.start(() -> fake("a"));
        a.failClose = true;
        Fake b = fake("b");
        b.failStart = true;
        b.failClose = true;

        assertThatThrownBy(() -> life.start(() -> b))
                .hasMessage("b cannot start")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("b cannot close", "a cannot close"));
        assertThat(log).containsExactly("start a", "start b", "close b", "close a");
    }

    @Test
    void anApplyThatThrowsDoesNotKeepTheSnapshotFromTheOthers() {
        Lifecycle<String> life = new Lifecycle<>();
        Fake a = life.start(() -> fake("a"));
        a.failApply = true;
        Fake b = life.start(() -> fake("b"));
        b.failApply = true;
        life.start(() -> fake("c"));

        assertThatThrownBy(() -> life.apply("v2"))
                .hasMessage("a cannot apply v2")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("b cannot apply v2"));
        assertThat(log).endsWith("a applies v2", "b applies v2", "c applies v2");
    }

    @Test
    void aComponentCanFollowAPartOfTheSnapshot() {
        Lifecycle<String> life = new Lifecycle<>();
        List<Integer> lengths = new CopyOnWriteArrayList<>();
        life.start(
                () -> new Component<Integer>() {
                    @Override
                    public void start() {}

                    @Override
                    public void apply(Integer next) {
                        lengths.add(next);
                    }

                    @Override
                    public void close() {}
                },
                String::length);

        life.apply("three");

        assertThat(lengths).containsExactly(5);
    }

    @Test
    void aClosingComponentRunsItsCloseOnce() {
        Lifecycle<String> life = new Lifecycle<>();
        life.start(() -> Component.closing(() -> log.add("closed")));
        life.apply("v2");
        life.close();
        life.close();
        assertThat(log).containsExactly("closed");
    }
}
