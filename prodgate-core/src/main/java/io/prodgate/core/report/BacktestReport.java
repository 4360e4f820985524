package io.prodgate.core.report;

import io.prodgate.core.canary.BacktestSummary;
import io.prodgate.core.canary.BakePlanner;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A backtest's report: one gate file replayed over many past deploy windows, what it would have decided for each, and
 * the summary. Serialized as the JSON report; the JUnit XML (one case per window) and the HTML page are views of it.
 *
 * @param at      when the backtest ran
 * @param windows in the backtest's order
 */
public record BacktestReport(String gate, String gateFile, String gateDigest, Instant at, List<WindowReport> windows,
                             BacktestSummary summary) {
    public BacktestReport {
        windows = List.copyOf(windows);
    }

    /**
     * One window.
     *
     * @param label            {@code good}, {@code bad}, or null
     * @param timeToFail       seconds from the window's start to its FAIL; null unless FAIL
     * @param reasonTypes      the decision's reason types, each once
     * @param misjudged        a bad deploy PASSed or a good one FAILed
     * @param plan             what the bake could decide at the window's own traffic; null when not worked out
     * @param error            why the window could not be replayed; null when it was (verdict is then null)
     * @param report           the window's own canary report (HTML), relative to the backtest's page; null if none
     */
    public record WindowReport(int index, String origin, Instant from, Instant to, String label,
                               String canarySelector, String baselineSelector, Verdict verdict, Instant decidedAt,
                               Double timeToFail, List<ReasonType> reasonTypes, List<String> reasons,
                               boolean misjudged, PlanReport plan, String error, String report) {
        public WindowReport {
            reasonTypes = List.copyOf(reasonTypes);
            reasons = List.copyOf(reasons);
        }

        /** The window's outcome in one word: its verdict, or ERROR. */
        public String outcome() {
            return verdict == null ? "ERROR" : verdict.name();
        }

        /** The JUnit test case's name: its place, its origin, its label. */
        String caseName() {
            return String.format(Locale.ROOT, "%03d %s", index, origin) + " " + from
                    + (label == null ? "" : " (" + label + ")");
        }
    }

    public static BacktestReport of(String gateFile, String gateDigest, Instant at, List<WindowReport> windows,
                                    BacktestSummary summary) {
        return new BacktestReport("backtest", gateFile, gateDigest, at, windows, summary);
    }

    /**
     * One JUnit case per window: a bad deploy PASSed or a good one FAILed is a failure; a window that could not be
     * replayed is a failure too (its error); an INCONCLUSIVE is skipped with its reason; the others pass.
     */
    public List<JUnitXml.TestCase> testCases() {
        List<JUnitXml.TestCase> cases = new ArrayList<>();
        for (WindowReport w : windows) {
            double seconds = w.decidedAt() == null ? 0 : Duration.between(w.from(), w.decidedAt()).toMillis() / 1000.0;
            String reasons = String.join("; ", w.reasons());
            JUnitXml.Outcome outcome;
            String message;
            if (w.error() != null) {
                outcome = JUnitXml.Outcome.FAILED;
                message = "could not be replayed: " + w.error();
            } else if (w.misjudged()) {
                outcome = JUnitXml.Outcome.FAILED;
                message = "a " + w.label() + " deploy, yet " + w.verdict() + ": " + reasons;
            } else if (w.verdict() == Verdict.INCONCLUSIVE) {
                outcome = JUnitXml.Outcome.SKIPPED;
                message = "INCONCLUSIVE: " + reasons;
            } else {
                outcome = JUnitXml.Outcome.PASSED;
                message = w.verdict() + (w.label() == null ? "" : " (" + w.label() + ")") + ": " + reasons;
            }
            cases.add(new JUnitXml.TestCase("prodgate.backtest", w.caseName(), seconds, outcome, message, message));
        }
        return cases;
    }

    /** The summary in a few lines, as the command prints it (each without a line break). */
    public List<String> summaryLines() {
        BacktestSummary s = summary;
        List<String> out = new ArrayList<>();
        out.add(s.windows() + " windows: " + s.verdicts().get(Verdict.FAIL) + " would have blocked ("
                + share(s.share(Verdict.FAIL)) + "), " + s.verdicts().get(Verdict.PASS) + " passed ("
                + share(s.share(Verdict.PASS)) + "), " + s.verdicts().get(Verdict.INCONCLUSIVE)
                + " inconclusive (" + share(s.share(Verdict.INCONCLUSIVE)) + ")"
                + (s.errors() == 0 ? "" : ", " + s.errors() + " could not be replayed"));
        if (s.labelled()) {
            out.add(String.format(Locale.ROOT, "%-10s %7s %7s %13s %7s", "", "FAIL", "PASS", "INCONCLUSIVE",
                    "error"));
            out.add(row("bad", s.bad(), "caught", "promoted"));
            out.add(row("good", s.good(), "failed", "passed"));
            if (s.unlabelled().total() > 0) {
                out.add(row("unlabelled", s.unlabelled(), "", ""));
            }
            out.add("catch rate: " + (s.catchRate() == null ? "n/a (no bad window judged)"
                    : Numbers.percent(s.catchRate()) + " (" + s.bad().failed() + " of " + s.bad().judged()
                            + " bad deploys FAILed)")
                    + "; false-alarm rate: " + (s.falseAlarmRate() == null ? "n/a (no good window judged)"
                    : Numbers.percent(s.falseAlarmRate()) + " (" + s.good().failed() + " of " + s.good().judged()
                            + " good deploys FAILed)"));
        }
        out.add("time to FAIL" + (s.labelled() ? " (bad deploys caught)" : "") + ": "
                + (s.medianTimeToFail() == null ? "no FAIL" : "median " + Durations.human(s.medianTimeToFail())
                        + ", worst " + Durations.human(s.worstTimeToFail())));
        if (!s.topReasons().isEmpty()) {
            out.add("top reasons: " + String.join(", ", s.topReasons().stream()
                    .map(r -> r.type() + " (" + r.windows() + ")").toList()));
        }
        return out;
    }

    private static String row(String label, BacktestSummary.Outcomes o, String failed, String passed) {
        return String.format(Locale.ROOT, "%-10s %7d %7d %13d %7d", label, o.failed(), o.passed(), o.inconclusive(),
                o.errors()) + (failed.isEmpty() ? "" : "   (" + o.failed() + " " + failed + ", " + o.passed() + " "
                + passed + ")");
    }

    /** Per SLO, the chance the window's bake passes a healthy canary and fails a regressed one, at its traffic. */
    public static String planSummary(PlanReport p) {
        if (p == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (PlanReport.Slo s : p.slos()) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(s.name()).append(": passes a healthy canary ").append(Numbers.chance(s.passChance()))
                    .append(", fails a regressed one ").append(Numbers.chance(s.failChance()));
            if (s.passChance() < BakePlanner.TARGET_PASS_CHANCE && s.bakeNeeded() != null) {
                b.append(" (needs a ").append(Durations.human(s.bakeNeeded())).append(" bake)");
            }
        }
        for (String problem : p.problems()) {
            b.append(b.length() > 0 ? "; " : "").append(problem);
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    static String share(Double fraction) {
        return fraction == null ? "n/a" : Numbers.percent(fraction);
    }
}
