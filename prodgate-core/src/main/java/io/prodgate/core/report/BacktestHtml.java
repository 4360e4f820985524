package io.prodgate.core.report;

import io.prodgate.core.canary.BacktestSummary;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.util.List;

/**
 * A backtest on one page: the summary (the confusion table and rates where windows are labelled), then a row per
 * window linking to its own canary report. Like every report, no script and no inline style: the stylesheet beside it.
 */
public final class BacktestHtml {
    private BacktestHtml() {
    }

    public static String render(BacktestReport r) {
        BacktestSummary s = r.summary();
        boolean misjudged = r.windows().stream().anyMatch(BacktestReport.WindowReport::misjudged);
        String tone = misjudged ? "FAIL" : s.errors() > 0 || s.labelled() && s.catchRate() == null ? "INCONCLUSIVE"
                : s.labelled() ? "PASS" : "INCONCLUSIVE";
        String headline = s.labelled()
                ? "caught " + BacktestReport.share(s.catchRate()) + ", false alarms "
                        + BacktestReport.share(s.falseAlarmRate())
                : "blocked " + BacktestReport.share(s.share(Verdict.FAIL)) + " of " + s.judged();
        Html h = new Html("prodgate backtest", tone, headline, s.windows() + " past deploy windows replayed; "
                + r.gateFile() + "; " + Html.time(r.at()));
        summary(h, s);
        windows(h, r.windows());
        h.sectionStart("Settings", "settings");
        h.raw("<table>");
        row(h, "gate file", r.gateFile());
        row(h, "gate file digest", r.gateDigest());
        h.raw("</table>").sectionEnd();
        return h.finish();
    }

    private static void summary(Html h, BacktestSummary s) {
        h.sectionStart("Summary", "summary");
        h.raw("<table><tr><th>windows</th><th>FAIL (would have blocked)</th><th>PASS</th><th>INCONCLUSIVE</th>"
                + "<th>could not be replayed</th></tr><tr><td>").text(Integer.toString(s.windows()))
                .raw("</td><td>").text(count(s.verdicts().get(Verdict.FAIL), s.share(Verdict.FAIL)))
                .raw("</td><td>").text(count(s.verdicts().get(Verdict.PASS), s.share(Verdict.PASS)))
                .raw("</td><td>").text(count(s.verdicts().get(Verdict.INCONCLUSIVE), s.share(Verdict.INCONCLUSIVE)))
                .raw("</td><td>").text(Integer.toString(s.errors())).raw("</td></tr></table>\n");
        if (s.labelled()) {
            h.raw("<h2>Confusion table</h2><table id=\"confusion\"><tr><th>deploy</th><th>FAIL</th><th>PASS</th>"
                    + "<th>INCONCLUSIVE</th><th>could not be replayed</th></tr>");
            outcomes(h, "bad (FAIL: caught, PASS: promoted)", "bad", s.bad());
            outcomes(h, "good (FAIL: false alarm, PASS: passed)", "good", s.good());
            if (s.unlabelled().total() > 0) {
                outcomes(h, "unlabelled", "unlabelled", s.unlabelled());
            }
            h.raw("</table>\n<table>");
            row(h, "catch rate", s.catchRate() == null ? "n/a: no bad deploy judged"
                    : Numbers.percent(s.catchRate()) + " (" + s.bad().failed() + " of " + s.bad().judged()
                            + " bad deploys FAILed)");
            row(h, "false-alarm rate", s.falseAlarmRate() == null ? "n/a: no good deploy judged"
                    : Numbers.percent(s.falseAlarmRate()) + " (" + s.good().failed() + " of " + s.good().judged()
                            + " good deploys FAILed)");
        } else {
            h.raw("<table>");
        }
        row(h, s.labelled() ? "time to FAIL, bad deploys caught" : "time to FAIL",
                s.medianTimeToFail() == null ? "no FAIL" : "median " + Durations.human(s.medianTimeToFail())
                        + ", worst " + Durations.human(s.worstTimeToFail()));
        row(h, "top reasons", s.topReasons().isEmpty() ? "-" : String.join(", ", s.topReasons().stream()
                .map(x -> x.type() + " (" + x.windows() + " windows)").toList()));
        h.raw("</table>").sectionEnd();
    }

    private static void outcomes(Html h, String title, String id, BacktestSummary.Outcomes o) {
        h.raw("<tr id=\"confusion-" + Html.esc(id) + "\"><th>").text(title).raw("</th><td>")
                .text(Integer.toString(o.failed())).raw("</td><td>").text(Integer.toString(o.passed()))
                .raw("</td><td>").text(Integer.toString(o.inconclusive())).raw("</td><td>")
                .text(Integer.toString(o.errors())).raw("</td></tr>");
    }

    private static void windows(Html h, List<BacktestReport.WindowReport> windows) {
        h.sectionStart("Windows", "windows");
        h.raw("<table><tr><th>#</th><th>window</th><th>label</th><th>verdict</th><th>time to FAIL</th>"
                + "<th>reasons</th><th>plan at its traffic</th><th>report</th></tr>");
        for (BacktestReport.WindowReport w : windows) {
            h.raw("<tr id=\"window-" + w.index() + "\"><td>").text(Integer.toString(w.index())).raw("</td><td>")
                    .text(w.origin()).raw("<br><span class=\"muted\">").text(Html.time(w.from()) + " to "
                            + Html.time(w.to())).raw("</span>");
            if (w.canarySelector() != null) {
                h.raw("<br><span class=\"muted\">").text("canary: " + w.canarySelector()).raw("</span>");
            }
            if (w.baselineSelector() != null) {
                h.raw("<br><span class=\"muted\">").text("baseline: " + w.baselineSelector()).raw("</span>");
            }
            h.raw("</td><td>").text(w.label() == null ? "-" : w.label()).raw("</td><td>");
            h.raw(w.verdict() == null ? "<span class=\"tag failed\">ERROR</span>" : Html.tag(w.verdict().name()));
            if (w.misjudged()) {
                h.raw(" <span class=\"tag failed\">").text(w.verdict() == Verdict.PASS ? "bad promoted"
                        : "false alarm").raw("</span>");
            }
            h.raw("</td><td>").text(w.timeToFail() == null ? "-"
                    : Durations.human(Duration.ofMillis(Math.round(w.timeToFail() * 1000)))).raw("</td><td>");
            if (w.error() != null) {
                h.raw("<pre>").text(w.error()).raw("</pre>");
            } else {
                h.raw("<ul class=\"reasons\">");
                for (String reason : w.reasons()) {
                    h.raw("<li>").text(reason).raw("</li>");
                }
                h.raw("</ul>");
            }
            h.raw("</td><td>").text(BacktestReport.planSummary(w.plan())).raw("</td><td>");
            if (w.report() != null) {
                h.raw("<a href=\"").text(w.report()).raw("\">canary report</a>");
            } else {
                h.raw("-");
            }
            h.raw("</td></tr>\n");
        }
        h.raw("</table>").sectionEnd();
    }

    private static String count(Integer n, Double share) {
        return n + " (" + BacktestReport.share(share) + ")";
    }

    private static void row(Html h, String k, String v) {
        h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>");
    }
}
