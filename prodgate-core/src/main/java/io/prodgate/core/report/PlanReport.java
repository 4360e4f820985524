package io.prodgate.core.report;

import io.prodgate.core.canary.BakePlanner;
import io.prodgate.core.canary.CanaryPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JSON form of a {@link CanaryPlan}: figures as plain numbers, absent ones as null, the lines as printed.
 *
 * @param reachesVerdict whether the configured bake can reach a verdict for every SLO (exit 0, else 2)
 */
public record PlanReport(Instant at, Duration lookback, boolean reachesVerdict, double targetPassChance,
                         List<Slo> slos, List<String> problems, List<String> lines) {
    /** One SLO's plan; rates in requests per second, ratios and chances as fractions. */
    public record Slo(String name, double canaryRps, double baselineRps, double canaryShare, double baselineBadRatio,
                      Duration bake, double passChance, double regressedBadRatio, double failChance,
                      Duration medianTimeToFail, Duration bakeNeeded, Double canaryShareNeeded) {
    }

    public static PlanReport of(CanaryPlan plan) {
        List<Slo> slos = plan.slos().stream().map(p -> new Slo(p.slo(), p.traffic().canaryRps(),
                p.traffic().baselineRps(), p.traffic().canaryShare(), p.traffic().baselineBadRatio(), p.bake(),
                p.passChance(), p.regressedRatio(), p.failChance(), p.medianTimeToFail().orElse(null),
                p.bakeNeeded().orElse(null),
                p.shareNeeded().isPresent() ? p.shareNeeded().getAsDouble() : null)).toList();
        return new PlanReport(plan.at(), plan.lookback(), plan.reachesVerdict(), BakePlanner.TARGET_PASS_CHANCE, slos,
                plan.problems(), plan.lines());
    }
}
