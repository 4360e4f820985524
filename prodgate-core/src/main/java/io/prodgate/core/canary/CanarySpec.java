package io.prodgate.core.canary;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * @param negligibleShare         the share of an SLO's error budget below which a canary's bad ratio is negligible: where
 *                                the baseline has too few bad events to compare with, a canary provably below it may
 *                                PASS (0 turns that route off)
 * @param maxDataGap              how long the canary (or the metrics source) may give no evidence before the gate stops
 *                                with INCONCLUSIVE
 * @param policy                  INCONCLUSIVE or FAIL per kind of missing evidence
 * @param requireRollbackProof    whether a valid rollback proof is needed to PASS
 * @param maxProofAge             how old that proof may be
 * @param rollout                 the steps of a progressive canary; without, one bake at whatever weight the canary has
 *                                (with, {@code bake} is the longest the rollout may take)
 * @param dryRunSlos              the SLOs (by name, in the spec's order) evaluated and reported but never part of the
 *                                verdict, nor of the false-alarm split: how a team tries a new SLO on a gate it trusts
 * @param advisory                whether the verdict only advises: the gate runs and reports as it would, but never
 *                                blocks (nor rolls back); how a team sees what a gate would do before it trusts it
 */
public record CanarySpec(String canarySelector, String baselineSelector, Duration bake, Duration interval,
                         double falseAlarmRate, double detectableRegression, double negligibleShare,
                         Duration maxDataGap,
                         List<SloSpec> slos, EvidencePolicy policy, boolean requireRollbackProof,
                         Duration maxProofAge, Optional<Rollout> rollout, List<String> dryRunSlos, boolean advisory) {
    public static final double DEFAULT_FALSE_ALARM_RATE = 0.01;
    public static final double DEFAULT_DETECTABLE_REGRESSION = 2.0;
    public static final double DEFAULT_NEGLIGIBLE_SHARE = 0.1;
    static final Duration DEFAULT_MIN_DATA_GAP = Duration.ofMinutes(5);
    /** Above half the budget "negligible" would no longer mean anything. */
    public static final double MAX_NEGLIGIBLE_SHARE = 0.5;

    public CanarySpec {
        Objects.requireNonNull(canarySelector, "canarySelector");
        Objects.requireNonNull(baselineSelector, "baselineSelector");
        Objects.requireNonNull(bake, "bake");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(maxDataGap, "maxDataGap");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(maxProofAge, "maxProofAge");
        Objects.requireNonNull(rollout, "rollout");
        slos = List.copyOf(slos);
        if (slos.isEmpty()) {
            throw new IllegalArgumentException("a canary gate needs at least one SLO");
        }
        if (!(negligibleShare >= 0 && negligibleShare <= MAX_NEGLIGIBLE_SHARE)) {
            throw new IllegalArgumentException("negligibleShare must be in [0, " + MAX_NEGLIGIBLE_SHARE + "]: "
                    + negligibleShare);
        }
        if (interval.isZero() || interval.isNegative() || interval.compareTo(bake) > 0) {
            throw new IllegalArgumentException("interval must be positive and no longer than the bake");
        }
        if (rollout.isPresent() && !bake.equals(rollout.get().longest())) {
            throw new IllegalArgumentException("a progressive canary's bake is the longest its rollout may take");
        }
        List<String> named = dryRunSlos == null ? List.of() : dryRunSlos;
        List<String> names = slos.stream().map(SloSpec::name).toList();
        for (String name : named) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("the dry-run SLO '" + name + "' is not one of the SLOs " + names);
            }
        }
        dryRunSlos = names.stream().filter(named::contains).toList();
        if (dryRunSlos.size() == slos.size()) {
            throw new IllegalArgumentException("every SLO is a dry run, so nothing would decide the verdict: at least "
                    + "one SLO must not be");
        }
    }

    /** A blocking spec without dry-run SLOs. */
    public CanarySpec(String canarySelector, String baselineSelector, Duration bake, Duration interval,
                      double falseAlarmRate, double detectableRegression, double negligibleShare, Duration maxDataGap,
                      List<SloSpec> slos, EvidencePolicy policy, boolean requireRollbackProof, Duration maxProofAge,
                      Optional<Rollout> rollout) {
        this(canarySelector, baselineSelector, bake, interval, falseAlarmRate, detectableRegression, negligibleShare,
                maxDataGap, slos, policy, requireRollbackProof, maxProofAge, rollout, List.of(), false);
    }

    /** Evaluations in one bake: the bake is judged at interval, 2 x interval, ... up to the bake's end. */
    public int evaluations() {
        return (int) Math.ceil((double) bake.toMillis() / interval.toMillis());
    }

    public List<RatioSlo> ratioSlos() {
        return slos.stream().filter(RatioSlo.class::isInstance).map(RatioSlo.class::cast).toList();
    }

    /** Whether {@code slo} is evaluated and reported only, never part of the verdict. */
    public boolean isDryRun(SloSpec slo) {
        return dryRunSlos.contains(slo.name());
    }

    /** The ratio SLOs that decide the verdict: all but the dry runs. */
    public List<RatioSlo> judgedRatioSlos() {
        return ratioSlos().stream().filter(s -> !isDryRun(s)).toList();
    }

    /**
     * The default {@code maxDataGap}: three intervals, at least five minutes, but always shorter than the bake (at most
     * the bake minus one interval, at least one interval): a gap as long as the bake would let a source that died
     * early go unnoticed.
     */
    public static Duration defaultMaxDataGap(Duration bake, Duration interval) {
        Duration threeIntervals = interval.multipliedBy(3);
        Duration wanted = threeIntervals.compareTo(DEFAULT_MIN_DATA_GAP) > 0 ? threeIntervals : DEFAULT_MIN_DATA_GAP;
        Duration fits = bake.minus(interval);
        Duration gap = wanted.compareTo(fits) < 0 ? wanted : fits;
        return gap.compareTo(interval) > 0 ? gap : interval;
    }

    /**
     * The same gate over another bake (a replay window); a data gap that would no longer fit under it shrinks. A
     * progressive canary keeps its own schedule, which its steps set.
     */
    public CanarySpec withBake(Duration newBake) {
        if (rollout.isPresent()) {
            return this;
        }
        Duration gap = maxDataGap.compareTo(newBake) < 0 ? maxDataGap : defaultMaxDataGap(newBake, interval);
        return toBuilder().bake(newBake).maxDataGap(gap).build();
    }

    /**
     * The same gate as one bake as long as the whole rollout may take, at whatever weight the canary has: how the
     * planner sees a progressive canary (at its average share), since it tries other bakes, which steps would not allow.
     */
    public CanarySpec withoutRollout() {
        if (rollout.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        b.rollout = Optional.empty();
        return b.build();
    }

    public CanarySpec withSelectors(String canary, String baseline) {
        return toBuilder().selectors(canary, baseline).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A spec with the defaults of the gate file; selectors, bake, interval, maxDataGap and SLOs must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Changes a spec field by field instead of rebuilding it from positional arguments. */
    public static final class Builder {
        private String canarySelector;
        private String baselineSelector;
        private Duration bake;
        private Duration interval;
        private double falseAlarmRate = DEFAULT_FALSE_ALARM_RATE;
        private double detectableRegression = DEFAULT_DETECTABLE_REGRESSION;
        private double negligibleShare = DEFAULT_NEGLIGIBLE_SHARE;
        private Duration maxDataGap;
        private List<SloSpec> slos = List.of();
        private EvidencePolicy policy = EvidencePolicy.inconclusive();
        private boolean requireRollbackProof;
        private Duration maxProofAge = Duration.ofHours(24);
        private Optional<Rollout> rollout = Optional.empty();
        private List<String> dryRunSlos = List.of();
        private boolean advisory;

        private Builder() {
        }

        private Builder(CanarySpec s) {
            canarySelector = s.canarySelector;
            baselineSelector = s.baselineSelector;
            bake = s.bake;
            interval = s.interval;
            falseAlarmRate = s.falseAlarmRate;
            detectableRegression = s.detectableRegression;
            negligibleShare = s.negligibleShare;
            maxDataGap = s.maxDataGap;
            slos = s.slos;
            policy = s.policy;
            requireRollbackProof = s.requireRollbackProof;
            maxProofAge = s.maxProofAge;
            rollout = s.rollout;
            dryRunSlos = s.dryRunSlos;
            advisory = s.advisory;
        }

        public Builder selectors(String canary, String baseline) {
            this.canarySelector = canary;
            this.baselineSelector = baseline;
            return this;
        }

        public Builder bake(Duration bake) {
            this.bake = bake;
            return this;
        }

        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Builder falseAlarmRate(double falseAlarmRate) {
            this.falseAlarmRate = falseAlarmRate;
            return this;
        }

        public Builder detectableRegression(double detectableRegression) {
            this.detectableRegression = detectableRegression;
            return this;
        }

        public Builder negligibleShare(double negligibleShare) {
            this.negligibleShare = negligibleShare;
            return this;
        }

        public Builder maxDataGap(Duration maxDataGap) {
            this.maxDataGap = maxDataGap;
            return this;
        }

        public Builder slos(List<SloSpec> slos) {
            this.slos = slos;
            return this;
        }

        public Builder policy(EvidencePolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder rollbackProof(boolean required, Duration maxAge) {
            this.requireRollbackProof = required;
            this.maxProofAge = maxAge;
            return this;
        }

        /** Steps of a progressive canary; the bake becomes the longest the rollout may take. */
        public Builder rollout(Rollout rollout) {
            this.rollout = Optional.of(rollout);
            this.bake = rollout.longest();
            return this;
        }

        /** The SLOs, by name, evaluated and reported but never part of the verdict. */
        public Builder dryRunSlos(List<String> names) {
            this.dryRunSlos = List.copyOf(names);
            return this;
        }

        /** Whether the verdict only advises, never blocks. */
        public Builder advisory(boolean advisory) {
            this.advisory = advisory;
            return this;
        }

        public CanarySpec build() {
            return new CanarySpec(canarySelector, baselineSelector, bake, interval, falseAlarmRate,
                    detectableRegression, negligibleShare, maxDataGap, slos, policy, requireRollbackProof,
                    maxProofAge, rollout, dryRunSlos, advisory);
        }
    }
}
