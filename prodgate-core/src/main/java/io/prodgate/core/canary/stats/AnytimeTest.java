package io.prodgate.core.canary.stats;

import java.util.Arrays;

/**
 * An always-valid sequential test (a mixture sequential probability ratio test) on event counts, safe to look at after
 * every interval.
 *
 * <p>Each interval contributes a log-likelihood ratio of "regressed by a multiple g" against "at the null boundary",
 * for each g of a fixed grid. The e-value is a weighted mixture over g of the products of those ratios, averaged over a
 * few start points spread across the bake, so that a regression with a late onset is not drowned by the healthy
 * intervals before it. A mixture and an average of test supermartingales is again one, so by Ville's inequality the
 * chance that the e-value ever reaches {@code 1/alpha} under the null is at most {@code alpha}, however often it is
 * looked at.
 */
public final class AnytimeTest {
    /** Regression multiples the mixture bets on, relative to the null boundary. */
    static final double[] MULTIPLES = {1.25, 1.5, 2, 3, 5, 10};
    /** Share of the bet placed on the start of the bake; the rest is spread over later starts. */
    static final double FIRST_START_WEIGHT = 0.5;
    static final int MAX_STARTS = 6;

    private final int plannedIntervals;
    private final int starts;
    // Running log-likelihood sums per start and multiple, so an interval costs the same at minute 1 and at hour 24.
    // Each sum adds the intervals in the order they came, exactly as summing the history again would.
    private final double[][] sums;
    private int size;

    /** A test for a bake of {@code plannedIntervals} evaluations. */
    public AnytimeTest(int plannedIntervals) {
        this.plannedIntervals = Math.max(1, plannedIntervals);
        this.starts = Math.min(MAX_STARTS, this.plannedIntervals);
        this.sums = new double[starts][MULTIPLES.length];
    }

    /**
     * Adds an interval of a relative test: the canary had {@code xc} bad events in {@code nc}, the baseline {@code xb}
     * in {@code nb}; the null says the canary's bad ratio is at most {@code rho0} times the baseline's.
     *
     * <p>Conditional on the interval's bad events of both sides, the canary's share is binomial with
     * {@code theta = nc*rho / (nc*rho + nb)}; the likelihood ratio needs no combinatorial term, so real-valued counts
     * (Prometheus' {@code increase()} extrapolates) are fine.
     */
    public void addRelative(double xc, double nc, double xb, double nb, double rho0) {
        double[] row = new double[MULTIPLES.length];
        if (nc > 0 && nb > 0 && xc + xb > 0) {
            double theta0 = nc * rho0 / (nc * rho0 + nb);
            for (int j = 0; j < MULTIPLES.length; j++) {
                double rho1 = rho0 * MULTIPLES[j];
                double theta1 = nc * rho1 / (nc * rho1 + nb);
                row[j] = xc * Math.log(theta1 / theta0) + xb * Math.log((1 - theta1) / (1 - theta0));
            }
        }
        append(row);
    }

    /**
     * Adds an interval of an absolute test: {@code x} bad events in {@code n}; the null says the bad ratio is at most
     * {@code p0}.
     */
    public void addAbsolute(double x, double n, double p0) {
        double[] row = new double[MULTIPLES.length];
        if (n > 0) {
            for (int j = 0; j < MULTIPLES.length; j++) {
                double p1 = Math.min(p0 * MULTIPLES[j], (1 + p0) / 2);
                if (p1 <= p0) {
                    continue;
                }
                row[j] = x * Math.log(p1 / p0) + (n - x) * Math.log((1 - p1) / (1 - p0));
            }
        }
        append(row);
    }

    /** Adds an interval without evidence (no data, or a failed evaluation): the test stands still. */
    public void addNothing() {
        append(new double[MULTIPLES.length]);
    }

    /** The current e-value: evidence against the null, 1 when there is none. */
    public double eValue() {
        return Math.exp(logEValue());
    }

    public double logEValue() {
        return logSumExp(logTermsByStart());
    }

    /**
     * The interval from which the evidence is strongest: 0 for a regression present from the start, later for one
     * with a late onset. Reports use it to show the figures since then, where the cumulative ones would dilute them.
     */
    public int strongestStart() {
        return startOf(strongestStartPoint());
    }

    /** The start point ({@code 0 .. starts() - 1}) from which the evidence is strongest. */
    public int strongestStartPoint() {
        double[] terms = logTermsByStart();
        int best = 0;
        for (int k = 1; k < terms.length; k++) {
            if (startOf(k) < size && terms[k] > terms[best]) {
                best = k;
            }
        }
        return best;
    }

    private double[] logTermsByStart() {
        double[] logTerms = new double[starts];
        for (int k = 0; k < starts; k++) {
            double startWeight = starts == 1 ? 1 : (k == 0 ? FIRST_START_WEIGHT : (1 - FIRST_START_WEIGHT) / (starts - 1));
            logTerms[k] = Math.log(startWeight) + logMixtureFrom(k);
        }
        return logTerms;
    }

    /** How many start points the test averages over. */
    public int starts() {
        return starts;
    }

    /** The interval at which start point {@code k} begins. */
    public int startOf(int k) {
        return (int) Math.floor((double) k * plannedIntervals / starts);
    }

    /** Whether the evidence crosses the threshold of a test at level {@code alpha}. */
    public boolean rejects(double alpha) {
        return logEValue() >= Math.log(1 / alpha);
    }

    public int size() {
        return size;
    }

    private double logMixtureFrom(int k) {
        if (startOf(k) >= size) {
            return 0; // this start has not begun: its martingale is still 1
        }
        double logWeight = -Math.log(MULTIPLES.length);
        double[] terms = new double[MULTIPLES.length];
        for (int j = 0; j < terms.length; j++) {
            terms[j] = sums[k][j] + logWeight;
        }
        return logSumExp(terms);
    }

    private void append(double[] row) {
        for (int k = 0; k < starts; k++) {
            if (startOf(k) <= size) {
                for (int j = 0; j < row.length; j++) {
                    sums[k][j] += row[j];
                }
            }
        }
        size++;
    }

    static double logSumExp(double[] xs) {
        double max = Arrays.stream(xs).max().orElse(Double.NEGATIVE_INFINITY);
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double x : xs) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }
}
