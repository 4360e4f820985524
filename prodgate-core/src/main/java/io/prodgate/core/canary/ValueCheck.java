package io.prodgate.core.canary;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A plain PromQL value judged against absolute bounds on the canary (CPU, restarts, queue depth).
 *
 * @param consecutive how many evaluations in a row must breach before the gate fails, so one noisy sample does not
 */
public record ValueCheck(String name, String query, OptionalDouble min, OptionalDouble max, int consecutive)
        implements SloSpec {
    public ValueCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(query, "query");
        if (min.isEmpty() && max.isEmpty()) {
            throw new IllegalArgumentException("a value check needs min or max");
        }
        if (consecutive < 1) {
            throw new IllegalArgumentException("consecutive must be >= 1");
        }
    }

    /** Whether {@code value} lies outside the bounds. */
    public boolean breaches(double value) {
        return (min.isPresent() && value < min.getAsDouble()) || (max.isPresent() && value > max.getAsDouble());
    }

    public String bounds() {
        if (min.isPresent() && max.isPresent()) {
            return "between " + min.getAsDouble() + " and " + max.getAsDouble();
        }
        return min.isPresent() ? "at least " + min.getAsDouble() : "at most " + max.getAsDouble();
    }
}
