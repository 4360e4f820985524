package io.prodgate.core.canary;

import io.prodgate.core.canary.stats.ConfidenceBounds;

/**
 * Classifies one ratio SLO from its running evidence: FAIL as soon as a sequential test decides; at the end of the
 * bake, a PASS route only when the data vouch for the canary.
 *
 * <p>Two routes may vouch. The <em>comparison</em>: the upper confidence bound of the canary's bad ratio over the
 * baseline's is below {@code detectableRegression}, over the whole bake and (at the looser {@link #SIGN_LEVEL}) over
 * its second half alone, so that a late onset cannot hide behind a healthy start. The <em>negligible</em> route, for services whose baseline has too
 * few bad events for any comparison: the canary's own bad ratio is provably below {@code negligibleShare} of the
 * budget and shows no sign of being worse than the baseline. It is closed wherever the baseline has bad events enough
 * to compare with, so it can never wave through a canary that a comparison could find several times worse.
 */
final class RatioClassifier {
    /**
     * The level of the looser checks beside the PASS bound: a one-sided test at this level that calls the canary
     * worse than tolerated is a sign of regression, and the second half's bound is taken at it.
     */
    static final double SIGN_LEVEL = 0.1;

    private final CanarySpec spec;
    private final double alpha;
    private final double beta;

    RatioClassifier(CanarySpec spec) {
        this.spec = spec;
        // dry-run SLOs are tested at the level a judged one has, never taking a share of the others'
        int ratios = Math.max(1, spec.judgedRatioSlos().size());
        this.alpha = spec.falseAlarmRate() / (2 * ratios);
        this.beta = spec.falseAlarmRate() / ratios;
    }

    /** The false-alarm rate of one sequential test: the configured rate split over two tests per ratio SLO. */
    double alphaPerTest() {
        return alpha;
    }

    /** The miss rate allowed, per ratio SLO, for a regression of exactly the detectable size before a PASS. */
    double betaPerSlo() {
        return beta;
    }

    RatioOutcome classify(RatioAccumulator acc, boolean over) {
        RatioSlo slo = acc.slo();
        RatioFigures f = acc.figures();
        boolean baselineUnhealthy = acc.baselineAbsolute().rejects(alpha);
        if (acc.relative().rejects(alpha)) {
            RatioAccumulator.Onset o = acc.onset(acc.relative());
            return new RatioOutcome.Regressed(f, o.after(), o.figures());
        }
        if (acc.absolute().rejects(alpha) && !baselineUnhealthy) {
            RatioAccumulator.Onset o = acc.onset(acc.absolute());
            return new RatioOutcome.Breached(f, o.after(), o.figures());
        }
        if (!over) {
            return baselineUnhealthy ? new RatioOutcome.BaselineUnhealthy(f) : new RatioOutcome.Holding(f);
        }
        double cb = f.canaryBad();
        double cn = f.canaryTotal();
        double bb = f.baselineBad();
        double bn = f.baselineTotal();
        if (baselineUnhealthy) {
            double canaryUpper = ConfidenceBounds.binomialUpper(cb, cn, beta);
            // the comparison cannot vouch for the canary, but its own figures may show that it holds the objective
            return canaryUpper <= slo.budget() ? new RatioOutcome.HeldOnOwnFigures(f, canaryUpper)
                    : new RatioOutcome.BaselineUnhealthy(f);
        }
        if (cn <= 0) {
            return new RatioOutcome.NoCanaryData(f);
        }
        if (bn <= 0) {
            return new RatioOutcome.NoBaselineData(f);
        }
        if (cb / cn > slo.budget()) {
            return new RatioOutcome.AboveBudget(f);
        }
        double detectable = spec.detectableRegression();
        double ratioUpper = ConfidenceBounds.ratioUpperBound(cb, cn, bb, bn, beta);
        // a late onset is diluted by the healthy first half: the second half alone must not suggest the regression
        RatioFigures late = acc.secondHalf();
        double lateUpper = ConfidenceBounds.ratioUpperBound(late.canaryBad(), late.canaryTotal(), late.baselineBad(),
                late.baselineTotal(), SIGN_LEVEL);
        if (ratioUpper < detectable && (lateUpper < detectable || lateOnsetWouldShow(late, f))) {
            return new RatioOutcome.HeldAgainstBaseline(f, ratioUpper);
        }
        double canaryUpper = ConfidenceBounds.binomialUpper(cb, cn, beta);
        double negligible = spec.negligibleShare() * slo.budget();
        boolean sign = signOfRegression(f, slo) || signOfRegression(late, slo);
        if (!sign && canaryUpper <= negligible && comparisonUninformative(bb)) {
            return new RatioOutcome.HeldAsNegligible(f, canaryUpper, negligible);
        }
        return new RatioOutcome.NotRuledOut(f, ratioUpper, lateUpper, canaryUpper, negligible, sign);
    }

    /**
     * Whether a second half without a bad event on either side still rules out a late onset. Its own bound is
     * unbounded then (nothing to compare), yet a late onset shows as the canary's bad events in it: with none, and
     * canary traffic enough that a canary {@code detectableRegression} times the baseline's ratio over the whole bake
     * would have shown some but for a chance of {@link #SIGN_LEVEL} (the late bound's own level), nothing hides there.
     * Without it, the baseline's rare bad events coming in one burst early (a stall of its machines) would hold back a
     * clean canary for good: the negligible route is closed by the burst's count.
     */
    private boolean lateOnsetWouldShow(RatioFigures late, RatioFigures whole) {
        if (late.canaryBad() > 0 || late.baselineBad() > 0 || whole.baselineTotal() <= 0) {
            return false;
        }
        double regressed = Math.min(1, spec.detectableRegression() * whole.baselineBad() / whole.baselineTotal());
        // the chance of no bad event in n requests at that ratio: (1 - p)^n
        return late.canaryTotal() * -Math.log1p(-regressed) >= -Math.log(SIGN_LEVEL);
    }

    /** Whether a one-sided test at {@link #SIGN_LEVEL} calls the canary worse than the tolerance allows. */
    private static boolean signOfRegression(RatioFigures f, RatioSlo slo) {
        return ConfidenceBounds.ratioLowerBound(f.canaryBad(), f.canaryTotal(), f.baselineBad(), f.baselineTotal(),
                SIGN_LEVEL) > 1 + slo.tolerance();
    }

    /**
     * Whether the baseline's bad events are too few for any comparison: even a canary as good as the baseline with
     * unlimited traffic could not be told from a detectable regression, since the baseline's own count is that
     * uncertain ({@code bb} over its lower bound is at least {@code detectableRegression}). Only then may the
     * negligible route speak; it does not depend on the canary's traffic, so more canary traffic never opens it.
     */
    boolean comparisonUninformative(double bb) {
        return bb <= 0 || bb / ConfidenceBounds.poissonLower(bb, beta) >= spec.detectableRegression();
    }
}
