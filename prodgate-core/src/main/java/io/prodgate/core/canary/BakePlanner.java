package io.prodgate.core.canary;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Gamma;

/**
 * What a bake can decide at given traffic, found by running the judge's own accumulator and classifier over simulated
 * bakes (Poisson traffic, bad events at the given ratios), seeded so that the same question gets the same answer. The
 * plan and the gate therefore cannot disagree about the method: only about the traffic, which the plan assumes steady.
 */
public final class BakePlanner {
    /** The chance of a PASS a plan asks of a healthy canary. */
    public static final double TARGET_PASS_CHANCE = 0.9;
    public static final int DEFAULT_SIMULATIONS = 200;
    /** The longest bake a plan proposes, as the gate file allows. */
    static final Duration LONGEST_BAKE = Duration.ofDays(7);
    static final int MOST_EVALUATIONS = 10_000;
    /**
     * The looks a simulated bake takes while searching for the bake needed: the tests are valid at any look, so
     * fewer looks change a healthy canary's chance of PASS (decided on the whole bake's counts) only by the rare false
     * alarm they save, and the search stays fast however long the bake it tries.
     */
    static final int SEARCH_LOOKS = 60;
    /** The largest canary share a plan proposes: beyond it the canary is no longer the smaller side. */
    public static final double LARGEST_SHARE = 0.5;

    private final CanarySpec spec;
    private final long seed;
    private final int simulations;

    public BakePlanner(CanarySpec spec, long seed, int simulations) {
        // a progressive canary is planned as one bake of its whole length: the search tries other bakes
        this.spec = Objects.requireNonNull(spec, "spec").withoutRollout();
        this.seed = seed;
        this.simulations = Math.max(10, simulations);
    }

    /** Steady traffic of one SLO: requests per second on each side and the baseline's bad ratio. */
    public record Traffic(double canaryRps, double baselineRps, double baselineBadRatio) {
        public double canaryShare() {
            double all = canaryRps + baselineRps;
            return all > 0 ? canaryRps / all : 0;
        }

        /** The same total traffic with the canary at {@code share} of it. */
        public Traffic withCanaryShare(double share) {
            double all = canaryRps + baselineRps;
            return new Traffic(all * share, all * (1 - share), baselineBadRatio);
        }
    }

    /**
     * The plan of one SLO for the configured bake.
     *
     * @param passChance        the chance that a canary as good as the baseline PASSes this SLO
     * @param regressedRatio    the bad ratio of the regressed canary the FAIL figures are for
     * @param failChance        the chance that such a canary FAILs within the bake
     * @param medianTimeToFail  its median time to FAIL, when it fails at least half the time
     * @param bakeNeeded        the bake a healthy canary needs to PASS with {@link #TARGET_PASS_CHANCE}, empty when
     *                          even the longest bake would not do
     * @param shareNeeded       the canary share needed for that within the configured bake, empty when even
     *                          {@link #LARGEST_SHARE} would not do
     */
    public record SloPlan(String slo, Traffic traffic, Duration bake, double passChance, double regressedRatio,
                          double failChance, Optional<Duration> medianTimeToFail, Optional<Duration> bakeNeeded,
                          OptionalDouble shareNeeded) {
        /** Whether the configured bake reaches a PASS for a healthy canary with the target chance. */
        public boolean reachesVerdict() {
            return passChance >= TARGET_PASS_CHANCE;
        }
    }

    /** Plans one ratio SLO of the spec at the given traffic. */
    public SloPlan plan(RatioSlo slo, Traffic traffic) {
        double pass = passChance(spec, slo, traffic);
        double regressed = regressedRatio(slo, traffic);
        List<Duration> failTimes = new ArrayList<>();
        int fails = 0;
        for (int i = 0; i < simulations; i++) {
            Optional<Duration> t = simulate(spec, slo, traffic, regressed, i).failedAfter();
            if (t.isPresent()) {
                fails++;
                failTimes.add(t.get());
            }
        }
        failTimes.sort(Duration::compareTo);
        int middle = (simulations - 1) / 2; // bakes that never fail count as failing last
        Optional<Duration> median = middle < fails ? Optional.of(failTimes.get(middle)) : Optional.empty();
        boolean enough = pass >= TARGET_PASS_CHANCE;
        return new SloPlan(slo.name(), traffic, spec.bake(), pass, regressed, (double) fails / simulations, median,
                enough ? Optional.of(spec.bake()) : bakeNeeded(slo, traffic),
                enough ? OptionalDouble.of(traffic.canaryShare()) : shareNeeded(slo, traffic));
    }

    /** The chance that a canary as good as the baseline PASSes this SLO within the spec's bake. */
    double passChance(CanarySpec s, RatioSlo slo, Traffic traffic) {
        int passes = 0;
        for (int i = 0; i < simulations; i++) {
            passes += simulate(s, slo, traffic, traffic.baselineBadRatio(), i).passed() ? 1 : 0;
        }
        return (double) passes / simulations;
    }

    /** Whether a healthy canary PASSes with the target chance; stops as soon as the answer cannot change. */
    boolean reachesTarget(CanarySpec s, RatioSlo slo, Traffic traffic) {
        double needed = TARGET_PASS_CHANCE * simulations;
        int passes = 0;
        for (int i = 0; i < simulations; i++) {
            passes += simulate(s, slo, traffic, traffic.baselineBadRatio(), i).passed() ? 1 : 0;
            if (passes >= needed) {
                return true;
            }
            if (passes + simulations - i - 1 < needed) {
                return false;
            }
        }
        return false;
    }

    /** The shortest bake, on the interval grid, at which a healthy canary PASSes with the target chance. */
    public Optional<Duration> bakeNeeded(RatioSlo slo, Traffic traffic) {
        long step = spec.interval().toMillis();
        long most = Math.min(LONGEST_BAKE.toMillis(), step * MOST_EVALUATIONS) / step;
        long low = Math.max(1, spec.bake().toMillis() / step);
        if (reaches(slo, traffic, low)) {
            return Optional.of(Duration.ofMillis(low * step));
        }
        long high = low;
        do {
            if (high >= most) {
                return Optional.empty();
            }
            low = high;
            high = Math.min(most, high * 2);
        } while (!reaches(slo, traffic, high));
        while (high - low > Math.max(1, low / 16)) { // within about 6 %: a plan, not a promise
            long mid = (low + high) / 2;
            if (reaches(slo, traffic, mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return Optional.of(Duration.ofMillis(high * step));
    }

    /** The smallest canary share, at the same total traffic, at which the configured bake reaches the target. */
    public OptionalDouble shareNeeded(RatioSlo slo, Traffic traffic) {
        double low = traffic.canaryShare();
        double high = LARGEST_SHARE;
        if (low >= high || !reachesTarget(spec, slo, traffic.withCanaryShare(high))) {
            return OptionalDouble.empty();
        }
        while (high - low > 0.005) {
            double mid = (low + high) / 2;
            if (reachesTarget(spec, slo, traffic.withCanaryShare(mid))) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return OptionalDouble.of(Math.ceil(high * 200) / 200);
    }

    private boolean reaches(RatioSlo slo, Traffic traffic, long evaluations) {
        Duration bake = spec.interval().multipliedBy(evaluations);
        Duration interval = evaluations <= SEARCH_LOOKS ? spec.interval()
                : spec.interval().multipliedBy((evaluations + SEARCH_LOOKS - 1) / SEARCH_LOOKS);
        CanarySpec longer = spec.toBuilder().bake(bake).interval(interval.compareTo(bake) > 0 ? bake : interval).build();
        return reachesTarget(longer, slo, traffic);
    }

    /** The canary bad ratio the FAIL figures are for: the detectable regression of the baseline, or of the budget. */
    double regressedRatio(RatioSlo slo, Traffic traffic) {
        double base = traffic.baselineBadRatio() > 0 ? traffic.baselineBadRatio() : slo.budget();
        return Math.min(1, base * spec.detectableRegression());
    }

    /** One simulated bake of one SLO, judged evaluation by evaluation as the gate would. */
    private Simulated simulate(CanarySpec s, RatioSlo slo, Traffic traffic, double canaryBadRatio, int run) {
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + run);
        RatioClassifier classifier = new RatioClassifier(s);
        int planned = s.evaluations();
        RatioAccumulator acc = new RatioAccumulator(slo, planned);
        Instant start = Instant.EPOCH;
        Instant end = start.plus(s.bake());
        Instant from = start;
        for (int e = 1; e <= planned; e++) {
            Instant at = start.plus(s.interval().multipliedBy(e));
            at = at.isAfter(end) ? end : at;
            double seconds = Duration.between(from, at).toMillis() / 1000.0;
            acc.add(from, at, draw(rng, traffic.canaryRps() * seconds, canaryBadRatio),
                    draw(rng, traffic.baselineRps() * seconds, traffic.baselineBadRatio()));
            RatioOutcome outcome = classifier.classify(acc, e == planned);
            if (outcome.fails()) {
                return new Simulated(false, Optional.of(Duration.between(start, at)));
            }
            if (e == planned) {
                return new Simulated(outcome.vouches(), Optional.empty());
            }
            from = at;
        }
        return new Simulated(false, Optional.empty());
    }

    private record Simulated(boolean passed, Optional<Duration> failedAfter) {
    }

    private static Reading draw(SplittableRandom rng, double mean, double badRatio) {
        long n = poisson(rng, mean);
        long bad = n == 0 || badRatio <= 0 ? 0 : Math.min(n, poisson(rng, n * Math.min(1, badRatio)));
        return Reading.counts(bad, n);
    }

    /**
     * Poisson draws, exact: multiplication of uniforms for small means, Hormann's transformed rejection (PTRS, as
     * numpy uses) above. commons-math's sampler costs a third of a millisecond a draw at the means a bake sees.
     */
    static long poisson(SplittableRandom rng, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean < 10) {
            double limit = Math.exp(-mean);
            long k = 0;
            double product = rng.nextDouble();
            while (product > limit) {
                k++;
                product *= rng.nextDouble();
            }
            return k;
        }
        double slam = Math.sqrt(mean);
        double logLam = Math.log(mean);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5;
            double v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
                    <= -mean + k * logLam - Gamma.logGamma(k + 1)) {
                return k;
            }
        }
    }
}
