package io.prodgate.cli;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.report.BacktestReport;
import io.prodgate.core.report.PlanReport;
import io.prodgate.core.run.Backtest;
import io.prodgate.core.run.CanaryOverrides;
import io.prodgate.core.run.DeployDiscovery;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.run.RunInputException;
import io.prodgate.core.util.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prodgate backtest}: one gate file replayed over many past deploy windows, and what it would have decided for
 * each: the catch rate and false-alarm rate on the team's own history, before the gate may block a release.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay a gate file over many past deploy windows (from a file, or discovered in Prometheus) "
                + "and print what it would have decided: per window its verdict, reasons, time to FAIL and plan; "
                + "with labels the confusion table, catch rate and false-alarm rate."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every window replayed, no labelled one misjudged",
                "1:a bad window PASSed or a good one FAILed", "2:some window could not be replayed",
                "64:bad arguments, gate file or window file", "74:cannot write a file"})
public final class BacktestCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--windows", paramLabel = "FILE", description = "The deploy windows: CSV with a header row, or "
            + "YAML, with start, end, label (good, bad), canary, baseline (see docs/rolling-out.md).")
    Path windowFile;

    @Option(names = "--discover", paramLabel = "DURATION", description = "Instead: find the deploys in Prometheus, "
            + "the first appearance of each canary label set (--discover-by) in this look-back range, e.g. 30d.")
    String discover;

    @Option(names = "--discover-by", paramLabel = "LABEL", split = ",", defaultValue = "version",
            description = "The labels that tell deploys apart (default: ${DEFAULT-VALUE}).")
    List<String> discoverBy;

    @Option(names = "--discover-metric", paramLabel = "NAME", description = "The metric whose canary series mark a "
            + "deploy (default: the one the first ratio SLO's events query selects).")
    String discoverMetric;

    @Option(names = "--discover-step", paramLabel = "DURATION", defaultValue = "15s", description = "The resolution "
            + "of discovery: at most the scrape interval for exact start times (default: ${DEFAULT-VALUE}).")
    String discoverStep;

    @Option(names = "--until", paramLabel = "TIME", description = "The end of the discovery range, ISO-8601 "
            + "(default: now).")
    String until;

    @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus URL; overrides the gate file's.")
    String prometheusUrl;

    @Option(names = "--canary-selector", paramLabel = "MATCHERS",
            description = "Overrides selectors.canary for windows that name none.")
    String canarySelector;

    @Option(names = "--baseline-selector", paramLabel = "MATCHERS",
            description = "Overrides selectors.baseline for windows that name none.")
    String baselineSelector;

    @Option(names = "--threads", defaultValue = "4", paramLabel = "N",
            description = "Windows replayed at once, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--no-plan", description = "Do not work out each window's plan (simulated bakes: CPU time).")
    boolean noPlan;

    @Option(names = "--quiet", description = "Print only the summary.")
    boolean quiet;

    @CommandLine.Mixin
    ReportOptions reports = new ReportOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Replaceable in tests. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        if ((windowFile == null) == (discover == null)) {
            throw new UsageException("prodgate backtest: give either --windows FILE or --discover DURATION");
        }
        if (threads < 1 || threads > 64) {
            throw new UsageException("prodgate backtest: --threads must be 1 to 64, got " + threads);
        }
        GateFile gate = GateFileLoader.load(config);
        List<Backtest.Window> windows = windowFile == null ? List.of() : BacktestWindows.read(windowFile);
        RunContext context = RunContext.builder().clock(clock).env(System.getenv())
                .progress(new ConsoleProgress(out)).build();
        try (PrometheusClient client = CanaryCommand.prometheus(gate, prometheusUrl, "backtest")
                .openClient(gate.name(), System.getenv(), gate.baseDir())) {
            Backtest backtest;
            CanarySpec spec;
            try {
                backtest = new Backtest(gate, CanaryOverrides.none().withSelectors(canarySelector, baselineSelector),
                        () -> new PrometheusEvidence(client), context);
                spec = backtest.spec();
            } catch (RunInputException | IllegalArgumentException e) {
                throw new UsageException("prodgate backtest: " + e.getMessage());
            }
            if (discover != null) {
                windows = discover(client, spec, out);
            }
            out.println("backtest: " + windows.size() + " windows of " + config + ", " + Math.min(threads,
                    Math.max(1, windows.size())) + " at a time, Prometheus " + client.endpoint());
            out.flush();
            BacktestProgress progress = new BacktestProgress(out, System.console() != null && !quiet);
            Backtest.Outcome outcome = backtest.run(windows, threads, !noPlan, reports.html,
                    quiet ? Backtest.Listener.SILENT : progress);
            progress.finish();
            if (!quiet) {
                out.println();
                for (Backtest.Result r : outcome.results()) {
                    out.println(String.format(java.util.Locale.ROOT, "%3d ", r.index()) + BacktestProgress.line(r));
                    if (r.plan() != null) {
                        out.println("      plan: " + BacktestReport.planSummary(PlanReport.of(r.plan())));
                    }
                }
                out.println();
            }
            BacktestReport summary = BacktestReport.of(gate.name(), gate.digest(), clock.instant(), List.of(),
                    outcome.summary());
            summary.summaryLines().forEach(l -> out.println("backtest: " + l));
            try {
                backtest.writeReports(outcome, reports.files(), clock.instant());
            } catch (IOException e) {
                throw new OutputException("prodgate backtest: cannot write a report: " + e.getMessage(), e);
            }
            out.flush();
            if (outcome.results().stream().anyMatch(Backtest.Result::misjudged)) {
                return 1;
            }
            return outcome.summary().errors() > 0 ? 2 : 0;
        }
    }

    private List<Backtest.Window> discover(PrometheusClient client, CanarySpec spec, PrintWriter out)
            throws UsageException {
        Duration range = duration("--discover", discover);
        Duration step = duration("--discover-step", discoverStep);
        Instant end;
        try {
            end = until == null ? clock.instant() : CanaryCommand.time("--until", until);
        } catch (UsageException e) {
            throw new UsageException(e.getMessage().replace("prodgate canary:", "prodgate backtest:"));
        }
        String metric = discoverMetric != null ? discoverMetric : DeployDiscovery.defaultMetric(spec).orElseThrow(
                () -> new UsageException("prodgate backtest: no ratio SLO selects a metric with ${selector}; name "
                        + "the metric that marks a deploy with --discover-metric"));
        List<String> by = discoverBy.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        DeployDiscovery.Found found;
        try {
            found = DeployDiscovery.discover(client, metric, spec.canarySelector(), by, end, range, step,
                    spec.bake());
        } catch (DeployDiscovery.DiscoveryException e) {
            throw new UsageException("prodgate backtest: --discover: " + e.getMessage());
        }
        out.println("backtest: discovered " + found.deploys().size() + " deploys of " + metric + "{"
                + spec.canarySelector() + "} by " + String.join(",", by) + " in the " + Durations.human(range)
                + " before " + end + " (resolution " + Durations.human(step) + ")");
        found.notes().forEach(n -> out.println("backtest:   " + n));
        List<Backtest.Window> windows = new ArrayList<>();
        for (DeployDiscovery.Deploy d : found.deploys()) {
            String matchers = d.matchers(by);
            windows.add(new Backtest.Window("discovered " + matchers, d.firstSeen(), null, null,
                    spec.canarySelector() + "," + matchers, null));
        }
        return windows;
    }

    private static Duration duration(String option, String text) throws UsageException {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new UsageException("prodgate backtest: " + option + " must be positive, got '" + text + "'");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("prodgate backtest: " + option + ": " + e.getMessage());
        }
    }
}
