package io.prodgate.cli.bench;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidencePolicy;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.report.Reports;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * What writing a canary gate's reports costs as bakes grow: a healthy bake of 30, 480 and 1,440 evaluations (two
 * ratio SLOs and a value check, one a minute), its JSON, JUnit and HTML reports built and rendered several times; the
 * median per bake and per evaluation. Linear growth means the reports never judge the bake again per prefix.
 */
final class ReportBenchmark {
    static final int[] EVALUATIONS = {30, 480, 1440};
    static final int RUNS = 7;

    private ReportBenchmark() {
    }

    static void run(PrintWriter out) {
        median(spec(EVALUATIONS[EVALUATIONS.length - 1])); // warm the JIT up, or the first size pays for it
        out.printf(Locale.ROOT, "%-12s %14s %20s %16s%n", "evaluations", "reports (ms)", "per evaluation (us)",
                "JSON+HTML+JUnit");
        for (int n : EVALUATIONS) {
            long[] figures = median(spec(n));
            double ms = figures[0] / 1e6;
            out.printf(Locale.ROOT, "%-12d %14.1f %20.1f %13.0f KB%n", n, ms, ms * 1000 / n, figures[1] / 1024.0);
        }
    }

    /** The median time to build and render the three reports of one bake, and their size. */
    private static long[] median(CanarySpec spec) {
        BakeState bake = bake(spec);
        long[] nanos = new long[RUNS];
        long bytes = 0;
        for (int r = 0; r < RUNS; r++) {
            long t = System.nanoTime();
            CanaryReport report = CanaryReport.of("bench.yaml", spec, bake, "replay");
            bytes = Reports.json(report).length() + CanaryHtml.render(report).length()
                    + JUnitXml.render("prodgate canary gate", report.decidedAt(), report.testCases()).length();
            nanos[r] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new long[] {nanos[RUNS / 2], bytes};
    }

    static CanarySpec spec(int evaluations) {
        return CanarySpec.builder().selectors("track=\"canary\"", "track=\"stable\"")
                .bake(Duration.ofMinutes(evaluations)).interval(Duration.ofMinutes(1))
                .maxDataGap(Duration.ofMinutes(5)).policy(EvidencePolicy.inconclusive())
                .slos(List.of(
                        new RatioSlo("availability", "b{${selector}}[${window}]", false, "t{${selector}}[${window}]",
                                0.99, 0.1),
                        new RatioSlo("latency", "s{${selector}}[${window}]", false, "t{${selector}}[${window}]",
                                0.95, 0.1),
                        new ValueCheck("cpu", "c{${selector}}", OptionalDouble.empty(), OptionalDouble.of(0.9), 2)))
                .build();
    }

    /** A healthy bake to its end, from seeded counts (the same bake on every run). */
    static BakeState bake(CanarySpec spec) {
        SplittableRandom rng = new SplittableRandom(1);
        CanaryGate gate = new CanaryGate(spec, "sha256:bench", (s, start, from, at) -> {
            List<SloEvidence> out = new ArrayList<>();
            out.add(new SloEvidence("availability", counts(rng, 1200, 0.005), counts(rng, 10800, 0.005)));
            out.add(new SloEvidence("latency", counts(rng, 1200, 0.02), counts(rng, 10800, 0.02)));
            out.add(new SloEvidence("cpu", Reading.value(0.4 + 0.1 * rng.nextDouble()), null));
            return out;
        }, ProofRequirement.none());
        BakeState state = gate.start(Instant.parse("2026-11-24T10:00:00Z"));
        while (!state.decided()) {
            state = gate.evaluate(state, state.nextEvaluationAt()).state();
        }
        return state;
    }

    private static Reading counts(SplittableRandom rng, double mean, double bad) {
        long n = Math.round(mean + Math.sqrt(mean) * gaussian(rng));
        long b = Math.max(0, Math.round(n * bad + Math.sqrt(n * bad) * gaussian(rng)));
        return Reading.counts(Math.min(b, n), n);
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller: enough for synthetic counts
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
