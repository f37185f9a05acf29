package dev.baton.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs {@link Component}s: starts them one after another, gives every new snapshot
 * to each in start order, and closes them in reverse. When a component cannot be
 * made or started, the lifecycle closes it and every component started before it,
 * newest first, and rethrows the failure with the failures of those closes
 * suppressed in it: a start that fails half way leaves no thread, file or lock
 * behind (cleanup must work after a partial start).
 *
 * <p>Components are started and closed on one thread (the owner's); {@link #apply}
 * may come from any thread, and reaches the components started so far.
 *
 * @param <S> the snapshot the components follow
 */
public final class Lifecycle<S> {
    private final List<Component<? super S>> started = new CopyOnWriteArrayList<>();

    /**
     * Makes and starts one more component, after those started before; returns it.
     * Making it inside the lifecycle means a constructor that throws is a failed
     * start like any other.
     */
    public <C extends Component<? super S>> C start(Supplier<C> make) {
        return startAs(make, c -> c);
    }

    /**
     * As {@link #start(Supplier)}, for a component that follows a part of the
     * snapshot ({@code part}), such as the config within it.
     */
    public <P, C extends Component<P>> C start(Supplier<C> make, Function<? super S, ? extends P> part) {
        return startAs(make, c -> Lifecycle.<S, P>following(c, part));
    }

    private <C> C startAs(Supplier<C> make, Function<C, Component<? super S>> asComponent) {
        C made;
        try {
            made = make.get();
        } catch (RuntimeException | Error e) {
            closeAfter(e);
            throw e;
        }
        Component<? super S> component = asComponent.apply(made);
        try {
            component.start();
        } catch (RuntimeException | Error e) {
            closeInto(component, e);
            closeAfter(e);
            throw e;
        }
        started.add(component);
        return made;
    }

    /**
     * Gives {@code next} to every started component, in start order. One that throws
     * does not keep it from the others; the first failure is rethrown once all had
     * it, with the later ones suppressed in it.
     */
    public void apply(S next) {
        RuntimeException failure = null;
        for (Component<? super S> c : started) {
            try {
                c.apply(next);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Closes every started component, newest first. A close that throws does not
     * keep the others open; the failures are returned, in the order they happened,
     * for the owner to log. Closing again closes nothing.
     */
    public List<RuntimeException> close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.remove(i).close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    /** Whether no component is started. */
    public boolean isEmpty() {
        return started.isEmpty();
    }

    private void closeAfter(Throwable failure) {
        close().forEach(failure::addSuppressed);
    }

    private static void closeInto(Component<?> component, Throwable failure) {
        try {
            component.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static <T, P> Component<T> following(Component<P> c, Function<? super T, ? extends P> part) {
        return new Component<>() {
            @Override
            public void start() {
                c.start();
            }

            @Override
            public void apply(T next) {
                c.apply(part.apply(next));
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }
}
