package io.prodgate.core.report;

import io.prodgate.core.smoke.CheckResult;
import io.prodgate.core.smoke.SmokeResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The smoke gate's HTML report: verdict and reasons, then every check with its evidence and timings. */
public final class SmokeHtml {
    private SmokeHtml() {
    }

    /** @param timeBox the section's time box, drawn as a limit on the timings */
    public static String render(SmokeResult r, Duration timeBox) {
        Html h = new Html("prodgate staging smoke", r.verdict(), "Staging smoke of " + (r.target() == null ? "-" : r.target())
                + ", " + Html.time(r.startedAt()) + ", " + TimingsSvg.seconds(Duration.between(r.startedAt(), r.finishedAt()))
                + "; " + r.gateFile());
        List<String> reasons = new ArrayList<>(r.reasons().stream().map(x -> x.message()).toList());
        r.warnings().forEach(w -> reasons.add("warning: " + w.message()));
        h.reasons(reasons);
        h.sectionStart("Timings", "timings");
        List<TimingsSvg.Bar> bars = r.checks().stream().map(c -> new TimingsSvg.Bar(c.name(),
                c.evidence() == null ? null : c.evidence().startedAt(), c.evidence() == null ? null : c.evidence().finishedAt(),
                ok(c))).toList();
        h.raw(TimingsSvg.render("smoke-timings", r.startedAt(), bars, timeBox, "time box"));
        h.sectionEnd();
        h.sectionStart("Checks", "checks");
        h.raw("<table><tr><th>check</th><th>outcome</th><th>what</th><th>evidence</th></tr>");
        for (CheckResult c : r.checks()) {
            h.raw("<tr><td>").text(c.name()).raw("</td><td>").raw(Html.tag(c.outcome().name().toLowerCase(java.util.Locale.ROOT)
                    .replace("timed_out", "failed").replace("not_run", "skipped"))).raw("</td><td>").text(c.what())
                    .raw("</td><td>").text(c.message());
            if (c.evidence() != null) {
                var e = c.evidence();
                h.raw("<div class=\"muted\">").text(evidence(e)).raw("</div>");
                if (e.excerpt() != null && !e.excerpt().isBlank()) {
                    h.raw("<pre>").text(e.excerpt()).raw("</pre>");
                }
            }
            h.raw("</td></tr>");
        }
        h.raw("</table>").sectionEnd();
        return h.finish();
    }

    public static void write(Path file, SmokeResult r, Duration timeBox) throws IOException {
        Html.write(file, render(r, timeBox));
    }

    private static Boolean ok(CheckResult c) {
        return switch (c.outcome()) {
            case PASSED -> true;
            case NOT_RUN -> null;
            default -> false;
        };
    }

    private static String evidence(io.prodgate.core.smoke.CheckEvidence e) {
        List<String> parts = new ArrayList<>();
        if (e.status() != null) {
            parts.add("HTTP " + e.status());
        }
        if (e.exitCode() != null) {
            parts.add("exit " + e.exitCode());
        }
        if (e.latency() != null) {
            parts.add("latency " + e.latency().toMillis() + " ms");
        }
        if (e.duration() != null) {
            parts.add("took " + TimingsSvg.seconds(e.duration()));
        }
        if (e.attempts() > 1) {
            parts.add(e.attempts() + " attempts");
        }
        return String.join(", ", parts);
    }
}
