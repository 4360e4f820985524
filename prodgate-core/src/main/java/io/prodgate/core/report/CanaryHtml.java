package io.prodgate.core.report;

import io.prodgate.core.util.Numbers;

import io.prodgate.core.util.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The canary gate's HTML report: verdict and reasons, then per SLO a timeline of canary against baseline. */
public final class CanaryHtml {
    private CanaryHtml() {
    }

    public static String render(CanaryReport r) {
        String subtitle = "Canary gate, " + r.mode() + " bake " + Html.time(r.startedAt()) + " to " + Html.time(r.endsAt())
                + (r.decidedAt() == null ? "" : "; decided at " + Html.time(r.decidedAt())) + "; " + r.gateFile();
        Html h = new Html("prodgate canary gate", r.verdict(), subtitle);
        h.reasons(r.reasons());
        if (r.restore() != null) {
            restore(h, r.restore());
        }
        if (!r.steps().isEmpty()) {
            steps(h, r);
        }
        h.sectionStart("SLOs", "slos");
        h.raw("<table><tr><th>SLO</th><th>state</th><th>canary</th><th>baseline</th><th>objective</th></tr>");
        for (CanaryReport.SloReport s : r.slos()) {
            h.raw("<tr><td>").text(s.name()).raw("</td><td>").raw(Html.tag(s.state())).raw("</td><td>")
                    .text(figures(s.canary(), s)).raw("</td><td>").text("value".equals(s.type()) ? "-" : figures(s.baseline(), s)).raw("</td><td>")
                    .text(objective(s)).raw("</td></tr>");
        }
        h.raw("</table>").sectionEnd();
        for (CanaryReport.SloReport s : r.slos()) {
            h.sectionStart(s.name(), "slo-" + s.name());
            h.raw("<div class=\"legend muted\"><span><i class=\"canary\"></i>canary</span>");
            if ("ratio".equals(s.type())) {
                h.raw("<span><i class=\"baseline\"></i>baseline</span><span><i class=\"budget\"></i>error budget</span>");
            }
            h.raw("<span>| cumulative bad-event ratio since the bake began; the vertical line is the decision</span></div>");
            boolean ratio = "ratio".equals(s.type());
            List<TimelineSvg.Point> canary = s.evaluations().stream()
                    .map(p -> new TimelineSvg.Point(p.at(), ratio ? p.canaryRatio()
                            : p.canary() == null ? null : p.canary().value())).toList();
            List<TimelineSvg.Point> baseline = ratio ? s.evaluations().stream()
                    .map(p -> new TimelineSvg.Point(p.at(), p.baselineRatio())).toList() : List.of();
            Double threshold = ratio ? Double.valueOf(1 - s.objective() / 100) : s.max() != null ? s.max() : s.min();
            String label = ratio ? "budget " + TimelineSvg.label(threshold, true) : s.bounds();
            String decision = r.verdict() == null ? null : r.verdict() + " at " + minutes(r);
            h.raw(TimelineSvg.render("timeline-" + s.name(), r.startedAt(), r.endsAt(), canary, baseline, threshold,
                    label, r.decidedAt(), decision, ratio, r.steps().stream()
                            .map(st -> new TimelineSvg.Marker(st.shiftedAt(), Numbers.percent(st.weight() / 100)))
                            .toList()));
            if (ratio && s.relativeEvidence() != null) {
                h.raw("<p class=\"muted\">").text("Evidence of a regression against the baseline: "
                        + evidence(s.relativeEvidence()) + "; of a breach of the objective: "
                        + evidence(s.absoluteEvidence()) + "; each test decides at "
                        + evidence(s.threshold()) + "." + (s.ratioUpperBound() == null ? ""
                                : " Upper bound of canary/baseline bad ratio: " + Numbers.times(s.ratioUpperBound())
                                        + ".")).raw("</p>");
            }
            h.sectionEnd();
        }
        h.sectionStart("Settings", "settings");
        CanaryReport.Settings st = r.settings();
        h.raw("<table>");
        row(h, "canary selector", st.canarySelector());
        row(h, "baseline selector", st.baselineSelector());
        row(h, "bake / interval", Durations.human(st.bake()) + " / " + Durations.human(st.interval()));
        row(h, "false-alarm rate", Double.toString(st.falseAlarmRate()));
        row(h, "detectable regression", st.detectableRegression() + "x");
        row(h, "gate file digest", r.gateDigest());
        h.raw("</table>").sectionEnd();
        return h.finish();
    }

    public static void write(Path file, CanaryReport r) throws IOException {
        Html.write(file, render(r));
    }

    /** A progressive canary's steps: the weight asked for, when the data showed it, and each SLO inside the step. */
    private static void steps(Html h, CanaryReport r) {
        h.sectionStart("Steps", "steps");
        h.raw("<table><tr><th>step</th><th>weight</th><th>shift asked</th><th>shift seen</th><th>canary share</th>");
        for (CanaryReport.StepSlo slo : r.steps().get(0).slos()) {
            h.raw("<th>").text(slo.name() + ": canary vs baseline").raw("</th>");
        }
        h.raw("</tr>");
        for (CanaryReport.StepReport st : r.steps()) {
            h.raw("<tr><td>").text(Integer.toString(st.step())).raw("</td><td>")
                    .text(Numbers.percent(st.weight() / 100)).raw("</td><td>").text(Html.time(st.shiftedAt()))
                    .raw("</td><td>").text(st.settledAt() == null ? "not seen" : Html.time(st.settledAt()))
                    .raw("</td><td>").text(st.measuredShare() == null ? "-" : Numbers.percent(st.measuredShare() / 100))
                    .raw("</td>");
            for (CanaryReport.StepSlo slo : st.slos()) {
                h.raw("<td>").text(ratio(slo.canary()) + " vs " + ratio(slo.baseline())).raw("</td>");
            }
            h.raw("</tr>");
        }
        h.raw("</table>").sectionEnd();
    }

    private static String ratio(CanaryReport.Figures f) {
        return f == null || f.ratio() == null ? "no traffic" : Numbers.percent(f.ratio()) + " of " + Numbers.count(f.total());
    }

    /** The automatic rollback that followed the verdict, and how long the service took to be restored. */
    private static void restore(Html h, CanaryReport.Restore x) {
        h.sectionStart("Automatic rollback", "restore");
        h.raw("<table>");
        row(h, "restored", x.restored() ? "yes, verified" : "NO");
        row(h, "time to restore", Durations.human(java.time.Duration.ofMillis(Math.round(x.timeToRestore() * 1000)))
                + (x.withinTarget() ? " (target " : " (SLOWER than the target of ")
                + Durations.human(java.time.Duration.ofMillis(Math.round(x.restoreWithin() * 1000))) + ")");
        row(h, "traffic", x.traffic().isEmpty() ? "-" : x.traffic());
        row(h, "from / until", Html.time(x.from()) + " / " + Html.time(x.until()));
        h.raw("</table>");
        h.reasons(x.reasons());
        h.sectionEnd();
    }

    private static void row(Html h, String k, String v) {
        h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>");
    }

    private static String minutes(CanaryReport r) {
        return Durations.human(java.time.Duration.between(r.startedAt(), r.decidedAt()));
    }

    private static String figures(CanaryReport.Figures f, CanaryReport.SloReport s) {
        if (f == null) {
            return s.evaluations().isEmpty() || s.evaluations().get(s.evaluations().size() - 1).canary() == null ? "-"
                    : "last " + valueOf(s.evaluations().get(s.evaluations().size() - 1).canary().value());
        }
        if (f.ratio() == null) {
            return "no traffic";
        }
        return Numbers.percent(f.ratio()) + " bad of " + Numbers.count(f.total());
    }

    /** An e-value of the report: null where it was not finite (the report writes no NaN or infinity). */
    private static String evidence(Double v) {
        return v == null ? "n/a" : Numbers.evidence(v);
    }

    private static String valueOf(Double v) {
        return v == null ? "n/a" : Numbers.value(v);
    }

    private static String objective(CanaryReport.SloReport s) {
        if (s.objective() == null) {
            return s.bounds();
        }
        return Numbers.percent(s.objective() / 100) + " good, tolerance " + Numbers.percent(s.tolerance() / 100);
    }
}
