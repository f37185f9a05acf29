package dev.baton.routing;

import java.util.Set;

/** The outcome of {@link Router#match}: a target, a path that exists for other methods, or nothing. */
public sealed interface RouteMatch<T> {

    /** A route matched; {@code params} holds the text of each {@code *} or {@code {name}} segment in order. */
    record Found<T>(T target, String[] params) implements RouteMatch<T> {}

    /** Some route has this path but none allows the method; {@code allow} is for the Allow header. */
    record MethodNotAllowed<T>(Set<String> allow) implements RouteMatch<T> {}

    record NotFound<T>() implements RouteMatch<T> {}
}
