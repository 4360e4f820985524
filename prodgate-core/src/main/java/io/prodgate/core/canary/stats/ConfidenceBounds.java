package io.prodgate.core.canary.stats;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;

/**
 * One-sided upper confidence bounds used before a PASS: the gate promotes only when the data rule out a regression of
 * the size that must be caught, not merely when it failed to see one.
 */
public final class ConfidenceBounds {
    private ConfidenceBounds() {
    }

    /**
     * Upper bound, at confidence {@code 1 - beta}, on the ratio of the canary's bad-event ratio to the baseline's.
     *
     * <p>Conditional on all bad events, the canary's count is binomial with {@code theta = nc*rho/(nc*rho + nb)}; a
     * Clopper-Pearson bound on theta maps to one on rho. Infinite when there are no baseline bad events to compare
     * with.
     */
    public static double ratioUpperBound(double xc, double nc, double xb, double nb, double beta) {
        if (nc <= 0 || nb <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        double thetaUpper = binomialUpper(xc, xc + xb, beta);
        if (thetaUpper >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        return thetaUpper / (1 - thetaUpper) * nb / nc;
    }

    /**
     * Lower bound, at confidence {@code 1 - level}, on the ratio of the canary's bad-event ratio to the baseline's: the
     * same conditional binomial view as {@link #ratioUpperBound}. Zero when there are no bad events on either side.
     */
    public static double ratioLowerBound(double xc, double nc, double xb, double nb, double level) {
        if (nc <= 0 || nb <= 0) {
            return 0;
        }
        double thetaLower = binomialLower(xc, xc + xb, level);
        if (thetaLower >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        return thetaLower / (1 - thetaLower) * nb / nc;
    }

    /** Clopper-Pearson lower bound, at confidence {@code 1 - level}, on a proportion after {@code x} of {@code n}. */
    public static double binomialLower(double x, double n, double level) {
        if (n <= 0) {
            return 0;
        }
        double k = Math.max(0, Math.min(x, n));
        if (k <= 0) {
            return 0;
        }
        return new BetaDistribution(null, k, n - k + 1).inverseCumulativeProbability(level);
    }

    /**
     * Lower bound, at confidence {@code 1 - beta}, on the mean of a Poisson count after observing {@code x} (the exact
     * Garwood bound: a Gamma quantile). Zero for no events.
     */
    public static double poissonLower(double x, double beta) {
        if (x <= 0) {
            return 0;
        }
        return new GammaDistribution(null, x, 1).inverseCumulativeProbability(beta);
    }

    /** Clopper-Pearson upper bound, at confidence {@code 1 - beta}, on a proportion after {@code x} of {@code n}. */
    public static double binomialUpper(double x, double n, double beta) {
        if (n <= 0) {
            return 1;
        }
        double k = Math.max(0, Math.min(x, n));
        if (n - k <= 0) {
            return 1;
        }
        return new BetaDistribution(null, k + 1, n - k).inverseCumulativeProbability(1 - beta);
    }
}
