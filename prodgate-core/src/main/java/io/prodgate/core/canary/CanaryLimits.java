package io.prodgate.core.canary;

import java.time.Duration;

/**
 * The bounds and defaults of the canary gate's settings, defined once: the gate-file reader, the Jenkins global
 * settings and the step's form validation all check against these. Percentages are as users write them.
 */
public final class CanaryLimits {
    /** A closed range of numbers with a default inside it. */
    public record Range(double min, double max, double byDefault) {
        public boolean contains(double value) {
            return value >= min && value <= max;
        }
    }

    /** A closed range of durations with a default inside it. */
    public record Span(Duration min, Duration max, Duration byDefault) {
        public boolean contains(Duration d) {
            return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
        }
    }

    public static final Range OBJECTIVE_PERCENT = new Range(1, 99.9999, 99.9);
    public static final Range TOLERANCE_PERCENT = new Range(0, 1000, 10);
    public static final Range FALSE_ALARM_RATE = new Range(1e-6, 0.2, CanarySpec.DEFAULT_FALSE_ALARM_RATE);
    public static final Range DETECTABLE_REGRESSION = new Range(1.05, 100, CanarySpec.DEFAULT_DETECTABLE_REGRESSION);
    public static final Range NEGLIGIBLE_PERCENT_OF_BUDGET = new Range(0, CanarySpec.MAX_NEGLIGIBLE_SHARE * 100,
            CanarySpec.DEFAULT_NEGLIGIBLE_SHARE * 100);
    public static final Span BAKE = new Span(Duration.ofSeconds(10), Duration.ofDays(7), Duration.ofMinutes(30));
    public static final Span INTERVAL = new Span(Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofMinutes(1));
    /** A data gap is at least the interval and shorter than the bake; see {@link CanarySpec#defaultMaxDataGap}. */
    public static final Span MAX_DATA_GAP = new Span(Duration.ofSeconds(1), Duration.ofDays(7), Duration.ofMinutes(5));
    public static final Span PROOF_AGE = new Span(Duration.ofSeconds(1), Duration.ofDays(365), Duration.ofHours(24));
    /** More evaluations than this in one bake and the interval is too short for the bake. */
    public static final int MOST_EVALUATIONS = 10_000;

    private CanaryLimits() {
    }
}
