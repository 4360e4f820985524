package io.prodgate.core.canary;

import io.prodgate.core.canary.stats.AnytimeTest;
import io.prodgate.core.canary.stats.ConfidenceBounds;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides a canary from the evaluations of its bake. A pure function of the spec and the evaluations, so a resumed
 * bake and a replay decide exactly as a live one.
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
    private final CanarySpec spec;

    public CanaryJudge(CanarySpec spec) {
        this.spec = spec;
    }

    /** The false-alarm rate of one sequential test. */
    public double alphaPerTest() {
        return spec.falseAlarmRate() / Math.max(1, 2 * spec.ratioSlos().size());
    }

    /** The miss rate allowed for a regression of exactly the detectable size, per ratio SLO, before a PASS. */
    public double betaPerSlo() {
        return spec.falseAlarmRate() / Math.max(1, spec.ratioSlos().size());
    }

    /**
     * Judges the bake as of {@code now}, the time of its latest evaluation.
     *
     * @param proof asked only when everything else allows a PASS
     */
    public Judgement judge(BakeState state, Instant now, ProofRequirement proof) {
        List<Evaluation> usable = state.evaluations().stream().filter(e -> !e.sourceFailed()).toList();
        boolean over = !now.isBefore(state.endsAt());
        List<SloStatus> statuses = new ArrayList<>();
        List<Reason> failures = new ArrayList<>();
        List<Reason> missing = new ArrayList<>();
        List<Reason> held = new ArrayList<>();

        invalidResult(state).ifPresent(missing::add);
        for (SloSpec slo : spec.slos()) {
            if (slo instanceof RatioSlo ratio) {
                statuses.add(judgeRatio(ratio, usable, over, failures, missing, held));
            } else {
                statuses.add(judgeValue((ValueCheck) slo, usable, over, failures, missing, held));
            }
        }
        Decision decision = null;
        if (!failures.isEmpty()) {
            decision = new Decision(Verdict.FAIL, now, failures);
        } else if (!missing.isEmpty() && (over || missing.stream().anyMatch(r -> r.type() == ReasonType.INVALID_QUERY_RESULT))) {
            decision = missingEvidence(now, missing);
        } else {
            Optional<Reason> gap = dataGap(state, now);
            if (gap.isPresent()) {
                decision = missingEvidence(now, List.of(gap.get()));
            } else if (over) {
                Optional<String> proofProblem = proof.problem(now);
                if (proofProblem.isPresent()) {
                    decision = missingEvidence(now, List.of(Reason.of(ReasonType.NO_ROLLBACK_PROOF, proofProblem.get())));
                } else {
                    decision = new Decision(Verdict.PASS, now, held);
                }
            }
        }
        return new Judgement(statuses, decision);
    }

    private Decision missingEvidence(Instant now, List<Reason> reasons) {
        Verdict v = Verdict.INCONCLUSIVE;
        for (Reason r : reasons) {
            v = v.worst(spec.policy().verdictFor(r.type()));
        }
        return new Decision(v, now, reasons);
    }

    private SloStatus judgeRatio(RatioSlo slo, List<Evaluation> usable, boolean over, List<Reason> failures,
                                 List<Reason> missing, List<Reason> held) {
        int planned = spec.evaluations();
        AnytimeTest relative = new AnytimeTest(planned);
        AnytimeTest absolute = new AnytimeTest(planned);
        AnytimeTest baselineAbsolute = new AnytimeTest(planned);
        double cb = 0;
        double cn = 0;
        double bb = 0;
        double bn = 0;
        double rho0 = 1 + slo.tolerance();
        List<Reading[]> pairs = new ArrayList<>();
        for (Evaluation e : usable) {
            SloEvidence ev = e.slo(slo.name()).orElse(null);
            Reading c = ev == null ? null : ev.canary();
            Reading b = ev == null ? null : ev.baseline();
            boolean canaryOk = c != null && c.hasTraffic();
            boolean baselineOk = b != null && b.hasTraffic();
            if (canaryOk) {
                cb += c.bad();
                cn += c.total();
                absolute.addAbsolute(c.bad(), c.total(), slo.budget());
            } else {
                absolute.addNothing();
            }
            if (baselineOk) {
                bb += b.bad();
                bn += b.total();
                baselineAbsolute.addAbsolute(b.bad(), b.total(), slo.budget());
            } else {
                baselineAbsolute.addNothing();
            }
            if (canaryOk && baselineOk) {
                relative.addRelative(c.bad(), c.total(), b.bad(), b.total(), rho0);
            } else {
                relative.addNothing();
            }
            pairs.add(new Reading[] {canaryOk ? c : null, baselineOk ? b : null});
        }
        double alpha = alphaPerTest();
        double threshold = 1 / alpha;
        boolean baselineUnhealthy = baselineAbsolute.rejects(alpha);
        String figures = figures(slo, cb, cn, bb, bn);
        SloStatus.State state = SloStatus.State.HOLDING;
        double upper = Double.NaN;
        if (relative.rejects(alpha)) {
            state = SloStatus.State.REGRESSED;
            failures.add(new Reason(ReasonType.REGRESSION, slo.name(), slo.name() + ": canary is worse than the baseline "
                    + "beyond the " + pct(slo.tolerance()) + " tolerance" + since(usable, pairs, relative.strongestStart(), slo)));
        } else if (absolute.rejects(alpha) && !baselineUnhealthy) {
            state = SloStatus.State.BREACHED;
            failures.add(new Reason(ReasonType.BREACH, slo.name(), slo.name() + ": canary breaches the "
                    + pct(slo.objective()) + " objective (at most " + pct(slo.budget()) + " bad)"
                    + since(usable, pairs, absolute.strongestStart(), slo)));
        } else if (baselineUnhealthy && over
                && ConfidenceBounds.binomialUpper(cb, cn, betaPerSlo()) <= slo.budget()) {
            // the comparison cannot vouch for the canary, but its own figures show it holds the objective
            state = SloStatus.State.HELD;
            held.add(new Reason(ReasonType.HELD, slo.name(), slo.name() + ": held for the whole bake on its own "
                    + "figures (the baseline breaches the " + pct(slo.objective()) + " objective): " + figures));
        } else if (baselineUnhealthy) {
            state = SloStatus.State.BASELINE_UNHEALTHY;
            if (over) {
                missing.add(new Reason(ReasonType.BASELINE_UNHEALTHY, slo.name(), slo.name() + ": the baseline itself "
                        + "breaches the " + pct(slo.objective()) + " objective, so the comparison cannot vouch for the "
                        + "canary: " + figures));
            }
        } else if (over) {
            upper = ConfidenceBounds.ratioUpperBound(cb, cn, bb, bn, betaPerSlo());
            double canaryUpper = ConfidenceBounds.binomialUpper(cb, cn, betaPerSlo());
            double detectable = spec.detectableRegression();
            boolean ruledOutRelative = upper < detectable;
            boolean ruledOutAbsolute = canaryUpper <= slo.budget() / detectable;
            if (cn <= 0) {
                state = SloStatus.State.NO_DATA;
                missing.add(new Reason(ReasonType.NO_CANARY_DATA, slo.name(), slo.name()
                        + ": the canary served no requests during the bake"));
            } else if (cn > 0 && cb / cn > slo.budget()) {
                state = SloStatus.State.NOT_SHOWN;
                missing.add(new Reason(ReasonType.INSUFFICIENT_TRAFFIC, slo.name(), slo.name() + ": the canary's bad "
                        + "ratio is above the " + pct(slo.budget()) + " budget, on too few events to call it a breach: "
                        + figures));
            } else if (!ruledOutRelative && !ruledOutAbsolute) {
                state = SloStatus.State.NOT_SHOWN;
                missing.add(new Reason(ReasonType.INSUFFICIENT_TRAFFIC, slo.name(), slo.name() + ": too little traffic "
                        + "to rule out a " + times(detectable) + " regression ("
                        + (Double.isInfinite(upper) ? "the baseline has no bad events to compare with"
                                : "the canary may be up to " + times(upper) + " the baseline's bad ratio")
                        + "): " + figures));
            } else {
                state = SloStatus.State.HELD;
                held.add(new Reason(ReasonType.HELD, slo.name(), slo.name() + ": held for the whole bake"
                        + (ruledOutRelative ? " (at most " + times(upper) + " the baseline's bad ratio)" : "") + ": "
                        + figures));
            }
        }
        return new SloStatus(slo.name(), state, cb, cn, bb, bn, relative.eValue(), absolute.eValue(),
                baselineAbsolute.eValue(), threshold, upper, Double.NaN, 0, slo.name() + " " + figures);
    }

    /** The figures from the interval where the evidence is strongest, so a late onset is not diluted. */
    private String since(List<Evaluation> usable, List<Reading[]> pairs, int start, RatioSlo slo) {
        double cb = 0;
        double cn = 0;
        double bb = 0;
        double bn = 0;
        for (int i = start; i < pairs.size(); i++) {
            Reading[] p = pairs.get(i);
            if (p[0] != null) {
                cb += p[0].bad();
                cn += p[0].total();
            }
            if (p[1] != null) {
                bb += p[1].bad();
                bn += p[1].total();
            }
        }
        String when = start == 0 ? "" : " since " + Durations.human(Duration.between(
                usable.get(0).from(), usable.get(start).from())) + " into the bake";
        return when + ": " + figures(slo, cb, cn, bb, bn);
    }

    private SloStatus judgeValue(ValueCheck check, List<Evaluation> usable, boolean over, List<Reason> failures,
                                 List<Reason> missing, List<Reason> held) {
        int streak = 0;
        int readings = 0;
        double last = Double.NaN;
        for (Evaluation e : usable) {
            Reading r = e.slo(check.name()).map(SloEvidence::canary).orElse(null);
            if (r == null || !r.ok()) {
                continue; // a missing reading neither breaks nor extends a streak
            }
            readings++;
            last = r.value();
            streak = check.breaches(last) ? streak + 1 : 0;
            if (streak >= check.consecutive()) {
                break;
            }
        }
        SloStatus.State state = SloStatus.State.HOLDING;
        String figure = readings == 0 ? "no value yet" : "value " + number(last) + ", must be " + check.bounds();
        if (streak >= check.consecutive()) {
            state = SloStatus.State.BREACHED;
            failures.add(new Reason(ReasonType.BREACH, check.name(), check.name() + ": " + figure + " ("
                    + streak + " evaluations in a row)"));
        } else if (over && readings == 0) {
            state = SloStatus.State.NO_DATA;
            missing.add(new Reason(ReasonType.NO_CANARY_DATA, check.name(), check.name()
                    + ": the query gave no value for the canary during the bake"));
        } else if (over) {
            state = SloStatus.State.HELD;
            held.add(new Reason(ReasonType.HELD, check.name(), check.name() + ": held for the whole bake ("
                    + readings + " readings, last " + number(last) + ", must be " + check.bounds() + ")"));
        }
        return new SloStatus(check.name(), state, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, last, streak, check.name() + " " + figure);
    }

    /** A query answering with several series is a mistake in the gate file, not noise: say so at once. */
    private Optional<Reason> invalidResult(BakeState state) {
        if (state.evaluations().isEmpty()) {
            return Optional.empty();
        }
        Evaluation latest = state.evaluations().get(state.evaluations().size() - 1);
        for (SloEvidence ev : latest.slos()) {
            for (Reading r : new Reading[] {ev.canary(), ev.baseline()}) {
                if (r != null && r.status() == Reading.Status.INVALID) {
                    return Optional.of(new Reason(ReasonType.INVALID_QUERY_RESULT, ev.slo(), ev.slo() + ": " + r.detail()));
                }
            }
        }
        return Optional.empty();
    }

    /** Stops the bake when a side, or the source, has given no evidence for longer than the allowed gap. */
    private Optional<Reason> dataGap(BakeState state, Instant now) {
        Duration gap = spec.maxDataGap();
        Instant lastCanary = state.startedAt();
        Instant lastBaseline = state.startedAt();
        Instant lastSource = state.startedAt();
        String lastError = "";
        boolean needsBaseline = !spec.ratioSlos().isEmpty();
        for (Evaluation e : state.evaluations()) {
            if (e.sourceFailed()) {
                lastError = e.slos().stream().flatMap(s -> java.util.stream.Stream.of(s.canary(), s.baseline()))
                        .filter(r -> r != null && r.status() == Reading.Status.SOURCE_ERROR)
                        .map(Reading::detail).findFirst().orElse(lastError);
                continue;
            }
            lastSource = e.at();
            if (hasCanaryEvidence(e)) {
                lastCanary = e.at();
            }
            if (e.slos().stream().anyMatch(s -> s.baseline() != null && s.baseline().hasTraffic())) {
                lastBaseline = e.at();
            }
        }
        if (Duration.between(lastSource, now).compareTo(gap) >= 0) {
            return Optional.of(Reason.of(ReasonType.SOURCE_ERROR, "the metrics source gave no usable answer for "
                    + Durations.human(Duration.between(lastSource, now)) + " (allowed: " + Durations.human(gap) + "): "
                    + lastError));
        }
        if (Duration.between(lastCanary, now).compareTo(gap) >= 0) {
            return Optional.of(Reason.of(ReasonType.NO_CANARY_DATA, "the canary reported no "
                    + (spec.ratioSlos().isEmpty() ? "data" : "traffic") + " for "
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

    private boolean hasCanaryEvidence(Evaluation e) {
        if (spec.ratioSlos().isEmpty()) {
            return e.slos().stream().anyMatch(s -> s.canary().ok());
        }
        return e.slos().stream().anyMatch(s -> s.baseline() != null && s.canary().hasTraffic());
    }

    static String figures(RatioSlo slo, double cb, double cn, double bb, double bn) {
        return "canary " + ratioText(cb, cn) + " vs baseline " + ratioText(bb, bn);
    }

    static String ratioText(double bad, double total) {
        if (total <= 0) {
            return "no traffic";
        }
        return String.format(Locale.ROOT, "%s bad (%s of %s)", pct(bad / total), count(bad), count(total));
    }

    static String pct(double fraction) {
        double p = fraction * 100;
        if (p != 0 && Math.abs(p) < 0.01) {
            return String.format(Locale.ROOT, "%.4f %%", p);
        }
        String s = String.format(Locale.ROOT, Math.abs(p) < 1 ? "%.3f" : "%.2f", p);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s + " %";
    }

    static String count(double n) {
        return String.format(Locale.ROOT, "%,d", Math.round(n));
    }

    static String times(double x) {
        if (Double.isInfinite(x) || Double.isNaN(x)) {
            return "unboundedly";
        }
        return String.format(Locale.ROOT, "%.2fx", x);
    }

    static String number(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e12) {
            return Long.toString((long) x);
        }
        return String.format(Locale.ROOT, "%.4g", x);
    }
}
