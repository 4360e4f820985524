package io.prodgate.cli;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.Decision;
import io.prodgate.core.canary.Evaluation;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloStatus;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.Reason;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Shows a live bake: on a terminal, one line redrawn in place (elapsed against bake, and each SLO's figures); without
 * one, a plain log line per evaluation, which is what CI logs want.
 */
public final class BakeProgress {
    private final PrintWriter out;
    private final boolean terminal;
    private final Set<String> warned = new HashSet<>();
    private boolean lineOpen;

    public BakeProgress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
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
        if (!Double.isNaN(slo.lastValue()) || Double.isNaN(slo.canaryTotal())) {
            return slo.name() + " " + Numbers.value(slo.lastValue());
        }
        return String.format(Locale.ROOT, "%s canary %s vs baseline %s (evidence %.3g of %.0f)", slo.name(),
                pct(slo.canaryRatio()), pct(slo.baselineRatio()), slo.relativeEvidence(), slo.threshold());
    }

    private static String pct(double ratio) {
        return Numbers.percent(ratio);
    }

    /** The verdict, when it came, and its reasons; {@code note} follows the first line (e.g. ", as expected"). */
    public static void printDecision(PrintWriter out, BakeState done, String note) {
        Decision d = done.decision();
        out.println("canary gate: " + d.verdict() + " at " + d.decidedAt() + " ("
                + Durations.human(Duration.between(done.startedAt(), d.decidedAt())) + " into the bake)" + note);
        for (Reason r : d.reasons()) {
            out.println("  - " + r.message());
        }
    }
}
