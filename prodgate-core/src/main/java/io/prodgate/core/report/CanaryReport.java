package io.prodgate.core.report;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeTimeline;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Decision;
import io.prodgate.core.canary.Evaluation;
import io.prodgate.core.canary.RatioFigures;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.canary.SloStatus;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The canary gate's report: the verdict, its reasons, and per SLO the canary and baseline figures of every
 * evaluation, with the sequential tests' evidence as it grew. Serialized as the JSON report; the JUnit XML and the
 * HTML report are views of it. Unknown figures are null.
 *
 * @param decidedAt the data time at which the verdict was reached
 * @param steps     a progressive canary's steps, in order; empty for a bake in one step
 * @param restore   the automatic rollback after the verdict, if one ran (null otherwise)
 * @param dryRun    what the dry-run SLOs would have said; never part of the verdict
 */
public record CanaryReport(String gate, String gateFile, String gateDigest, String mode, Verdict verdict,
                           Instant decidedAt, Instant startedAt, Instant endsAt, List<String> reasons,
                           List<Reason> reasonDetails, Settings settings, List<SloReport> slos,
                           List<StepReport> steps, Restore restore, List<Reason> dryRun) {
    public CanaryReport {
        dryRun = dryRun == null ? List.of() : List.copyOf(dryRun);
    }

    /** Whether the verdict only advises ({@code canary.mode: advisory}): it never blocks. */
    public boolean advisory() {
        return settings != null && settings.advisory();
    }

    /**
     * One step of a progressive canary: the weight asked for (percent), when it was asked for and seen, the canary's
     * share measured last (percent), and each ratio SLO's figures inside the step.
     */
    public record StepReport(int step, double weight, Instant shiftedAt, Instant settledAt, Double measuredShare,
                             Instant endedAt, List<StepSlo> slos) {
    }

    /** A ratio SLO's event counts on both sides within one step. */
    public record StepSlo(String name, Figures canary, Figures baseline) {
    }

    /**
     * The automatic rollback after the verdict: the weight set to 0 first, then the gate file's rollback section.
     *
     * @param timeToRestore from the verdict until the rollback was verified (or gave up), seconds
     * @param restoreWithin the target, seconds; a restore slower than it is a reason of its own
     */
    public record Restore(Instant from, Instant until, double timeToRestore, boolean restored, double restoreWithin,
                          boolean withinTarget, String traffic, List<String> reasons) {
    }

    /** The same report with the automatic rollback that followed its verdict. */
    public CanaryReport withRestore(Restore r) {
        return new CanaryReport(gate, gateFile, gateDigest, mode, verdict, decidedAt, startedAt, endsAt, reasons,
                reasonDetails, settings, slos, steps, r, dryRun);
    }

    /**
     * The judge's settings, so a reader can tell what the figures were held against.
     *
     * @param advisory   whether the verdict only advises, never blocks
     * @param dryRunSlos the SLOs evaluated and reported but never part of the verdict
     */
    public record Settings(String canarySelector, String baselineSelector, Duration bake, Duration interval,
                           double falseAlarmRate, double detectableRegression, Duration maxDataGap,
                           boolean requireRollbackProof, boolean advisory, List<String> dryRunSlos) {
    }

    /** One SLO over the bake; objective and tolerance in percent, as the gate file writes them. */
    public record SloReport(String name, String type, Double objective, Double tolerance, String bounds, Double min,
                            Double max, String state, Figures canary, Figures baseline, Double relativeEvidence,
                            Double absoluteEvidence, Double baselineEvidence, Double threshold,
                            Double ratioUpperBound, List<Point> evaluations) {
    }

    /** Cumulative figures of one side since the bake began. */
    public record Figures(Double bad, Double total, Double ratio) {
    }

    /** One evaluation of one SLO: the window's readings, and where the cumulative figures and tests stood. */
    public record Point(Instant from, Instant at, Side canary, Side baseline, Double canaryRatio, Double baselineRatio,
                        Double relativeEvidence, Double absoluteEvidence, boolean sourceFailed) {
    }

    /** One side's reading in one window. */
    public record Side(String status, Double bad, Double total, Double value, String detail) {
    }

    /** The verdict, when in the bake it came, and its reasons: a few lines, each ending in a newline. */
    public static String summary(BakeState decided) {
        return summary(decided, false);
    }

    /**
     * The verdict, when in the bake it came, its reasons and what the dry-run SLOs would have said; an advisory
     * verdict says it does not block.
     */
    public static String summary(BakeState decided, boolean advisory) {
        Decision d = decided.decision();
        StringBuilder out = new StringBuilder("canary gate: " + (advisory ? "advisory, would " : "") + d.verdict()
                + " at " + d.decidedAt() + " ("
                + io.prodgate.core.util.Durations.human(Duration.between(decided.startedAt(), d.decidedAt()))
                + " into the bake)" + (advisory && d.verdict() != Verdict.PASS ? "; it does not block" : ""))
                .append(System.lineSeparator());
        for (Reason r : d.reasons()) {
            out.append("  - ").append(r.message()).append(System.lineSeparator());
        }
        if (!d.dryRun().isEmpty()) {
            out.append("  dry-run SLOs (not part of the verdict):").append(System.lineSeparator());
            for (Reason r : d.dryRun()) {
                out.append("  - ").append(r.message()).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    /** Builds the report of a bake; {@code mode} is {@code live} or {@code replay}. */
    public static CanaryReport of(String gateFile, CanarySpec spec, BakeState state, String mode) {
        List<Evaluation> all = state.evaluations();
        // one pass over the bake with the judge's own accumulators: O(n), whatever the bake's length
        BakeTimeline timeline = BakeTimeline.of(spec, state);
        List<SloStatus> lastStatuses = timeline.last();
        List<SloReport> slos = new ArrayList<>();
        for (int s = 0; s < spec.slos().size(); s++) {
            SloSpec slo = spec.slos().get(s);
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Evaluation e = all.get(i);
                SloEvidence ev = e.slo(slo.name()).orElse(null);
                Side canary = side(ev == null ? null : ev.canary());
                Side baseline = side(ev == null ? null : ev.baseline());
                if (timeline.statuses().get(i + 1).get(s) instanceof SloStatus.Ratio st) {
                    points.add(new Point(e.from(), e.at(), canary, baseline, boxed(st.canaryRatio()),
                            boxed(st.baselineRatio()), finite(st.evidence().relative()),
                            finite(st.evidence().absolute()), e.sourceFailed()));
                } else {
                    points.add(new Point(e.from(), e.at(), canary, baseline, null, null, null, null,
                            e.sourceFailed()));
                }
            }
            SloStatus last = lastStatuses.get(s);
            if (slo instanceof RatioSlo r && last instanceof SloStatus.Ratio st) {
                RatioFigures f = st.figures();
                SloStatus.Evidence ev = st.evidence();
                slos.add(new SloReport(r.name(), "ratio", Numbers.percentAsWritten(r.objective()),
                        Numbers.percentAsWritten(r.tolerance()), null, null, null, st.state().name(),
                        figures(f.canaryBad(), f.canaryTotal()), figures(f.baselineBad(), f.baselineTotal()),
                        finite(ev.relative()), finite(ev.absolute()), finite(ev.baseline()), finite(ev.threshold()),
                        boxed(st.ratioUpperBound()), points));
            } else {
                ValueCheck v = (ValueCheck) slo;
                slos.add(new SloReport(v.name(), "value", null, null, v.bounds(),
                        v.min().isPresent() ? v.min().getAsDouble() : null,
                        v.max().isPresent() ? v.max().getAsDouble() : null, last.state().name(), null, null,
                        null, null, null, null, null, points));
            }
        }
        Decision d = state.decision();
        Verdict verdict = d == null ? null : d.verdict();
        List<Reason> reasons = d == null ? List.of() : d.reasons();
        Settings settings = new Settings(spec.canarySelector(), spec.baselineSelector(), spec.bake(), spec.interval(),
                spec.falseAlarmRate(), spec.detectableRegression(), spec.maxDataGap(), spec.requireRollbackProof(),
                spec.advisory(), spec.dryRunSlos());
        return new CanaryReport("canary", gateFile, state.gateDigest(), mode, verdict,
                d == null ? null : d.decidedAt(), state.startedAt(), state.endsAt(),
                reasons.stream().map(Reason::message).toList(), reasons, settings, slos, steps(spec, state), null,
                d == null ? List.of() : d.dryRun());
    }

    /** Each step's figures: the usable evaluations that ended inside it, summed per ratio SLO. */
    private static List<StepReport> steps(CanarySpec spec, BakeState state) {
        List<StepReport> out = new ArrayList<>();
        List<StepProgress> steps = state.steps();
        for (int k = 0; k < steps.size(); k++) {
            StepProgress p = steps.get(k);
            Instant end = k + 1 < steps.size() ? steps.get(k + 1).shiftedAt()
                    : state.decided() ? state.decision().decidedAt() : null;
            List<StepSlo> slos = new ArrayList<>();
            for (RatioSlo slo : spec.ratioSlos()) {
                double cb = 0;
                double cn = 0;
                double bb = 0;
                double bn = 0;
                for (Evaluation e : state.evaluations()) {
                    boolean inside = e.at().isAfter(p.shiftedAt()) && (end == null || !e.at().isAfter(end));
                    Optional<SloEvidence> ev = e.slo(slo.name());
                    if (!inside || e.sourceFailed() || ev.isEmpty()) {
                        continue;
                    }
                    if (ev.get().canary() != null && ev.get().canary().ok()) {
                        cb += ev.get().canary().bad();
                        cn += ev.get().canary().total();
                    }
                    if (ev.get().baseline() != null && ev.get().baseline().ok()) {
                        bb += ev.get().baseline().bad();
                        bn += ev.get().baseline().total();
                    }
                }
                slos.add(new StepSlo(slo.name(), figures(cb, cn), figures(bb, bn)));
            }
            out.add(new StepReport(p.index() + 1, Numbers.percentAsWritten(p.weight()), p.shiftedAt(), p.settledAt(),
                    p.measuredShare() == null ? null : Numbers.percentAsWritten(p.measuredShare()), end, slos));
        }
        return out;
    }

    /** One JUnit test case per SLO, plus one for reasons that concern the gate as a whole. */
    public List<JUnitXml.TestCase> testCases() {
        List<JUnitXml.TestCase> cases = new ArrayList<>();
        double seconds = decidedAt == null ? 0 : Duration.between(startedAt, decidedAt).toMillis() / 1000.0;
        for (SloReport slo : slos) {
            if (settings != null && settings.dryRunSlos().contains(slo.name())) {
                cases.add(dryRunCase(slo.name(), seconds));
                continue;
            }
            List<Reason> own = reasonDetails.stream().filter(r -> r.subject().equals(slo.name())).toList();
            cases.add(advised(testCase(slo.name(), own, seconds)));
        }
        List<Reason> general = reasonDetails.stream().filter(r -> r.subject().isEmpty()).toList();
        if (!general.isEmpty()) {
            cases.add(advised(testCase("gate", general, seconds)));
        }
        return cases;
    }

    /** A dry-run SLO's case: skipped when it would have failed the bake (a CI shows it, nothing turns red). */
    private JUnitXml.TestCase dryRunCase(String name, double seconds) {
        List<Reason> own = dryRun.stream().filter(r -> r.subject().equals(name)).toList();
        String message = own.isEmpty() ? "dry run: not judged to the end" : String.join("; ",
                own.stream().map(Reason::message).toList());
        boolean wouldFail = own.stream().anyMatch(r -> r.type() == ReasonType.REGRESSION || r.type() == ReasonType.BREACH);
        return new JUnitXml.TestCase("prodgate.canary", name + " (dry run)", seconds,
                wouldFail ? JUnitXml.Outcome.SKIPPED : JUnitXml.Outcome.PASSED, message, message);
    }

    /** An advisory gate never blocks: a case that would fail is skipped, with what it would have said. */
    private JUnitXml.TestCase advised(JUnitXml.TestCase c) {
        if (!advisory() || c.outcome() != JUnitXml.Outcome.FAILED) {
            return c;
        }
        String message = "advisory, would fail: " + c.message();
        return new JUnitXml.TestCase(c.className(), c.name(), c.seconds(), JUnitXml.Outcome.SKIPPED, message, message);
    }

    private JUnitXml.TestCase testCase(String name, List<Reason> own, double seconds) {
        String message = String.join("; ", own.stream().map(Reason::message).toList());
        JUnitXml.Outcome outcome;
        if (own.stream().anyMatch(r -> r.type() == ReasonType.REGRESSION || r.type() == ReasonType.BREACH)) {
            outcome = JUnitXml.Outcome.FAILED;
        } else if (own.stream().anyMatch(r -> r.type().isMissingEvidence())) {
            outcome = verdict == Verdict.FAIL ? JUnitXml.Outcome.FAILED : JUnitXml.Outcome.SKIPPED;
        } else if (!own.isEmpty() || verdict == Verdict.PASS) {
            outcome = JUnitXml.Outcome.PASSED;
        } else {
            // the gate stopped on another SLO or on a gate-wide reason before this one could be judged to the end
            outcome = JUnitXml.Outcome.SKIPPED;
            message = "not judged to the end: " + String.join("; ", reasons);
        }
        return new JUnitXml.TestCase("prodgate.canary", name, seconds, outcome, message, message);
    }

    private static Double boxed(java.util.OptionalDouble d) {
        return d.isPresent() ? finite(d.getAsDouble()) : null;
    }

    static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static Figures figures(double bad, double total) {
        return new Figures(finite(bad), finite(total), total > 0 ? bad / total : null);
    }

    private static Side side(Reading r) {
        if (r == null) {
            return null;
        }
        return new Side(r.status().name(), finite(r.bad()), finite(r.total()), finite(r.value()),
                r.detail().isEmpty() ? null : r.detail());
    }
}
