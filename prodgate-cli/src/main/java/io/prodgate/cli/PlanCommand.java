package io.prodgate.cli;

import io.prodgate.core.canary.BakePlanner;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.report.PlanReport;
import io.prodgate.core.report.Reports;
import io.prodgate.core.util.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prodgate plan}: before a bake, whether it can reach a verdict at the traffic the canary will get. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plan a canary bake from Prometheus: the baseline's recent traffic and bad ratio per SLO, and "
                + "what the configured bake can decide at the canary's share (simulated bakes, judged as the gate "
                + "judges)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the bake can reach a verdict for every SLO", "2:it cannot, or an SLO could not be planned",
                "64:bad arguments or gate file", "74:cannot write a file"})
public final class PlanCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus URL; overrides the gate file's.")
    String prometheusUrl;

    @Option(names = "--canary-share", paramLabel = "PERCENT",
            description = "The canary's share of traffic during the bake, e.g. 5% (default: measured, if it serves).")
    String canaryShare;

    @Option(names = "--lookback", paramLabel = "DURATION",
            description = "How far back to measure the traffic (default: one bake).")
    String lookback;

    @Option(names = "--at", paramLabel = "TIME",
            description = "Plan as of this past time (ISO-8601), with data before it only (default: now).")
    String at;

    @Option(names = "--canary-selector", paramLabel = "MATCHERS", description = "Overrides selectors.canary.")
    String canarySelector;

    @Option(names = "--baseline-selector", paramLabel = "MATCHERS", description = "Overrides selectors.baseline.")
    String baselineSelector;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulated bakes (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the plan as JSON here.")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        GateFile gate = GateFileLoader.load(config);
        CanarySpec spec = gate.requireCanary();
        if (canarySelector != null || baselineSelector != null) {
            spec = spec.withSelectors(canarySelector != null ? canarySelector : spec.canarySelector(),
                    baselineSelector != null ? baselineSelector : spec.baselineSelector());
        }
        Instant when = at == null ? clock.instant() : CanaryCommand.time("--at", at);
        Duration window = lookback == null ? spec.bake() : duration(lookback);
        OptionalDouble share = canaryShare == null ? OptionalDouble.empty() : OptionalDouble.of(share(canaryShare));
        try (PrometheusClient client = CanaryCommand.prometheus(gate, prometheusUrl, "plan")
                .openClient(gate.name(), System.getenv(), gate.baseDir())) {
            CanaryPlan plan = CanaryPlan.of(spec, new PrometheusEvidence(client), when, window, share, seed);
            out.println("plan for a " + Durations.human(spec.bake()) + " bake, traffic of the "
                    + Durations.human(window) + " before " + when + " (" + BakePlanner.DEFAULT_SIMULATIONS
                    + " simulated bakes per figure, seed " + seed + "):");
            plan.lines().forEach(l -> out.println("  " + l));
            out.println(plan.reachesVerdict() ? "the bake can reach a verdict for every SLO"
                    : "the bake cannot reach a verdict for every SLO");
            if (json != null) {
                Reports.writeJson(json, PlanReport.of(plan));
                out.println("  JSON report: " + json);
            }
            return plan.reachesVerdict() ? 0 : 2;
        }
    }

    private static Duration duration(String text) throws UsageException {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new UsageException("prodgate plan: --lookback must be positive, got '" + text + "'");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("prodgate plan: --lookback: " + e.getMessage());
        }
    }

    /** A share in percent, as the gate file writes objectives: "5%" or "5". */
    static double share(String text) throws UsageException {
        String t = text.strip();
        t = t.endsWith("%") ? t.substring(0, t.length() - 1).strip() : t;
        try {
            double p = Double.parseDouble(t);
            if (p > 0 && p <= BakePlanner.LARGEST_SHARE * 100) {
                return p / 100;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("prodgate plan: --canary-share must be a percentage above 0 and at most "
                + Math.round(BakePlanner.LARGEST_SHARE * 100) + " %, e.g. 5%, got '" + text + "'");
    }
}
