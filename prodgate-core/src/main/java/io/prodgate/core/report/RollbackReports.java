package io.prodgate.core.report;

import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.report.JUnitXml.Outcome;
import io.prodgate.core.rollback.PhaseProof;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.SloCheck;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The rollback proof's JUnit XML (one case per phase step) and its short human summary. */
public final class RollbackReports {
    static final String CLASS_NAME = "prodgate.rollback";

    private RollbackReports() {
    }

    /** Testcases: each phase's action, its verification, and each SLO query. */
    public static String junit(RollbackProof proof) {
        List<JUnitXml.TestCase> cases = new ArrayList<>();
        addPhase(cases, proof.rollback());
        if (proof.rollForward() != null) {
            addPhase(cases, proof.rollForward());
        }
        return JUnitXml.render("prodgate rollback", proof.startedAt(), cases);
    }

    public static void writeJunit(Path file, RollbackProof proof) throws IOException {
        Reports.writeAtomically(file, junit(proof));
    }

    private static void addPhase(List<JUnitXml.TestCase> cases, PhaseProof p) {
        ActionRecord a = p.action();
        String what = a.argv() != null ? String.join(" ", a.argv()) : a.method() + " " + a.url();
        cases.add(new JUnitXml.TestCase(CLASS_NAME, p.phase() + " action", seconds(a.duration()),
                a.succeeded() ? Outcome.PASSED : Outcome.FAILED, a.message(),
                what + "\n" + a.message() + (a.excerpt().isEmpty() ? "" : "\n" + a.excerpt())));
        if (!a.succeeded()) {
            cases.add(new JUnitXml.TestCase(CLASS_NAME, p.phase() + " verified", 0, Outcome.SKIPPED,
                    "not verified: the action failed", ""));
            return;
        }
        // SLO reasons get their own testcases; CHECK_FAILED is version or health not back.
        String fail = p.reasons().stream().filter(r -> r.type() == ReasonType.CHECK_FAILED)
                .map(Reason::message).findFirst().orElse(null);
        String detail = "expected " + p.expectVersion() + ", before " + p.versionBefore() + ", after "
                + p.versionAfter() + ", " + p.pollCount() + " polls"
                + (p.timeToVerified() == null ? "" : ", verified after " + Durations.human(p.timeToVerified()));
        cases.add(new JUnitXml.TestCase(CLASS_NAME, p.phase() + " verified",
                seconds(p.timeToVerified() == null ? p.deadline() : p.timeToVerified()),
                fail == null ? Outcome.PASSED : Outcome.FAILED, fail, detail));
        for (SloCheck s : p.slos()) {
            cases.add(new JUnitXml.TestCase(CLASS_NAME, p.phase() + " slo " + s.name(), 0,
                    s.held() ? Outcome.PASSED : Outcome.FAILED, s.message(), s.query() + "\n" + s.message()));
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** A few lines for a terminal or a CI log. */
    public static String summary(RollbackProof proof) {
        StringBuilder out = new StringBuilder();
        phaseSummary(out, proof.rollback());
        if (proof.rollForward() != null) {
            phaseSummary(out, proof.rollForward());
        }
        out.append("rollback ").append(proof.proven() ? "PROVEN" : "NOT PROVEN").append(": ")
                .append(String.join("; ", proof.reasons().stream().map(Reason::message).toList())).append('\n');
        return out.toString();
    }

    private static void phaseSummary(StringBuilder out, PhaseProof p) {
        ActionRecord a = p.action();
        String what = a.argv() != null ? String.join(" ", a.argv()) : a.method() + " " + a.url();
        out.append(a.succeeded() ? "PASS " : "FAIL ").append(p.phase()).append(" action [").append(what)
                .append("] ").append(a.message()).append(" in ").append(Durations.human(a.duration())).append('\n');
        if (a.succeeded()) {
            out.append(p.verified() ? "PASS " : "FAIL ").append(p.phase()).append(" verified: ")
                    .append(p.versionBefore() == null ? "?" : p.versionBefore()).append(" -> ")
                    .append(p.versionAfter() == null ? "?" : p.versionAfter()).append(" (expected ")
                    .append(p.expectVersion()).append(")");
            if (p.timeToVerified() != null) {
                out.append(" in ").append(Durations.human(p.timeToVerified()));
            }
            out.append(", ").append(p.pollCount()).append(p.pollCount() == 1 ? " poll" : " polls").append('\n');
            for (SloCheck s : p.slos()) {
                out.append(s.held() ? "PASS " : "FAIL ").append(p.phase()).append(" slo ").append(s.name())
                        .append(": ").append(s.message()).append('\n');
            }
        }
    }

}
