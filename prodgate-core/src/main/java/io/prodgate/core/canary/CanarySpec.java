package io.prodgate.core.canary;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the canary gate needs to judge one canary: whom to compare, for how long, on which SLOs, and how sure it
 * must be.
 *
 * @param canarySelector          PromQL label matchers of the canary, e.g. {@code app="checkout",track="canary"}
 * @param baselineSelector        PromQL label matchers of the stable baseline
 * @param bake                    how long the canary must hold before it may PASS
 * @param interval                how often the gate looks at the data
 * @param falseAlarmRate          the chance of failing a healthy canary, over the whole bake and all SLOs together
 * @param detectableRegression    the bad-ratio multiple (canary over baseline) that must be ruled out before a PASS
 * @param maxDataGap              how long the canary (or the metrics source) may give no evidence before the gate stops
 *                                with INCONCLUSIVE
 * @param policy                  INCONCLUSIVE or FAIL per kind of missing evidence
 * @param requireRollbackProof    whether a valid rollback proof is needed to PASS
 * @param maxProofAge             how old that proof may be
 */
public record CanarySpec(String canarySelector, String baselineSelector, Duration bake, Duration interval,
                         double falseAlarmRate, double detectableRegression, Duration maxDataGap,
                         List<SloSpec> slos, EvidencePolicy policy, boolean requireRollbackProof,
                         Duration maxProofAge) {
    public static final double DEFAULT_FALSE_ALARM_RATE = 0.01;
    public static final double DEFAULT_DETECTABLE_REGRESSION = 2.0;

    public CanarySpec {
        Objects.requireNonNull(canarySelector, "canarySelector");
        Objects.requireNonNull(baselineSelector, "baselineSelector");
        Objects.requireNonNull(bake, "bake");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(maxDataGap, "maxDataGap");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(maxProofAge, "maxProofAge");
        slos = List.copyOf(slos);
        if (slos.isEmpty()) {
            throw new IllegalArgumentException("a canary gate needs at least one SLO");
        }
        if (interval.isZero() || interval.isNegative() || interval.compareTo(bake) > 0) {
            throw new IllegalArgumentException("interval must be positive and no longer than the bake");
        }
    }

    /** Evaluations in one bake: the bake is judged at interval, 2 x interval, ... up to the bake's end. */
    public int evaluations() {
        return (int) Math.ceil((double) bake.toMillis() / interval.toMillis());
    }

    public List<RatioSlo> ratioSlos() {
        return slos.stream().filter(RatioSlo.class::isInstance).map(RatioSlo.class::cast).toList();
    }

    public CanarySpec withSelectors(String canary, String baseline) {
        return new CanarySpec(canary, baseline, bake, interval, falseAlarmRate, detectableRegression, maxDataGap, slos,
                policy, requireRollbackProof, maxProofAge);
    }

    public CanarySpec withRollbackPolicy(boolean require, Duration maxAge) {
        return new CanarySpec(canarySelector, baselineSelector, bake, interval, falseAlarmRate, detectableRegression,
                maxDataGap, slos, policy, require, maxAge);
    }
}
