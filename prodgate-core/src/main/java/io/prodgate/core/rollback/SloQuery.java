package io.prodgate.core.rollback;

import java.util.Objects;
import java.util.OptionalDouble;

/** A PromQL value judged once the rolled-back version is healthy, e.g. its error rate. */
public record SloQuery(String name, String query, OptionalDouble min, OptionalDouble max) {
    public SloQuery {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(query, "query");
        if (min.isEmpty() && max.isEmpty()) {
            throw new IllegalArgumentException("an SLO query needs min or max");
        }
    }

    public boolean holds(double value) {
        return !Double.isNaN(value) && (min.isEmpty() || value >= min.getAsDouble())
                && (max.isEmpty() || value <= max.getAsDouble());
    }

    public String bounds() {
        if (min.isPresent() && max.isPresent()) {
            return "between " + min.getAsDouble() + " and " + max.getAsDouble();
        }
        return min.isPresent() ? "at least " + min.getAsDouble() : "at most " + max.getAsDouble();
    }
}
