package io.prodgate.cli;

import io.prodgate.core.canary.BakeRunner;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Decision;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.report.Reports;
import io.prodgate.core.rollback.ProofPolicy;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code prodgate canary}: bakes a canary live, or replays a past window, and judges it on its SLOs. */
@Command(name = "canary", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge a canary on its SLOs against the baseline and the objectives, for the whole bake window.",
                "Live by default; with --from and --to, a replay over Prometheus' stored data, without waiting."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:PASS", "1:FAIL", "2:INCONCLUSIVE", "64:bad arguments or gate file", "74:cannot write a file"})
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
        CanarySpec spec = gate.requireCanary();
        if (canarySelector != null || baselineSelector != null) {
            spec = spec.withSelectors(canarySelector != null ? canarySelector : spec.canarySelector(),
                    baselineSelector != null ? baselineSelector : spec.baselineSelector());
        }
        Replay replay = replayWindow();
        if (replay != null) {
            spec = replay.apply(spec);
        }
        if (metrics.problem() != null) {
            throw new UsageException("prodgate canary: " + metrics.problem());
        }
        PrometheusSettings settings = prometheus(gate, prometheusUrl, "canary");
        try (PrometheusClient client = settings.openClient(gate.name(), System.getenv(), gate.baseDir())) {
            CanaryGate canary = new CanaryGate(spec, gate.digest(), new PrometheusEvidence(client),
                    proofRequirement(spec, gate));
            BakeState state = initialState(canary, gate, replay);
            boolean terminal = !quiet && replay == null && System.console() != null;
            BakeProgress progress = new BakeProgress(out, terminal);
            BakeRunner runner = new BakeRunner(canary, step -> {
                if (stateFile != null) {
                    BakeStates.write(stateFile, step.state());
                }
                if (!quiet) {
                    progress.onStep(step);
                }
            });
            if (!quiet) {
                out.println("canary gate: " + (replay != null ? "replaying " + state.startedAt() + " to " + state.endsAt()
                        : "baking until " + state.endsAt()) + ", every " + Durations.human(spec.interval()) + ", "
                        + spec.slos().size() + " SLOs, Prometheus " + client.endpoint());
            }
            if (!quiet && replay == null && state.evaluations().isEmpty()) {
                CanaryPlan.atStartOfBake(spec, new PrometheusEvidence(client), clock.instant()).announcement()
                        .forEach(out::println);
            }
            metrics.start(out);
            try {
                BakeState done = replay != null ? runner.replay(state) : runner.live(state, clock, sleeper);
                progress.finish();
                String service = metrics.service(config);
                metrics.metrics.verdict(service, "canary", done.decision().verdict());
                metrics.metrics.bake(service, done.decision().verdict(),
                        Duration.between(done.startedAt(), done.decision().decidedAt()));
                return finish(gate, spec, done, replay != null ? "replay" : "live", out);
            } finally {
                metrics.finish(commandSpec.commandLine().getErr());
            }
        }
    }

    private int finish(GateFile gate, CanarySpec spec, BakeState done, String mode, PrintWriter out) throws IOException {
        Decision d = done.decision();
        CanaryReport report = CanaryReport.of(gate.name(), spec, done, mode);
        BakeProgress.printDecision(out, done, "");
        reports.write(out, f -> Reports.writeJson(f, report),
                f -> JUnitXml.write(f, "prodgate canary gate", d.decidedAt(), report.testCases()),
                f -> CanaryHtml.write(f, report));
        return d.verdict().exitCode();
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

    /** The rollback proof, when the gate file requires one. */
    private ProofRequirement proofRequirement(CanarySpec spec, GateFile gate) {
        if (!spec.requireRollbackProof()) {
            return ProofRequirement.none();
        }
        return ProofPolicy.requirement(proofFile != null ? proofFile : Path.of("rollback-proof.json"),
                spec.maxProofAge(), gate.digest(), clock,
                proof -> metrics.metrics.proof(metrics.service(config), proof.finishedAt()));
    }

    private BakeState initialState(CanaryGate canary, GateFile gate, Replay replay) throws Exception {
        if (stateFile != null && Files.exists(stateFile)) {
            BakeState s;
            try {
                s = BakeStates.read(stateFile);
            } catch (IOException e) {
                throw new UsageException("prodgate: " + stateFile + ": not a bake state file: " + e.getMessage()
                        + "; delete it to start a new bake");
            }
            if (!s.gateDigest().equals(gate.digest())) {
                throw new UsageException("prodgate: " + stateFile + ": this bake state belongs to another version of the "
                        + "gate file; delete it to start a new bake");
            }
            // A resumed bake keeps its own window; a different one asked for would be silently ignored.
            if (replay != null && !(s.startedAt().equals(replay.from()) && s.endsAt().equals(replay.to()))) {
                throw new UsageException("prodgate canary: --state " + stateFile + " holds a bake from "
                        + s.startedAt() + " to " + s.endsAt() + ", which would be resumed instead of replaying --from "
                        + from + " --to " + to + "; delete it, name another --state file, or drop --from/--to");
            }
            return s;
        }
        return canary.start(replay != null ? replay.from() : clock.instant());
    }

    private Replay replayWindow() throws UsageException {
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
        return new Replay(start, end);
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

    /** A replay window: the bake becomes the window, so that the schedule is the one a live bake would have had. */
    record Replay(Instant from, Instant to) {
        CanarySpec apply(CanarySpec spec) throws UsageException {
            Duration bake = Duration.between(from, to);
            if (bake.compareTo(spec.interval()) < 0) {
                throw new UsageException("prodgate canary: the replay window (" + Durations.human(bake)
                        + ") is shorter than the interval (" + Durations.human(spec.interval()) + ")");
            }
            return spec.withBake(bake);
        }
    }
}
