package io.prodgate.core.canary;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Deterministic synthetic traffic: Poisson requests on both sides, binomial bad events, drawn from a seed and the
 * window's end, so the same window always gives the same readings (as Prometheus' stored data would after a resume).
 */
final class SimulatedSource implements EvidenceSource {
    private final long seed;
    private final double baselineRps;
    private final double canaryRps;
    private final Map<String, Double> baselineBad = new HashMap<>();
    private final Map<String, Function<Instant, Double>> canaryBad = new HashMap<>();
    private Function<Instant, Reading> override = at -> null;
    int calls;

    SimulatedSource(long seed, double baselineRps, double canaryRps) {
        this.seed = seed;
        this.baselineRps = baselineRps;
        this.canaryRps = canaryRps;
    }

    /** The SLO's bad ratio: {@code base} on the baseline, {@code canary(at)} on the canary. */
    SimulatedSource slo(String name, double base, Function<Instant, Double> canary) {
        baselineBad.put(name, base);
        canaryBad.put(name, canary);
        return this;
    }

    SimulatedSource slo(String name, double base, double canary) {
        return slo(name, base, at -> canary);
    }

    /** Replaces the canary's readings (no data, errors) where the function answers non-null. */
    SimulatedSource canaryOverride(Function<Instant, Reading> f) {
        this.override = f;
        return this;
    }

    @Override
    public List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at) {
        calls++;
        RandomGenerator rng = new Well19937c(new int[] {(int) seed, (int) (seed >>> 32), (int) at.getEpochSecond(),
                (int) Duration.between(from, at).getSeconds()});
        double seconds = Duration.between(from, at).toMillis() / 1000.0;
        List<SloEvidence> out = new ArrayList<>();
        for (SloSpec slo : spec.slos()) {
            if (slo instanceof ValueCheck) {
                Reading o = override.apply(at);
                out.add(new SloEvidence(slo.name(), o != null ? o : Reading.value(canaryBad.get(slo.name()).apply(at)), null));
                continue;
            }
            Reading baseline = draw(rng, baselineRps * seconds, baselineBad.get(slo.name()));
            Reading canary = draw(rng, canaryRps * seconds, canaryBad.get(slo.name()).apply(at));
            Reading o = override.apply(at);
            out.add(new SloEvidence(slo.name(), o != null ? o : canary, baseline));
        }
        return out;
    }

    private static Reading draw(RandomGenerator rng, double mean, double p) {
        int n = poisson(rng, mean);
        int bad = n == 0 || p <= 0 ? 0 : Math.min(n, poisson(rng, n * Math.min(1, p)));
        return Reading.counts(bad, n);
    }

    /** Poisson draws; a normal approximation for large means keeps the simulations fast. */
    static int poisson(RandomGenerator rng, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 400) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.nextGaussian()));
        }
        return new PoissonDistribution(rng, mean, PoissonDistribution.DEFAULT_EPSILON,
                PoissonDistribution.DEFAULT_MAX_ITERATIONS).sample();
    }
}
