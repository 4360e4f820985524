package io.prodgate.core.report;

import io.prodgate.core.rollback.PhaseProof;
import io.prodgate.core.rollback.PollEvidence;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rollback gate's HTML report: proven or not, then each phase's action, verification polls and timings. */
public final class RollbackHtml {
    private RollbackHtml() {
    }

    public static String render(RollbackProof p) {
        String ttr = p.timeToRollBack() == null ? "not rolled back" : "rolled back in " + TimingsSvg.seconds(p.timeToRollBack());
        Html h = new Html("prodgate rollback proof", p.proven() ? Verdict.PASS : Verdict.FAIL,
                (p.proven() ? "Proven" : "Not proven") + ": " + ttr + ", " + Html.time(p.startedAt()) + "; "
                        + (p.target() == null ? "" : p.target() + "; ") + p.gateFile());
        h.reasons(p.reasons().stream().map(r -> r.message()).toList());
        List<TimingsSvg.Bar> bars = new ArrayList<>();
        for (PhaseProof phase : phases(p)) {
            if (phase.action() != null) {
                bars.add(new TimingsSvg.Bar(phase.phase() + " action", phase.action().startedAt(),
                        phase.action().finishedAt(), phase.action().succeeded()));
            }
            bars.add(new TimingsSvg.Bar(phase.phase() + " verified", phase.action() == null ? phase.startedAt()
                    : phase.action().finishedAt(), phase.verifiedAt() != null ? phase.verifiedAt() : phase.finishedAt(),
                    phase.verified()));
        }
        h.sectionStart("Timings", "timings");
        h.raw(TimingsSvg.render("rollback-timings", p.startedAt(), bars,
                p.rollback() == null ? null : p.rollback().deadline(), "deadline"));
        h.sectionEnd();
        for (PhaseProof phase : phases(p)) {
            h.sectionStart(phase.phase(), "phase-" + phase.phase());
            h.raw("<table>");
            row(h, "outcome", phase.verified() ? "verified" : "not verified");
            if (phase.action() != null) {
                row(h, "action", phase.action().message());
            }
            row(h, "version", (phase.versionBefore() == null ? "?" : phase.versionBefore()) + " → "
                    + (phase.versionAfter() == null ? "?" : phase.versionAfter()) + " (expected " + phase.expectVersion() + ")");
            row(h, "time to verified", phase.timeToVerified() == null ? "-" : TimingsSvg.seconds(phase.timeToVerified()));
            for (var slo : phase.slos()) {
                row(h, "SLO " + slo.name(), slo.message());
            }
            h.raw("</table>");
            h.raw("<table class=\"polls\"><tr><th>poll</th><th>at</th><th>version</th><th>health</th></tr>");
            for (PollEvidence poll : phase.polls()) {
                h.raw("<tr><td>").text(Integer.toString(poll.attempt())).raw("</td><td>").text(Html.time(poll.at()))
                        .raw("</td><td>").text(poll.version() != null ? poll.version() : poll.versionError())
                        .raw(poll.versionOk() ? " ✓" : "").raw("</td><td>")
                        .text(poll.healthStatus() != null ? "HTTP " + poll.healthStatus()
                                : poll.healthError() == null ? "-" : poll.healthError())
                        .raw(poll.healthOk() ? " ✓" : "").raw("</td></tr>");
            }
            h.raw("</table>");
            h.sectionEnd();
        }
        return h.finish();
    }

    public static void write(Path file, RollbackProof p) throws IOException {
        Html.write(file, render(p));
    }

    private static List<PhaseProof> phases(RollbackProof p) {
        List<PhaseProof> out = new ArrayList<>();
        if (p.rollback() != null) {
            out.add(p.rollback());
        }
        if (p.rollForward() != null) {
            out.add(p.rollForward());
        }
        return out;
    }

    private static void row(Html h, String k, String v) {
        h.raw("<tr><th>").text(k).raw("</th><td>").text(v == null ? "-" : v).raw("</td></tr>");
    }
}
