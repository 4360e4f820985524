package io.prodgate.core.canary;

import java.io.Serializable;

/**
 * Where one SLO stands after an evaluation: cumulative figures since the bake began, the sequential tests' evidence
 * and, at the end, the bound that allows a PASS.
 *
 * @param relativeEvidence e-value of "the canary is worse than the baseline beyond the tolerance"
 * @param absoluteEvidence e-value of "the canary breaches the objective"
 * @param baselineEvidence e-value of "the baseline breaches the objective"
 * @param threshold        the e-value at which a test decides
 * @param ratioUpperBound  upper confidence bound of canary/baseline bad ratio (NaN until the bake ends)
 * @param lastValue        a value check's latest value (NaN for ratio SLOs)
 */
public record SloStatus(String name, State state, double canaryBad, double canaryTotal, double baselineBad,
                        double baselineTotal, double relativeEvidence, double absoluteEvidence,
                        double baselineEvidence, double threshold, double ratioUpperBound, double lastValue,
                        int breachStreak, String summary) implements Serializable {
    public enum State { HOLDING, REGRESSED, BREACHED, BASELINE_UNHEALTHY, NO_DATA, HELD, NOT_RULED_OUT }

    public double canaryRatio() {
        return canaryTotal > 0 ? canaryBad / canaryTotal : Double.NaN;
    }

    public double baselineRatio() {
        return baselineTotal > 0 ? baselineBad / baselineTotal : Double.NaN;
    }
}
