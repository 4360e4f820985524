package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.prodgate.core.canary.CanaryLimits;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.util.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The canary step's inline parameters together with the global defaults in force when the bake began. Both are kept
 * in the step's state, so a bake resumed after a restart is judged with the settings it started with.
 *
 * <p>Precedence: inline parameter, then the gate file, then the global settings. The global "require a rollback
 * proof" is a floor that neither a file nor a step can lower.
 */
public final class CanarySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String canarySelector;
    private final String baselineSelector;
    private final String bake;
    private final String interval;
    private final Double falseAlarmRate;
    private final Boolean requireRollbackProof;
    private final String maxProofAge;

    private final String defaultBadQuery;
    private final String defaultTotalQuery;
    private final double defaultObjective;
    private final double defaultTolerance;
    private final double defaultFalseAlarmRate;
    private final String defaultBake;
    private final String defaultInterval;
    private final boolean globalRequireProof;
    private final String defaultMaxProofAge;

    public CanarySettings(
            @CheckForNull String canarySelector,
            @CheckForNull String baselineSelector,
            @CheckForNull String bake,
            @CheckForNull String interval,
            @CheckForNull Double falseAlarmRate,
            @CheckForNull Boolean requireRollbackProof,
            @CheckForNull String maxProofAge,
            ProdgateConfiguration global) {
        this.canarySelector = canarySelector;
        this.baselineSelector = baselineSelector;
        this.bake = bake;
        this.interval = interval;
        this.falseAlarmRate = falseAlarmRate;
        this.requireRollbackProof = requireRollbackProof;
        this.maxProofAge = maxProofAge;
        this.defaultBadQuery = global.getAvailabilityBadQuery();
        this.defaultTotalQuery = global.getAvailabilityTotalQuery();
        this.defaultObjective = global.getAvailabilityObjective();
        this.defaultTolerance = global.getTolerance();
        this.defaultFalseAlarmRate = global.getFalseAlarmRate();
        this.defaultBake = global.getBake();
        this.defaultInterval = global.getInterval();
        this.globalRequireProof = global.isRequireRollbackProof();
        this.defaultMaxProofAge = global.getMaxProofAge();
    }

    /**
     * The spec to judge by: the gate file's canary section with the inline parameters applied, or, without a file,
     * one built from the inline parameters and the global availability SLO.
     */
    public CanarySpec spec(Optional<CanarySpec> fromFile) throws AbortException {
        try {
            CanarySpec base = fromFile.isPresent() ? fromFile.get() : inlineSpec();
            Duration b = bake != null ? duration("bake", bake) : base.bake();
            Duration i = interval != null ? duration("interval", interval) : base.interval();
            Duration gap = base.maxDataGap().compareTo(i) < 0 ? i : base.maxDataGap();
            String canary = canarySelector != null ? canarySelector : base.canarySelector();
            String baseline = baselineSelector != null ? baselineSelector : base.baselineSelector();
            if (canary.strip().equals(baseline.strip())) {
                throw new AbortException(Messages.CanarySettings_SameSelectors());
            }
            double far = falseAlarmRate != null ? falseAlarmRate : base.falseAlarmRate();
            if (!CanaryLimits.FALSE_ALARM_RATE.contains(far)) {
                throw new AbortException(Messages.CanarySettings_FalseAlarmRate(
                        java.math.BigDecimal.valueOf(far).toPlainString()));
            }
            // a step can ask for a proof, never waive one the gate file or the administrator requires: an
            // unticked box in the Snippet Generator must not switch a safety net off
            boolean require =
                    Boolean.TRUE.equals(requireRollbackProof) || base.requireRollbackProof() || globalRequireProof;
            Duration age = maxProofAge != null
                    ? duration("maxProofAge", maxProofAge)
                    : fromFile.isPresent() ? base.maxProofAge() : duration("maxProofAge", defaultMaxProofAge);
            return base.toBuilder()
                    .selectors(canary, baseline)
                    .bake(b)
                    .interval(i)
                    .falseAlarmRate(far)
                    .maxDataGap(gap)
                    .rollbackProof(require, age)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new AbortException("canaryGate: " + e.getMessage());
        }
    }

    /** A canonical form of every setting, so two runs with the same settings share a digest. */
    public String fingerprint() {
        return String.join(
                "\n",
                "canary=" + canarySelector,
                "baseline=" + baselineSelector,
                "bake=" + bake,
                "interval=" + interval,
                "far=" + falseAlarmRate,
                "proof=" + requireRollbackProof,
                "proofAge=" + maxProofAge,
                "bad=" + defaultBadQuery,
                "total=" + defaultTotalQuery,
                "objective=" + defaultObjective,
                "tolerance=" + defaultTolerance,
                "defaultFar=" + defaultFalseAlarmRate,
                "defaultBake=" + defaultBake,
                "defaultInterval=" + defaultInterval,
                "globalProof=" + globalRequireProof,
                "defaultProofAge=" + defaultMaxProofAge);
    }

    private CanarySpec inlineSpec() throws AbortException {
        if (canarySelector == null || baselineSelector == null) {
            throw new AbortException(Messages.CanarySettings_NeedSelectors());
        }
        Duration b = duration("bake", bake != null ? bake : defaultBake);
        Duration i = duration("interval", interval != null ? interval : defaultInterval);
        Duration gap = CanarySpec.defaultMaxDataGap(b, i); // as the gate file's default
        RatioSlo availability = new RatioSlo(
                "availability",
                defaultBadQuery,
                false,
                defaultTotalQuery,
                defaultObjective / 100,
                defaultTolerance / 100);
        return CanarySpec.builder()
                .selectors(canarySelector, baselineSelector)
                .bake(b)
                .interval(i)
                .falseAlarmRate(defaultFalseAlarmRate)
                .maxDataGap(gap)
                .slos(List.of(availability))
                .rollbackProof(false, duration("maxProofAge", defaultMaxProofAge))
                .build();
    }

    private static Duration duration(String parameter, String text) throws AbortException {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new AbortException(Messages.CanarySettings_BadDuration(parameter, text));
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new AbortException("canaryGate: " + parameter + ": " + e.getMessage());
        }
    }
}
