package io.prodgate.cli;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.run.BakeListener;
import io.prodgate.core.run.CanaryOverrides;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.run.RunInputException;
import io.prodgate.core.run.TrafficControl;
import io.prodgate.core.util.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code prodgate canary}: bakes a canary live, or replays a past window, and judges it on its SLOs. */
@Command(name = "canary", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge a canary on its SLOs against the baseline and the objectives, for the whole bake window.",
                "Live by default; with --from and --to, a replay over Prometheus' stored data, without waiting."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:PASS (any verdict with --advisory)", "1:FAIL", "2:INCONCLUSIVE", "64:bad arguments or gate file",
                "74:cannot write a file"})
public final class CanaryCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus URL; overrides the gate file's.")
    String prometheusUrl;

    @Option(names = "--from", paramLabel = "TIME", description = "Replay: the canary's start, ISO-8601 (2026-11-24T10:00:00Z).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Replay: the end of the bake window, ISO-8601.")
    String to;

    @Option(names = "--canary-selector", paramLabel = "MATCHERS", description = "Overrides selectors.canary.")
    String canarySelector;

    @Option(names = "--baseline-selector", paramLabel = "MATCHERS", description = "Overrides selectors.baseline.")
    String baselineSelector;

    @Option(names = "--state", paramLabel = "FILE",
            description = "Bake state, written after each evaluation; an existing one is resumed.")
    Path stateFile;

    @Option(names = "--proof", paramLabel = "FILE", description = "The rollback proof (from prodgate rollback) that "
            + "canary.rollbackProof.required asks for (default: rollback-proof.json).")
    Path proofFile;

    @Option(names = "--quiet", description = "Print only the verdict and its reasons.")
    boolean quiet;

    @Option(names = "--advisory", description = "Run and report as usual, but never block: exit 0 whatever the "
            + "verdict, printing the verdict it would have given (as canary.mode: advisory). Rolls nothing back.")
    boolean advisory;

    @Option(names = "--dry-run-slo", paramLabel = "NAME", description = "Make this SLO (a name, or a regular expression "
            + "matching whole names) a dry run: evaluated and reported, never part of the verdict. Repeatable.")
    List<String> dryRunSlos = new ArrayList<>();

    @CommandLine.Mixin
    ReportOptions reports = new ReportOptions();

    @CommandLine.Mixin
    MetricsOptions metrics = new MetricsOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Where Prometheus credentials go instead of its URL. */
    static final String PROMETHEUS_CREDENTIALS = "give prometheus.basicAuth (passwordEnv or passwordFile) or"
            + " prometheus.bearerTokenEnv in the gate file";

    /** Replaceable in tests: the wall clock and how to wait for it. */
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.SYSTEM;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        GateFile gate = GateFileLoader.load(config);
        CanaryOverrides overrides = CanaryOverrides.none().withSelectors(canarySelector, baselineSelector)
                .withAdvisory(advisory).withDryRunSlos(dryRunSlos);
        CanaryOverrides.Window window = replayWindow();
        CanaryRun run;
        try {
            run = CanaryRun.of(gate, window == null ? overrides : overrides.withReplay(window));
        } catch (RunInputException e) {
            throw new UsageException("prodgate canary: " + e.getMessage());
        }
        GateRunOptions.check("canary", metrics, null);
        PrometheusSettings settings = prometheus(gate, prometheusUrl, "canary");
        RunContext context = GateRunOptions.context(out, clock, System.getenv(), metrics, config);
        try (PrometheusClient client = settings.openClient(gate.name(), System.getenv(), gate.baseDir())) {
            TrafficControl traffic = window == null ? run.trafficFromGateFile(context) : TrafficControl.NONE;
            CanaryRun.Bake bake = run.bake(context, new PrometheusEvidence(client),
                    run.proofFromFile(proofFile != null ? proofFile : Path.of("rollback-proof.json"), context))
                    .shifting(traffic);
            BakeState state;
            try {
                state = bake.resumeOrStart(Optional.ofNullable(stateFile));
            } catch (RunInputException e) {
                throw new UsageException("prodgate canary: --state " + e.getMessage());
            }
            CanarySpec spec = run.spec();
            BakeProgress progress = new BakeProgress(out, window == null && System.console() != null,
                    "every " + Durations.human(spec.interval()) + ", " + spec.slos().size() + " SLOs, Prometheus "
                            + client.endpoint());
            return GateRunOptions.serving("canary", "the state or a report", metrics, out,
                    commandSpec.commandLine().getErr(), () -> {
                        BakeState done;
                        // stopped from outside (Ctrl-C, SIGTERM) mid-rollout: take the canary out of traffic
                        Thread abort = new Thread(() -> takeOutOfTraffic(traffic), "prodgate-abort");
                        boolean guard = traffic != TrafficControl.NONE && run.spec().rollout().isPresent();
                        if (guard) {
                            Runtime.getRuntime().addShutdownHook(abort);
                        }
                        try {
                            done = bake.run(state, sleeper, stateFile == null ? CanaryRun.StateStore.NONE
                                    : CanaryRun.StateStore.file(stateFile), quiet ? BakeListener.SILENT : progress);
                        } finally {
                            if (guard) {
                                removeHook(abort);
                            }
                        }
                        progress.finish();
                        bake.finish(done, reports.files());
                        return run.exitCode(done);
                    });
        }
    }

    private static void takeOutOfTraffic(TrafficControl traffic) {
        try {
            traffic.setWeight(0);
        } catch (Exception e) {
            System.err.println("prodgate canary: could not set the canary's weight to 0: " + e.getMessage());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is going down: the hook runs, as it should
        }
    }

    /** The gate file's Prometheus connection, with the URL of {@code --prometheus} when given. */
    static PrometheusSettings prometheus(GateFile gate, String url, String command)
            throws UsageException, GateFileException {
        if (url == null) {
            return gate.requirePrometheus();
        }
        String problem = CommandLineUrls.problem(url, PROMETHEUS_CREDENTIALS);
        if (problem != null) {
            throw new UsageException("prodgate " + command + ": --prometheus " + problem);
        }
        return gate.prometheus().map(p -> p.withUrl(url)).orElse(PrometheusSettings.of(url));
    }

    private CanaryOverrides.Window replayWindow() throws UsageException {
        if (from == null && to == null) {
            return null;
        }
        if (from == null || to == null) {
            throw new UsageException("prodgate canary: --from and --to go together (a replay needs both ends)");
        }
        Instant start = time("--from", from);
        Instant end = time("--to", to);
        if (!end.isAfter(start)) {
            throw new UsageException("prodgate canary: --to (" + to + ") must be after --from (" + from + ")");
        }
        return new CanaryOverrides.Window(start, end);
    }

    static Instant time(String option, String text) throws UsageException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new UsageException("prodgate canary: " + option + " '" + text
                        + "' is not an ISO-8601 time such as 2026-11-24T10:00:00Z");
            }
        }
    }
}
