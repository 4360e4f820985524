package io.prodgate.core.smoke;

import java.time.Duration;
import java.util.Objects;

/**
 * How much staging may do: a few checks, a few minutes. Staging is a heartbeat, not a test suite; going over says the
 * section is growing into one.
 */
public record SmokeBudget(int maxChecks, Duration maxDuration, OnExceed onExceed) {
    public static final int DEFAULT_MAX_CHECKS = 10;
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(5);

    public enum OnExceed { FAIL, WARN }

    public SmokeBudget {
        if (maxChecks < 1) {
            throw new IllegalArgumentException("maxChecks must be >= 1");
        }
        Objects.requireNonNull(maxDuration, "maxDuration");
        Objects.requireNonNull(onExceed, "onExceed");
    }

    public static SmokeBudget defaults() {
        return new SmokeBudget(DEFAULT_MAX_CHECKS, DEFAULT_MAX_DURATION, OnExceed.FAIL);
    }

    /** This budget, never looser than {@code ceilingChecks} (but at least one) and {@code ceilingDuration}. */
    public SmokeBudget atMost(int ceilingChecks, Duration ceilingDuration) {
        int checks = Math.max(1, Math.min(maxChecks, ceilingChecks));
        Duration duration = maxDuration.compareTo(ceilingDuration) <= 0 ? maxDuration : ceilingDuration;
        return new SmokeBudget(checks, duration, onExceed);
    }
}
