package dev.baton.config;

import dev.baton.health.HealthStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One alert rule ({@code alerts:}), parsed from its small language:
 *
 * <pre>
 * FUNCTION(TARGET[, WINDOW]) [OP VALUE] [for DURATION]
 *
 * error-rate(orders) &gt; 5% for 1m        5xx and cut-off responses over the window (default 1m)
 * p99(orders, 5m) &gt; 2s for 30s          also p50, p95: latency over the window
 * rps(route:checkout) &lt; 1 for 5m        requests per second over the window
 * health(orders) == UNHEALTHY            HEALTHY, DEGRADED, UNHEALTHY, UNKNOWN; == or !=
 * circuit-open(any)                      a breaker of the service (any service) is open
 * </pre>
 *
 * TARGET is a service id, {@code route:ID}, or {@code any} (every service). OP is one
 * of {@code > >= < <= == !=}. The condition must hold at every evaluation (each
 * second) for DURATION (default 0: at once) before the alert fires.
 *
 * @param op the comparison; null for {@code circuit-open}, which has none
 * @param threshold the value compared with; 0 for {@code health} and {@code circuit-open}
 * @param status the status compared with for {@code health}, else null
 */
public record AlertRule(
        String name,
        String expression,
        Function function,
        String target,
        Duration window,
        @Nullable Op op,
        double threshold,
        @Nullable HealthStatus status,
        Duration holdFor,
        String severity) {

    /** What a rule measures. */
    public enum Function {
        ERROR_RATE("error-rate"),
        P50("p50"),
        P95("p95"),
        P99("p99"),
        RPS("rps"),
        HEALTH("health"),
        CIRCUIT_OPEN("circuit-open");

        final String word;

        Function(String word) {
            this.word = word;
        }

        static Function of(String word) {
            for (Function f : values()) {
                if (f.word.equals(word)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown function '" + word
                    + "' (expected error-rate, p50, p95, p99, rps, health or circuit-open)");
        }
    }

    /** A comparison. */
    public enum Op {
        GT(">"),
        GE(">="),
        LT("<"),
        LE("<="),
        EQ("=="),
        NE("!=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        static Op of(String symbol) {
            for (Op o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown comparison '" + symbol + "'");
        }

        public boolean test(double value, double threshold) {
            return switch (this) {
                case GT -> value > threshold;
                case GE -> value >= threshold;
                case LT -> value < threshold;
                case LE -> value <= threshold;
                case EQ -> value == threshold;
                case NE -> value != threshold;
            };
        }
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    static final Duration MAX_WINDOW = Duration.ofMinutes(15).minusSeconds(1);

    private static final Pattern RULE =
            Pattern.compile("\\s*([a-z0-9-]+)\\s*\\(\\s*([^,\\s)]+)\\s*(?:,\\s*([^\\s)]+)\\s*)?\\)"
                    + "\\s*(?:(>=|<=|==|!=|>|<)\\s*(\\S+))?\\s*(?:for\\s+(\\S+))?\\s*");

    /** Parses {@code expression}; IllegalArgumentException saying what is wrong. */
    public static AlertRule parse(String name, String expression, String severity) {
        Matcher m = RULE.matcher(expression);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + expression
                    + "' is not a rule (expected e.g. 'error-rate(orders) > 5% for 1m'; see the README)");
        }
        Function f = Function.of(m.group(1));
        String target = m.group(2);
        Duration window = m.group(3) == null ? DEFAULT_WINDOW : duration(m.group(3), "window");
        if (window.toSeconds() < 1 || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("window must be from 1s to " + MAX_WINDOW.toSeconds() + "s");
        }
        Duration holdFor = m.group(6) == null ? Duration.ZERO : duration(m.group(6), "for");
        String opText = m.group(4);
        String valueText = m.group(5);
        Op op = opText == null ? null : Op.of(opText);
        double threshold = 0;
        HealthStatus status = null;
        switch (f) {
            case CIRCUIT_OPEN -> {
                if (op != null) {
                    throw new IllegalArgumentException("circuit-open(...) takes no comparison");
                }
            }
            case HEALTH -> {
                if (op != Op.EQ && op != Op.NE) {
                    throw new IllegalArgumentException("health(...) needs == or != and a status, e.g. == UNHEALTHY");
                }
                try {
                    status = HealthStatus.valueOf(valueText.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + valueText
                            + "' is not a health status (expected HEALTHY, DEGRADED, UNHEALTHY or UNKNOWN)");
                }
            }
            default -> {
                if (op == null) {
                    throw new IllegalArgumentException(m.group(1) + "(...) needs a comparison, e.g. > 5%");
                }
                threshold = switch (f) {
                    case ERROR_RATE -> percent(valueText);
                    case P50, P95, P99 -> duration(valueText, "latency").toNanos() / 1e9;
                    default -> number(valueText);
                };
            }
        }
        if (m.group(3) != null && (f == Function.HEALTH || f == Function.CIRCUIT_OPEN)) {
            throw new IllegalArgumentException(m.group(1) + "(...) is a state, it takes no window");
        }
        return new AlertRule(name, expression.trim(), f, target, window, op, threshold, status, holdFor, severity);
    }

    private static Duration duration(String text, String what) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static double percent(String text) {
        if (!text.endsWith("%")) {
            throw new IllegalArgumentException("error-rate is compared with a percentage, e.g. 5%, not '" + text + "'");
        }
        double p = number(text.substring(0, text.length() - 1));
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("'" + text + "' is not a percentage from 0% to 100%");
        }
        return p / 100;
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }

    /** Whether the rule names every service ({@code any}). */
    public boolean anyService() {
        return target.equals("any");
    }

    /** The route id when the target is {@code route:ID}, else null. */
    public @Nullable String route() {
        return target.startsWith("route:") ? target.substring(6) : null;
    }
}
