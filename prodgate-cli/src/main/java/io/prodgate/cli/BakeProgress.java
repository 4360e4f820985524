package io.prodgate.cli;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.Evaluation;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloStatus;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.run.BakeListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Shows a bake: what it bakes against at the start, then on a terminal one line redrawn in place (elapsed against
 * bake, and each SLO's figures); without one, a plain log line per evaluation, which is what CI logs want.
 */
public final class BakeProgress implements BakeListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final String source;
    private final boolean announcePlan;
    private final Set<String> warned = new HashSet<>();
    private boolean lineOpen;

    /** {@code source} names where the evidence comes from, e.g. "Prometheus http://...". */
    public BakeProgress(PrintWriter out, boolean terminal, String source) {
        this(out, terminal, source, true);
    }

    /**
     * @param announcePlan whether a new live bake says what it can decide at the recent traffic (not where traffic
     *                     has only just begun, as in the demo: the plan would judge from traffic that was not there)
     */
    public BakeProgress(PrintWriter out, boolean terminal, String source, boolean announcePlan) {
        this.out = out;
        this.terminal = terminal;
        this.source = source;
        this.announcePlan = announcePlan;
    }

    @Override
    public boolean wantsPlan() {
        return announcePlan;
    }

    @Override
    public void started(BakeState state, boolean replay, boolean resumed, Optional<CanaryPlan> plan) {
        out.println("canary gate: " + (replay ? "replaying " + state.startedAt() + " to " + state.endsAt()
                : "baking until " + state.endsAt()) + ", " + source
                + (resumed ? " (resumed after " + state.evaluations().size() + " evaluations)" : ""));
        plan.ifPresent(p -> p.announcement().forEach(out::println));
        out.flush();
    }

    @Override
    public void shifted(StepProgress step, String what) {
        finish();
        out.println("canary gate: step " + (step.index() + 1) + ": " + Numbers.percent(step.weight())
                + " of the traffic to the canary" + (what.isEmpty() ? "" : " (" + what + ")"));
        out.flush();
    }

    @Override
    public void evaluated(CanaryGate.Step step) {
        onStep(step);
    }

    public void onStep(CanaryGate.Step step) {
        if (step.judgement() == null || step.evaluation() == null) {
            return;
        }
        BakeState s = step.state();
        Instant at = step.evaluation().at();
        String elapsed = Durations.human(Duration.between(s.startedAt(), at)) + "/"
                + Durations.human(Duration.between(s.startedAt(), s.endsAt()));
        StringBuilder line = new StringBuilder();
        if (terminal) {
            int width = 20;
            double share = (double) Duration.between(s.startedAt(), at).toMillis()
                    / Math.max(1, Duration.between(s.startedAt(), s.endsAt()).toMillis());
            int filled = (int) Math.round(Math.min(1, share) * width);
            line.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
        } else {
            line.append(at).append(' ');
        }
        line.append(elapsed);
        s.currentStep().ifPresent(p -> line.append(" | step ").append(p.index() + 1).append(' ')
                .append(Numbers.percent(p.weight())).append(p.settled() ? "" : p.measuredShare() == null
                        ? ", shifting" : ", shifting (" + Numbers.percent(p.measuredShare()) + " seen)"));
        for (SloStatus slo : step.judgement().slos()) {
            line.append(" | ").append(figures(slo));
        }
        if (step.evaluation().sourceFailed()) {
            line.append(" | source error");
        }
        if (terminal) {
            out.print("\r\033[2K" + line);
            lineOpen = true;
        } else {
            out.println(line);
        }
        warnUnseenMetrics(step.evaluation());
        out.flush();
    }

    /** Says loudly, once per SLO and side, that a bad (or good) query's metric has no series: a misspelt metric? */
    private void warnUnseenMetrics(Evaluation evaluation) {
        for (SloEvidence ev : evaluation.slos()) {
            for (Reading r : new Reading[] {ev.canary(), ev.baseline()}) {
                String side = r == ev.canary() ? "canary" : "baseline";
                if (r != null && r.unseenMetric() != null && warned.add(ev.slo() + " " + side)) {
                    finish();
                    out.println("warning: " + ev.slo() + ": metric " + r.unseenMetric() + " has no series for the "
                            + side + " while the total query counts events; a misspelt metric counts as no events "
                            + "(the bake ends INCONCLUSIVE if it never appears)");
                }
            }
        }
    }

    /** Ends the redrawn line so the verdict prints below it. */
    public void finish() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    static String figures(SloStatus slo) {
        if (slo instanceof SloStatus.Ratio r) {
            return r.name() + " canary " + pct(r.canaryRatio()) + " vs baseline " + pct(r.baselineRatio()) + " (evidence "
                    + Numbers.evidence(r.evidence().relative()) + " of " + Numbers.threshold(r.evidence().threshold())
                    + ")";
        }
        SloStatus.Value v = (SloStatus.Value) slo;
        return v.name() + " " + (v.last().isPresent() ? Numbers.value(v.last().getAsDouble()) : "n/a");
    }

    private static String pct(java.util.OptionalDouble ratio) {
        return ratio.isPresent() ? Numbers.percent(ratio.getAsDouble()) : "n/a";
    }
}
