package io.prodgate.core.canary;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A progressive canary: the canary's share of traffic goes up in steps (1 %, then 10 %, then 50 %), each step baking
 * for its own time once the shift is seen in the data. One judgement runs across all steps: the sequential tests
 * condition on event counts, so a change of weight does not bias them, and a FAIL can come at any step.
 *
 * @param steps     at least one, weights increasing
 * @param settle    how long after a shift the canary's measured share may take to come near the requested weight;
 *                  not counted as bake
 * @param tolerance how far from the weight, as a share of it, the measured share may be and count as shifted (on top
 *                  of the sampling noise of the window's counts)
 */
public record Rollout(List<Step> steps, Duration settle, double tolerance) {
    public static final Duration DEFAULT_SETTLE = Duration.ofMinutes(2);
    public static final double DEFAULT_TOLERANCE = 0.25;

    /**
     * One step of the rollout.
     *
     * @param weight the canary's share of traffic, a fraction in (0, 1]
     * @param bake   how long the step must hold once its shift is seen
     */
    public record Step(double weight, Duration bake) {
        public Step {
            Objects.requireNonNull(bake, "bake");
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException("a step's weight must be in (0, 1]: " + weight);
            }
            if (bake.isZero() || bake.isNegative()) {
                throw new IllegalArgumentException("a step's bake must be positive");
            }
        }
    }

    public Rollout {
        steps = List.copyOf(steps);
        Objects.requireNonNull(settle, "settle");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a rollout needs at least one step");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (!(steps.get(i).weight() > steps.get(i - 1).weight())) {
                throw new IllegalArgumentException("the steps' weights must increase");
            }
        }
        if (settle.isNegative()) {
            throw new IllegalArgumentException("settle must not be negative");
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1): " + tolerance);
        }
    }

    /** The longest the whole rollout may take: every step's settle bound and bake. */
    public Duration longest() {
        return longestFrom(0);
    }

    /** The longest that steps {@code from} onwards may take, each with its settle bound and bake. */
    public Duration longestFrom(int from) {
        Duration d = Duration.ZERO;
        for (int i = from; i < steps.size(); i++) {
            d = d.plus(settle).plus(steps.get(i).bake());
        }
        return d;
    }

    /**
     * Whether {@code canary} of {@code total} events in a window is the weight asked for: some canary events, and
     * within the tolerance or within three standard deviations of binomial sampling where the window holds few events.
     */
    public static boolean near(double weight, double canary, double total, double tolerance) {
        if (total <= 0 || canary <= 0) {
            // no canary request at all is never a shift to a weight above 0, however few requests the window holds
            return false;
        }
        double share = canary / total;
        double noise = 3 * Math.sqrt(weight * (1 - weight) / total);
        return Math.abs(share - weight) <= Math.max(tolerance * weight, noise);
    }
}
