package io.prodgate.core.canary;

import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the configured bake can decide, planned before it starts: the baseline's recent traffic and bad ratio per ratio
 * SLO, read with the gate's own queries over a look-back window, and the canary's share (given, or measured where the
 * canary already serves), put through the {@link BakePlanner}.
 *
 * @param at        the plan's time: only data before it is read
 * @param lookback  the window the traffic was measured over
 * @param slos      one plan per ratio SLO that could be planned
 * @param problems  why an SLO could not be planned (no baseline traffic, source errors, no canary share)
 */
public record CanaryPlan(Instant at, Duration lookback, List<BakePlanner.SloPlan> slos, List<String> problems) {
    public CanaryPlan {
        slos = List.copyOf(slos);
        problems = List.copyOf(problems);
    }

    /** Whether the configured bake can reach a verdict for every SLO: a healthy canary passes with the target chance. */
    public boolean reachesVerdict() {
        return problems.isEmpty() && slos.stream().allMatch(BakePlanner.SloPlan::reachesVerdict);
    }

    /**
     * Measures the traffic over {@code (at - lookback, at]} and plans every ratio SLO of {@code spec}.
     *
     * @param canaryShare the canary's share of all traffic during the bake; empty to measure it
     */
    public static CanaryPlan of(CanarySpec spec, EvidenceSource source, Instant at, Duration lookback,
                                OptionalDouble canaryShare, long seed) {
        Instant from = at.minus(lookback);
        List<SloEvidence> evidence = source.collect(spec, from, from, at);
        BakePlanner planner = new BakePlanner(spec, seed, BakePlanner.DEFAULT_SIMULATIONS);
        List<BakePlanner.SloPlan> plans = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        double seconds = lookback.toMillis() / 1000.0;
        for (RatioSlo slo : spec.ratioSlos()) {
            SloEvidence ev = evidence.stream().filter(e -> e.slo().equals(slo.name())).findFirst().orElse(null);
            Reading baseline = ev == null ? null : ev.baseline();
            Reading canary = ev == null ? null : ev.canary();
            if (baseline == null || !baseline.hasTraffic()) {
                problems.add(slo.name() + ": no baseline traffic to plan with in the " + Durations.human(lookback)
                        + " before " + at + (baseline == null || baseline.detail().isEmpty() ? ""
                                : " (" + baseline.detail() + ")"));
                continue;
            }
            boolean canaryServes = canary != null && canary.hasTraffic();
            double canaryEvents = canaryServes ? canary.total() : 0;
            double share;
            if (canaryShare.isPresent()) {
                share = canaryShare.getAsDouble();
            } else if (canaryServes) {
                share = canaryEvents / (canaryEvents + baseline.total());
            } else {
                problems.add(slo.name() + ": the canary serves no traffic yet; give the share it will get "
                        + "(--canary-share)");
                continue;
            }
            double rps = (canaryEvents + baseline.total()) / seconds;
            BakePlanner.Traffic traffic = new BakePlanner.Traffic(rps * share, rps * (1 - share),
                    baseline.bad() / baseline.total());
            plans.add(planner.plan(slo, traffic));
        }
        return new CanaryPlan(at, lookback, plans, problems);
    }

    /** One line per SLO, in the words of the gate's reasons. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (BakePlanner.SloPlan p : slos) {
            StringBuilder s = new StringBuilder();
            s.append(p.slo()).append(": at ").append(Numbers.rate(p.traffic().canaryRps())).append(" to the canary (")
                    .append(Numbers.percent(p.traffic().canaryShare())).append(" share; baseline ")
                    .append(Numbers.percent(p.traffic().baselineBadRatio())).append(" bad), a ")
                    .append(Durations.human(p.bake())).append(" bake passes a healthy canary ")
                    .append(Numbers.chance(p.passChance())).append(" of the time");
            if (!p.reachesVerdict()) {
                s.append("; needs ").append(p.bakeNeeded().map(d -> "a " + Durations.human(d) + " bake")
                        .orElse("more than a " + Durations.human(BakePlanner.LONGEST_BAKE) + " bake"));
                s.append(p.shareNeeded().isPresent() ? ", or a " + Numbers.percent(p.shareNeeded().getAsDouble())
                        + " canary share" : ", and no canary share up to "
                        + Numbers.percent(BakePlanner.LARGEST_SHARE) + " would do");
            }
            s.append("; a canary at ").append(Numbers.percent(p.regressedRatio())).append(" bad fails ")
                    .append(Numbers.chance(p.failChance())).append(" of the time")
                    .append(p.medianTimeToFail().map(d -> ", typically after " + Durations.human(d)).orElse(""));
            out.add(s.toString());
        }
        out.addAll(problems);
        return out;
    }

    /**
     * The plan a live bake announces at its start: the traffic of the last bake-length, the canary's share as
     * measured, the same seed as {@code prodgate plan}.
     */
    public static CanaryPlan atStartOfBake(CanarySpec spec, EvidenceSource source, Instant at) {
        return of(spec, source, at, spec.bake(), OptionalDouble.empty(), 1);
    }

    /** What a bake prints of its plan: a warning first when the bake may not reach a verdict, then the lines. */
    public List<String> announcement() {
        List<String> out = new ArrayList<>();
        out.add(reachesVerdict() ? "plan: at the recent traffic this bake can reach a verdict for every SLO"
                : "warning: at the recent traffic this bake may not reach a verdict for every SLO (it still bakes: "
                        + "a FAIL stays possible)");
        lines().forEach(l -> out.add("  plan: " + l));
        return out;
    }
}
