package io.prodgate.core.canary;

import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides a canary from the evaluations of its bake. A pure function of the spec and the evaluations, so a resumed
 * bake and a replay decide exactly as a live one. It keeps the running evidence ({@link BakeEvidence}) of the bake it
 * judged last and folds in only the new evaluations when the next state extends that bake, so an evaluation costs the
 * same at minute 1 and at hour 24; any other state is folded from its start.
 *
 * <ul>
 *   <li>FAIL as soon as a sequential test shows a regression against the baseline or a breach of an objective;</li>
 *   <li>INCONCLUSIVE (or FAIL, by policy) when evidence is missing: no data for too long, source errors, unusable
 *       answers, an unhealthy baseline, or too little traffic to rule out a regression of the size that must be
 *       caught;</li>
 *   <li>PASS only at the end of the bake, when every SLO held and the data rule out such a regression.</li>
 * </ul>
 *
 * <p>The false-alarm rate is split evenly over the tests (a relative and an absolute one per ratio SLO); each test is
 * valid under continuous monitoring, so the rate holds over the whole bake and all SLOs together.
 */
public final class CanaryJudge {
    /** The planner's seed for the shortfall in a reason, fixed so that a replay and a resume say the same. */
    static final long PLAN_SEED = 1;
    /** How many of the last usable evaluations may pass before the end without canary evidence, at most. */
    static final int END_SLACK = 2;

    private final CanarySpec spec;
    private final RatioClassifier classifier;
    /** The evidence of the bake judged last, extended when the next state only adds evaluations. */
    private BakeEvidence lastBake;

    public CanaryJudge(CanarySpec spec) {
        this.spec = spec;
        this.classifier = new RatioClassifier(spec);
    }

    /**
     * Judges the bake as of {@code now}, the time of its latest evaluation.
     *
     * @param proof asked only when everything else allows a PASS
     */
    public synchronized Judgement judge(BakeState state, Instant now, ProofRequirement proof) {
        if (lastBake == null || !lastBake.isPrefixOf(state)) {
            lastBake = new BakeEvidence(spec, state.startedAt()); // another bake, or this one resumed: fold it again
        }
        lastBake.foldUpTo(state);
        return judge(state, lastBake, now, proof);
    }

    private Judgement judge(BakeState state, BakeEvidence evidence, Instant now, ProofRequirement proof) {
        boolean over = !now.isBefore(state.endsAt());
        List<SloStatus> statuses = new ArrayList<>();
        List<Reason> failures = new ArrayList<>();
        List<Reason> missing = new ArrayList<>();
        List<Reason> held = new ArrayList<>();

        List<Reason> dryRunFailed = new ArrayList<>();
        List<Reason> dryRunAtEnd = new ArrayList<>();

        invalidResult(state, false).ifPresent(missing::add);
        for (int s = 0; s < spec.slos().size(); s++) {
            if (!spec.isDryRun(spec.slos().get(s))) {
                statuses.add(judge(evidence.tally(s), over, failures, missing, held));
                continue;
            }
            // a dry run is judged like the others, into lists of its own that the verdict never reads
            String name = spec.slos().get(s).name();
            List<Reason> own = new ArrayList<>();
            statuses.add(judge(evidence.tally(s), over, own, own, own));
            BakeEvidence.FirstFailure first = evidence.firstFailure(s);
            if (first != null) {
                List<Reason> then = new ArrayList<>();
                if (evidence.tally(s) instanceof RatioAccumulator acc) {
                    judgeRatio(acc, first.outcome(), false, then, then, then);
                } else {
                    judgeValue((ValueTally) evidence.tally(s), false, then, then, then);
                }
                Reason r = then.get(0);
                dryRunFailed.add(new Reason(r.type(), r.subject(), "dry run: " + r.message() + "; it would have failed "
                        + "the bake " + Durations.human(Duration.between(state.startedAt(), first.at())) + " in"));
            } else if (!own.isEmpty() || invalidResult(state, true).isPresent()) {
                Reason r = invalidResult(state, true).filter(i -> i.subject().equals(name))
                        .orElse(own.isEmpty() ? null : own.get(0));
                if (r != null) {
                    dryRunAtEnd.add(new Reason(r.type(), r.subject(), "dry run: " + r.message()));
                }
            }
        }
        if (over) {
            unseenMetrics(evidence).forEach(missing::add);
        }
        Decision decision = null;
        Optional<Reason> sourceAtEnd = over ? sourceFailedAtEnd(state, evidence) : Optional.empty();
        if (!failures.isEmpty()) {
            decision = new Decision(Verdict.FAIL, now, failures);
        } else if (sourceAtEnd.isPresent()) {
            // a source that failed at the end explains any missing data before it: say so, not "no traffic"
            decision = missingEvidence(now, List.of(sourceAtEnd.get()));
        } else if (!missing.isEmpty() && (over || missing.stream().anyMatch(r -> r.type() == ReasonType.INVALID_QUERY_RESULT))) {
            decision = missingEvidence(now, missing);
        } else {
            Optional<Reason> gap = dataGap(evidence, now);
            if (gap.isPresent()) {
                decision = missingEvidence(now, List.of(gap.get()));
            } else if (over) {
                Optional<String> proofProblem = proof.problem(now);
                Optional<Reason> canaryAtEnd = canaryQuietAtEnd(evidence);
                if (canaryAtEnd.isPresent()) {
                    decision = missingEvidence(now, List.of(canaryAtEnd.get()));
                } else if (proofProblem.isPresent()) {
                    decision = missingEvidence(now, List.of(Reason.of(ReasonType.NO_ROLLBACK_PROOF, proofProblem.get())));
                } else {
                    decision = new Decision(Verdict.PASS, now, held);
                }
            }
        }
        if (decision != null && !(dryRunFailed.isEmpty() && dryRunAtEnd.isEmpty())) {
            List<Reason> dryRun = new ArrayList<>(dryRunFailed);
            dryRun.addAll(dryRunAtEnd);
            decision = decision.withDryRun(dryRun);
        }
        return new Judgement(statuses, decision, dryRunFailed);
    }

    private SloStatus judge(Object tally, boolean over, List<Reason> failures, List<Reason> missing,
                            List<Reason> held) {
        if (tally instanceof RatioAccumulator acc) {
            return judgeRatio(acc, classifier.classify(acc, over), over, failures, missing, held);
        }
        return judgeValue((ValueTally) tally, over, failures, missing, held);
    }

    private Decision missingEvidence(Instant now, List<Reason> reasons) {
        Verdict v = Verdict.INCONCLUSIVE;
        for (Reason r : reasons) {
            v = v.worst(spec.policy().verdictFor(r.type()));
        }
        return new Decision(v, now, reasons);
    }

    private SloStatus judgeRatio(RatioAccumulator acc, RatioOutcome outcome, boolean over, List<Reason> failures,
                                 List<Reason> missing, List<Reason> held) {
        RatioSlo slo = acc.slo();
        RatioFigures f = outcome.figures();
        String figures = figures(f);
        String name = slo.name();
        if (outcome instanceof RatioOutcome.Regressed r) {
            failures.add(new Reason(ReasonType.REGRESSION, name, name + ": canary is worse than the baseline beyond "
                    + "the " + Numbers.percent(slo.tolerance()) + " tolerance" + since(r.after(), r.sinceThen())));
        } else if (outcome instanceof RatioOutcome.Breached b) {
            failures.add(new Reason(ReasonType.BREACH, name, name + ": canary breaches the " + Numbers.percent(slo.objective())
                    + " objective (at most " + Numbers.percent(slo.budget()) + " bad)" + since(b.after(), b.sinceThen())));
        } else if (outcome instanceof RatioOutcome.HeldOnOwnFigures h) {
            held.add(new Reason(ReasonType.HELD, name, name + ": held for the whole bake on its own figures, at "
                    + "most " + Numbers.percent(h.canaryUpper()) + " bad (the baseline breaches the " + Numbers.percent(slo.objective())
                    + " objective): " + figures));
        } else if (outcome instanceof RatioOutcome.BaselineUnhealthy) {
            if (over) {
                missing.add(new Reason(ReasonType.BASELINE_UNHEALTHY, name, name + ": the baseline itself breaches "
                        + "the " + Numbers.percent(slo.objective()) + " objective, so the comparison cannot vouch for the "
                        + "canary: " + figures));
            }
        } else if (outcome instanceof RatioOutcome.NoCanaryData) {
            missing.add(new Reason(ReasonType.NO_CANARY_DATA, name, name
                    + ": the canary served no requests during the bake"));
        } else if (outcome instanceof RatioOutcome.NoBaselineData) {
            missing.add(new Reason(ReasonType.NO_BASELINE_DATA, name, name
                    + ": the baseline served no requests during the bake, so there is nothing to compare with (selector "
                    + spec.baselineSelector() + ")"));
        } else if (outcome instanceof RatioOutcome.AboveBudget) {
            missing.add(new Reason(ReasonType.INSUFFICIENT_TRAFFIC, name, name + ": the canary's bad ratio is above "
                    + "the " + Numbers.percent(slo.budget()) + " budget, on too few events to call it a breach: " + figures
                    + shortfall(slo, acc)));
        } else if (outcome instanceof RatioOutcome.NotRuledOut n) {
            missing.add(new Reason(ReasonType.INSUFFICIENT_TRAFFIC, name, name + ": too little evidence to vouch "
                    + "for the canary: " + (Double.isInfinite(n.ratioUpper())
                            ? "the baseline has no bad events to compare with"
                            : "it may be up to " + Numbers.times(n.ratioUpper()) + " the baseline's bad ratio"
                                    + (n.lateRatioUpper() >= spec.detectableRegression()
                                            ? " (" + Numbers.times(n.lateRatioUpper()) + " in the second half of the bake)" : "")
                                    + " and a " + Numbers.times(spec.detectableRegression()) + " regression must be ruled out")
                    + (n.negligible() > 0 ? ", and up to " + Numbers.percent(n.canaryUpper()) + " bad, not provably below the "
                            + "negligible " + Numbers.percent(n.negligible()) : "")
                    + (n.signOfRegression() ? "; its bad ratio is above the baseline's beyond the tolerance" : "")
                    + ": " + figures + shortfall(slo, acc)));
        } else if (outcome instanceof RatioOutcome.HeldAgainstBaseline h) {
            held.add(new Reason(ReasonType.HELD, name, name + ": held for the whole bake, at most "
                    + Numbers.times(h.ratioUpper()) + " the baseline's bad ratio: " + figures));
        } else if (outcome instanceof RatioOutcome.HeldAsNegligible h) {
            held.add(new Reason(ReasonType.HELD, name, name + ": held for the whole bake, below the negligible "
                    + Numbers.percent(h.negligible()) + " bad (at most " + Numbers.percent(h.canaryUpper()) + "; the baseline has too few "
                    + "bad events to compare with): " + figures));
        } else if (!(outcome instanceof RatioOutcome.Holding)) {
            throw new IllegalStateException("unknown outcome " + outcome);
        }
        return ratioStatus(acc, outcome, 1 / classifier.alphaPerTest());
    }

    /** Where a ratio SLO stands, from its running evidence and its outcome. */
    static SloStatus ratioStatus(RatioAccumulator acc, RatioOutcome outcome, double threshold) {
        RatioSlo slo = acc.slo();
        return new SloStatus.Ratio(slo.name(), outcome, slo.objective(), slo.budget(), new SloStatus.Evidence(
                acc.relative().eValue(), acc.absolute().eValue(), acc.baselineAbsolute().eValue(), threshold));
    }

    /** How much more a canary as good as the baseline would have needed, at the bake's own traffic. */
    private String shortfall(RatioSlo slo, RatioAccumulator acc) {
        double seconds = acc.covered().toMillis() / 1000.0;
        RatioFigures f = acc.figures();
        if (seconds <= 0 || f.canaryTotal() <= 0 || f.baselineTotal() <= 0) {
            return "";
        }
        BakePlanner.Traffic traffic = new BakePlanner.Traffic(f.canaryTotal() / seconds, f.baselineTotal() / seconds,
                f.baselineRatio());
        BakePlanner planner = new BakePlanner(spec, PLAN_SEED, BakePlanner.DEFAULT_SIMULATIONS);
        Optional<Duration> bake = planner.bakeNeeded(slo, traffic);
        java.util.OptionalDouble share = planner.shareNeeded(slo, traffic);
        String chance = "pass " + Math.round(BakePlanner.TARGET_PASS_CHANCE * 10) + " times in 10";
        return "; at this traffic, to " + chance + " a canary as good as the baseline needs "
                + bake.map(d -> "a bake of " + Durations.human(d)).orElse("more than the longest bake ("
                        + Durations.human(BakePlanner.LONGEST_BAKE) + ")")
                + (share.isPresent() ? ", or a " + Numbers.percent(share.getAsDouble()) + " canary share" : ", even at a "
                        + Numbers.percent(BakePlanner.LARGEST_SHARE) + " canary share it would not");
    }

    /** The figures from the interval where the evidence is strongest, so a late onset is not diluted. */
    private static String since(Duration after, RatioFigures f) {
        return (after.isZero() ? "" : " since " + Durations.human(after) + " into the bake") + ": " + figures(f);
    }

    private SloStatus judgeValue(ValueTally tally, boolean over, List<Reason> failures, List<Reason> missing,
                                 List<Reason> held) {
        ValueCheck check = tally.check();
        SloStatus status = tally.status(over);
        String name = check.name();
        if (status.state() == SloStatus.State.BREACHED) {
            failures.add(new Reason(ReasonType.BREACH, name, name + ": value " + Numbers.value(tally.last()) + ", must be "
                    + check.bounds() + " (" + tally.streak() + " evaluations in a row)"));
        } else if (status.state() == SloStatus.State.NO_DATA) {
            missing.add(new Reason(ReasonType.NO_CANARY_DATA, name, name
                    + ": the query gave no value for the canary during the bake"));
        } else if (status.state() == SloStatus.State.HELD) {
            held.add(new Reason(ReasonType.HELD, name, name + ": held for the whole bake (" + tally.readings()
                    + " readings, last " + Numbers.value(tally.last()) + ", must be " + check.bounds() + ")"));
        }
        return status;
    }

    /**
     * A bad (or good) query whose metric had no series for a side during the whole bake, while its total query counted
     * events, counted zero events by mistake: a misspelt metric would otherwise pass any canary.
     */
    private List<Reason> unseenMetrics(BakeEvidence evidence) {
        List<Reason> out = new ArrayList<>();
        List<Evaluation> lastUsable = evidence.lastUsable();
        if (lastUsable.isEmpty()) {
            return out;
        }
        Evaluation last = lastUsable.get(lastUsable.size() - 1);
        for (RatioSlo slo : spec.judgedRatioSlos()) {
            SloEvidence ev = last.slo(slo.name()).orElse(null);
            if (ev == null) {
                continue;
            }
            for (Reading r : new Reading[] {ev.canary(), ev.baseline()}) {
                if (r != null && r.unseenMetric() != null) {
                    String side = r == ev.canary() ? "canary" : "baseline";
                    out.add(new Reason(ReasonType.INVALID_QUERY_RESULT, slo.name(), slo.name() + ": the "
                            + (slo.countsGood() ? "good" : "bad") + " query's metric " + r.unseenMetric()
                            + " had no series for the " + side + " during the whole bake, while its total query "
                            + "counted events: a misspelt metric counts as no " + (slo.countsGood() ? "good" : "bad")
                            + " events (a counter created only at its first event should be initialised to 0)"));
                    break;
                }
            }
        }
        return out;
    }

    /** A query answering with several series is a mistake in the gate file, not noise: say so at once. */
    private Optional<Reason> invalidResult(BakeState state, boolean dryRuns) {
        if (state.evaluations().isEmpty()) {
            return Optional.empty();
        }
        Evaluation latest = state.evaluations().get(state.evaluations().size() - 1);
        for (SloEvidence ev : latest.slos()) {
            if (spec.dryRunSlos().contains(ev.slo()) != dryRuns) {
                continue;
            }
            for (Reading r : new Reading[] {ev.canary(), ev.baseline()}) {
                if (r != null && r.status() == Reading.Status.INVALID) {
                    return Optional.of(new Reason(ReasonType.INVALID_QUERY_RESULT, ev.slo(), ev.slo() + ": " + r.detail()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The last evaluation, at the bake's end, has no later one to cover its window: if the source failed there, the
     * evidence does not reach the end of the bake, whatever {@code maxDataGap} allows.
     */
    private Optional<Reason> sourceFailedAtEnd(BakeState state, BakeEvidence evidence) {
        List<Evaluation> all = state.evaluations();
        if (all.isEmpty() || !all.get(all.size() - 1).sourceFailed()) {
            return Optional.empty();
        }
        String detail = all.get(all.size() - 1).slos().stream()
                .flatMap(s -> java.util.stream.Stream.of(s.canary(), s.baseline()))
                .filter(r -> r != null && r.status() == Reading.Status.SOURCE_ERROR)
                .map(Reading::detail).findFirst().orElse("");
        return Optional.of(Reason.of(ReasonType.SOURCE_ERROR, "the metrics source failed at the end of the bake ("
                + evidence.failed() + " of " + evidence.evaluations() + " evaluations failed), so the evidence does not reach it: " + detail));
    }

    /**
     * A PASS needs the canary seen at the end of the bake: traffic (or, for value checks only, a value) in one of the
     * last {@value #END_SLACK} usable evaluations, the slack a trickle of traffic needs.
     */
    private Optional<Reason> canaryQuietAtEnd(BakeEvidence evidence) {
        if (evidence.lastUsable().stream().anyMatch(evidence::hasCanaryEvidence)) {
            return Optional.empty();
        }
        return Optional.of(Reason.of(ReasonType.NO_CANARY_DATA, "the canary reported no "
                + (spec.judgedRatioSlos().isEmpty() ? "data" : "traffic") + " in the last " + END_SLACK + " evaluations of "
                + "the bake, so the evidence does not reach its end (selector " + spec.canarySelector() + ")"));
    }

    /** Stops the bake when a side, or the source, has given no evidence for longer than the allowed gap. */
    private Optional<Reason> dataGap(BakeEvidence evidence, Instant now) {
        Duration gap = spec.maxDataGap();
        Instant lastCanary = evidence.lastCanary();
        Instant lastBaseline = evidence.lastBaseline();
        Instant lastSource = evidence.lastSource();
        boolean needsBaseline = !spec.judgedRatioSlos().isEmpty();
        if (Duration.between(lastSource, now).compareTo(gap) >= 0) {
            return Optional.of(Reason.of(ReasonType.SOURCE_ERROR, "the metrics source gave no usable answer for "
                    + Durations.human(Duration.between(lastSource, now)) + " (allowed: " + Durations.human(gap) + "): "
                    + evidence.lastError()));
        }
        if (Duration.between(lastCanary, now).compareTo(gap) >= 0) {
            return Optional.of(Reason.of(ReasonType.NO_CANARY_DATA, "the canary reported no "
                    + (spec.judgedRatioSlos().isEmpty() ? "data" : "traffic") + " for "
                    + Durations.human(Duration.between(lastCanary, now)) + " (allowed: " + Durations.human(gap)
                    + "; selector " + spec.canarySelector() + ")"));
        }
        if (needsBaseline && Duration.between(lastBaseline, now).compareTo(gap) >= 0) {
            return Optional.of(Reason.of(ReasonType.NO_BASELINE_DATA, "the baseline reported no traffic for "
                    + Durations.human(Duration.between(lastBaseline, now)) + " (allowed: " + Durations.human(gap)
                    + "; selector " + spec.baselineSelector() + ")"));
        }
        return Optional.empty();
    }

    static String figures(RatioFigures f) {
        return "canary " + ratioText(f.canaryBad(), f.canaryTotal()) + " vs baseline "
                + ratioText(f.baselineBad(), f.baselineTotal());
    }

    static String ratioText(double bad, double total) {
        if (total <= 0) {
            return "no traffic";
        }
        return Numbers.percent(bad / total) + " bad (" + Numbers.count(bad) + " of " + Numbers.count(total) + ")";
    }
}
