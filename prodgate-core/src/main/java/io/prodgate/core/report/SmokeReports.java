package io.prodgate.core.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.prodgate.core.report.JUnitXml.Outcome;
import io.prodgate.core.smoke.CheckEvidence;
import io.prodgate.core.smoke.CheckResult;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The smoke gate's reports: the result as JSON, JUnit XML for CI, and a short human summary. */
public final class SmokeReports {
    static final String CLASS_NAME = "prodgate.smoke";

    private SmokeReports() {
    }

    public static String json(SmokeResult result) {
        return Reports.json(result);
    }

    public static void writeJson(Path file, SmokeResult result) throws IOException {
        Reports.writeJson(file, result);
    }

    /** Reads a JSON report back; fields added by newer versions are ignored. */
    public static SmokeResult readJson(Path file) throws IOException {
        return Reports.JSON.readerFor(SmokeResult.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(Files.readAllBytes(file));
    }

    /** One testcase per check, and one for the budget when it was exceeded. */
    public static String junit(SmokeResult result) {
        List<JUnitXml.TestCase> cases = new ArrayList<>();
        for (CheckResult c : result.checks()) {
            CheckEvidence e = c.evidence();
            String detail = c.what() + "\n" + c.message()
                    + (e.status() == null ? "" : "\nstatus: " + e.status())
                    + (e.exitCode() == null ? "" : "\nexit code: " + e.exitCode())
                    + (e.attempts() > 1 ? "\nattempts: " + e.attempts() : "")
                    + (e.excerpt().isEmpty() ? "" : "\n" + e.excerpt());
            Outcome outcome = switch (c.outcome()) {
                case PASSED -> Outcome.PASSED;
                case NOT_RUN -> Outcome.SKIPPED;
                case FAILED, TIMED_OUT -> Outcome.FAILED;
            };
            String message = c.message();
            if (result.advisory() && outcome == Outcome.FAILED) {
                // an advisory gate never blocks: what would fail is shown, nothing turns red
                outcome = Outcome.SKIPPED;
                message = "advisory, would fail: " + message;
                detail = "advisory, would fail: " + detail;
            } else if (outcome == Outcome.SKIPPED) {
                detail = message;
            }
            cases.add(new JUnitXml.TestCase(CLASS_NAME + "." + c.kind(), c.name(), seconds(e.duration()), outcome,
                    message, detail));
        }
        for (Reason r : result.reasons()) {
            if (r.type() == ReasonType.OVER_BUDGET) {
                cases.add(result.advisory()
                        ? new JUnitXml.TestCase(CLASS_NAME, "budget", 0, Outcome.SKIPPED, "advisory, would fail: "
                                + r.message(), "advisory, would fail: " + r.message())
                        : new JUnitXml.TestCase(CLASS_NAME, "budget", 0, Outcome.FAILED, r.message(), r.message()));
            }
        }
        for (Reason r : result.warnings()) {
            cases.add(new JUnitXml.TestCase(CLASS_NAME, "budget", 0, Outcome.PASSED, "", "warning: " + r.message()));
        }
        return JUnitXml.render("prodgate smoke", result.startedAt(), cases);
    }

    public static void writeJunit(Path file, SmokeResult result) throws IOException {
        Reports.writeAtomically(file, junit(result));
    }

    static double seconds(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }

    /** A line per check and the verdict, for a terminal or a CI log. */
    public static String summary(SmokeResult result) {
        StringBuilder out = new StringBuilder();
        for (CheckResult c : result.checks()) {
            out.append(switch (c.outcome()) {
                case PASSED -> "PASS ";
                case FAILED -> "FAIL ";
                case TIMED_OUT -> "TIME ";
                case NOT_RUN -> "SKIP ";
            }).append(c.name()).append(" [").append(c.kind()).append("] ").append(c.message()).append('\n');
        }
        for (Reason w : result.warnings()) {
            out.append("WARN ").append(w.message()).append('\n');
        }
        out.append("smoke ").append(result.advisory() ? "advisory, would " : "").append(result.verdict()).append(" in ").append(Durations.human(result.elapsed()))
                .append(": ");
        List<String> why = result.reasons().stream().map(Reason::message).toList();
        out.append(result.passed() ? why.get(0) : String.join("; ", why))
                .append(result.advisory() && !result.passed() ? " (advisory: it does not block)" : "").append('\n');
        return out.toString();
    }
}
