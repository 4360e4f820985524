package io.prodgate.demo;

import io.prodgate.cli.BakeProgress;
import io.prodgate.cli.ConsoleProgress;
import io.prodgate.cli.ExitCodes;
import io.prodgate.cli.Main;
import io.prodgate.cli.UsageException;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.Decision;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.run.CanaryOverrides;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.ReportFiles;
import io.prodgate.core.run.RollbackRun;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.run.SmokeOverrides;
import io.prodgate.core.run.SmokeRun;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Verdict;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.LoadGenerator;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.TrafficSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code bin/demo}: the whole pipeline end to end on this machine. The release under test passes a staging
 * smoke test, its rollback path is rehearsed on the canary (back to the stable release and forward again, with a
 * proof), and then a real Prometheus scrapes a stable and a canary instance of a small checkout service under steady
 * traffic while the canary gate, requiring that proof, rolls out a healthy canary progressively (1 %, 10 %, 50 % of the
 * traffic, each step shifted through the load balancer's admin API by the gate file's traffic action: PASS at the end
 * of the last step) and then a faulty one (FAIL in the first step, then rolled back automatically: weight 0, then the
 * gate file's rollback section, timed). It writes the reports a CI job would keep.
 *
 * <p>The demo is a sequence of {@link Stage}s over one {@link DemoEnvironment}; each stage runs a gate and says
 * whether its verdict was the expected one. More stages (a staging smoke test, a rollback rehearsal) slot into
 * {@link #stages()}.
 */
@Command(name = "bin/demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole pipeline end to end on this machine: a staging smoke test, a rollback rehearsal "
                + "with its proof, then the canary gate while a real Prometheus (the Debian package prometheus) scrapes "
                + "a stable and a canary instance of a sample checkout service under load; the gate shifts the "
                + "canary's traffic 1 % -> 10 % -> 50 % through the load balancer and passes a healthy canary at the "
                + "end of the last step, and fails a faulty one within seconds at 1 % and rolls it back.",
                "Everything binds to 127.0.0.1 and stops when the demo ends."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every gate gave the expected verdict", "1:a gate gave another verdict",
                "64:bad arguments", "69:Prometheus is not installed or did not start",
                "74:cannot write the reports"})
public final class DemoCommand implements Callable<Integer> {
    /** EX_UNAVAILABLE: what the demo runs on (Prometheus) is missing or would not start. */
    static final int UNAVAILABLE = 69;

    /**
     * The release in production: 2 % errors (inside its 95 % objective), 40 ms median latency. Errors enough for the
     * gate to compare the canary with it, as a PASS needs: a canary "inside the budget" is not enough. The same for
     * latency: about 1 % of its requests take longer than the latency SLO's 0.1 s, so both sides have slow requests
     * enough to compare. A threshold far out in the tail would leave only the few slow requests of a stalled machine
     * (a loaded CI runner), too few to rule out a regression in a short bake.
     */
    static final Behaviour STABLE = new Behaviour("1.4.1", 0.02, 0.040, 0.4, true);
    /** The next release, behaving exactly like the stable one. */
    static final Behaviour HEALTHY_CANARY = STABLE.withVersion("1.4.2");
    /** A broken release: 8 % errors and about four times slower. */
    static final Behaviour FAULTY_CANARY = new Behaviour("1.5.0", 0.08, 0.150, 0.5, true);

    /** The rollout's bake in all, over its steps; {@link #stepBakes} spreads it. */
    static final Duration DEFAULT_BAKE = Duration.ofMinutes(2);
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final Duration QUICK_BAKE = Duration.ofMinutes(1);
    static final Duration QUICK_INTERVAL = Duration.ofSeconds(3);
    /** Four steps' worth of the shortest bake a step may have (10s). */
    static final Duration MIN_BAKE = Duration.ofSeconds(40);
    static final Duration MAX_BAKE = Duration.ofMinutes(30);
    static final Duration MAX_DATA_GAP = Duration.ofSeconds(30);
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    /**
     * The canary's share of the user traffic at each step of the rollout. The first is small, as in production: a
     * broken release reaches 1 % of the users, and the gate fails it there (at the demo's rate, within some 10-20s).
     */
    static final double[] STEP_WEIGHTS = {0.01, 0.10, 0.50};
    /** Each step's part of the bake: most of it at 50 %, where the canary's requests are. */
    static final double[] STEP_BAKE_PARTS = {0.25, 0.25, 0.50};
    /**
     * How long a shift may take to show in Prometheus, in intervals: it shows in the first window after it or the next
     * one (a window still holds up to a scrape interval of the old split), and a bound well beyond that costs nothing.
     */
    static final int SETTLE_INTERVALS = 4;
    /**
     * Canary requests the healthy rollout needs to PASS reliably. With 2 % errors on both sides the gate promotes once
     * the data rule out a canary twice as bad as the baseline at 99.5 % confidence: 12,000 canary requests (some 240
     * errors, against the baseline's) do that in all but a few rollouts in a thousand; 2,000 (60 requests/s over the
     * 2-minute rollout) in about half of them; the others end INCONCLUSIVE, and say what bake would have done. At
     * 1 % the canary sees few of them: most come at 50 %, whose step is half the bake, and the rate is set to match.
     */
    static final double CANARY_REQUESTS_NEEDED = 12_000;
    static final double MIN_RATE = 60;
    /** The most traffic the demo plans for; its 128 workers keep up with it at 40-150 ms a request. */
    static final double MAX_RATE = 800;
    /** Requests in flight at most: at 800 requests/s and 150 ms each, some 120. */
    static final int CONCURRENCY = 128;
    static final String GATE_RESOURCE = "/io/prodgate/demo/demo-gate.yaml";
    static final String GATE_FILE = "demo-gate.yaml";

    @Option(names = "--out", paramLabel = "DIR", description = "Where the reports go (default: ${DEFAULT-VALUE}).",
            defaultValue = "prodgate-demo-out")
    Path outDir;

    @Option(names = "--bake", paramLabel = "DURATION", description = "The rollout's bake in all, spread over its "
            + "steps: a quarter at 1 %, a quarter at 10 %, half at 50 % of the traffic, each once its shift is seen "
            + "(default: 2m; --quick: 1m).")
    String bake;

    @Option(names = "--interval", paramLabel = "DURATION",
            description = "How often the gate looks (default: 5s; --quick: 3s).")
    String interval;

    @Option(names = "--rate", paramLabel = "REQ/S", description = "Total requests per second, split by the load "
            + "balancer as the rollout's steps say (default: enough for the healthy canary to PASS by the end of the "
            + "last step, at least 60). Try --rate 60 to see the gate refuse to promote on too little evidence.")
    Double rate;

    @Option(names = "--quick", description = "A 1-minute rollout judged every 3s, with traffic to match (for tests).")
    boolean quick;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Replaceable in tests: the wall clock and how to wait for it. */
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.SYSTEM;

    /** The demo's own command line, outside the product jar, with the product's error handling and exit codes. */
    public static void main(String[] args) {
        CommandLine cli = Main.handlingErrors(new CommandLine(new DemoCommand()));
        cli.setOut(new PrintWriter(System.out, true));
        cli.setErr(new PrintWriter(System.err, true));
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        Plan plan = plan();
        if (!LocalPrometheus.isInstalled()) {
            err.println("prodgate demo: prometheus and promtool are not on the PATH; " + LocalPrometheus.INSTALL_HINT);
            return UNAVAILABLE;
        }
        Files.createDirectories(outDir);
        List<Stage> stages = stages();
        out.println("prodgate demo: staging smoke, rollback rehearsal and canary gate on a live service, end to end (about "
                + Durations.human(plan.expectedDuration(stages.size())) + ")");
        double canaryRequests = plan.canaryRequests();
        if (canaryRequests < CANARY_REQUESTS_NEEDED) {
            out.println(String.format(Locale.ROOT, "note: about %,.0f canary requests over the rollout's steps; the "
                    + "healthy canary needs some %,.0f to PASS reliably, so it may well end INCONCLUSIVE (too little "
                    + "traffic)", canaryRequests, CANARY_REQUESTS_NEEDED));
        }
        out.println();
        List<StageResult> results = new ArrayList<>();
        DemoEnvironment env;
        try {
            env = DemoEnvironment.start(plan.environment());
        } catch (IllegalStateException e) {
            err.println("prodgate demo: " + e.getMessage());
            return UNAVAILABLE;
        }
        try (env) {
            // No user traffic reaches the canary until a canary gate's first step brings it in.
            env.trafficSplitter().setCanaryPercent(0);
            Context ctx = new Context(out, outDir, plan, writeGateFile(env, plan), clock, sleeper);
            describe(env, ctx);
            for (int i = 0; i < stages.size(); i++) {
                Stage stage = stages.get(i);
                out.println();
                out.println("[" + (i + 1) + "/" + stages.size() + "] " + stage.title());
                results.add(stage.run(env, ctx));
            }
        } catch (Unavailable e) {
            out.flush();
            err.println("prodgate demo: " + e.getMessage());
            return UNAVAILABLE;
        }
        out.println();
        boolean allExpected = results.stream().allMatch(StageResult::asExpected);
        out.println("demo: " + results.stream().map(StageResult::summary).collect(Collectors.joining(", ")));
        out.println("reports, JUnit XML and bake states: " + outDir.toAbsolutePath().normalize());
        if (!allExpected) {
            out.println("demo: not every gate gave the verdict it should have; the reports above say why");
        }
        out.flush();
        return allExpected ? ExitCodes.PASS : ExitCodes.FAIL;
    }

    /** The demo's stages, in order. */
    List<Stage> stages() {
        return List.of(
                new SmokeStage(),
                new RollbackStage(),
                new CanaryStage("healthy-canary", "healthy canary", HEALTHY_CANARY, Verdict.PASS,
                        "behaves exactly like stable " + STABLE.version()),
                new CanaryStage("faulty-canary", "faulty canary", FAULTY_CANARY, Verdict.FAIL,
                        "is broken: " + describe(FAULTY_CANARY)));
    }

    /**
     * The body of the sample service's admin call that stands in for deploying a release: its version and how it
     * behaves (a real deploy brings the release's behaviour along with its version).
     */
    static String deployBody(Behaviour release) {
        return String.format(Locale.ROOT, "{\"version\":\"%s\",\"errorRate\":%s,\"latencyMedianSeconds\":%s,"
                + "\"latencySigma\":%s}", release.version(), release.errorRate(), release.latencyMedianSeconds(),
                release.latencySigma());
    }

    // ---------------------------------------------------------------------------------------------
    // The plan: bake, interval and traffic, from the options

    /**
     * What the demo will do.
     *
     * @param stepBakes each step's bake, in the order of {@link #STEP_WEIGHTS}
     * @param interval  how often the gate evaluates
     * @param traffic   the user traffic
     */
    record Plan(List<Duration> stepBakes, Duration interval, DemoEnvironment.Traffic traffic) {
        Plan {
            stepBakes = List.copyOf(stepBakes);
            if (stepBakes.size() != STEP_WEIGHTS.length) {
                throw new IllegalArgumentException("one bake per step: " + stepBakes);
            }
        }

        DemoEnvironment.Settings environment() {
            return new DemoEnvironment.Settings(STABLE, HEALTHY_CANARY, traffic, SCRAPE_INTERVAL);
        }

        /** The steps' bakes together. */
        Duration bake() {
            return stepBakes.stream().reduce(Duration.ZERO, Duration::plus);
        }

        /** How long a shift may take to show (canary.traffic.settle). */
        Duration settle() {
            return interval.multipliedBy(SETTLE_INTERVALS);
        }

        /** Canary requests over the steps' bakes (the settle time adds a little). */
        double canaryRequests() {
            return traffic.ratePerSecond() * canarySeconds(stepBakes);
        }

        /** At most {@link #MAX_DATA_GAP}, and shorter than the bake, as a gate file requires; at least an interval. */
        Duration maxDataGap() {
            Duration b = bake();
            Duration fit = MAX_DATA_GAP.compareTo(b.minus(interval)) > 0 ? b.minus(interval) : MAX_DATA_GAP;
            return fit.compareTo(interval) < 0 ? interval : fit;
        }

        /**
         * Roughly: the healthy rollout (its bakes, each shift seen in the first window after it), the faulty canary's
         * few intervals and its rollback, the short stages, and the set-up.
         */
        Duration expectedDuration(int stages) {
            return bake().plus(interval.multipliedBy(stepBakes.size()))
                    .plus(interval.multipliedBy(2L * Math.max(0, stages - 2))).plusSeconds(20);
        }

        /** E.g. {@code 1 % for 30s, 10 % for 30s, 50 % for 1m}. */
        String steps() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < stepBakes.size(); i++) {
                out.add(Numbers.percent(STEP_WEIGHTS[i]) + " for " + Durations.human(stepBakes.get(i)));
            }
            return String.join(", ", out);
        }
    }

    /** Seconds of the canary's full traffic that the steps give it: each step's weight times its bake. */
    static double canarySeconds(List<Duration> stepBakes) {
        double s = 0;
        for (int i = 0; i < stepBakes.size(); i++) {
            s += STEP_WEIGHTS[i] * stepBakes.get(i).toMillis() / 1000.0;
        }
        return s;
    }

    /** The rollout's bake spread over its steps, in whole seconds: a quarter, a quarter, and the rest. */
    static List<Duration> stepBakes(Duration bake) {
        long total = bake.toSeconds();
        List<Duration> out = new ArrayList<>();
        long given = 0;
        for (int i = 0; i < STEP_BAKE_PARTS.length - 1; i++) {
            long b = (long) Math.floor(total * STEP_BAKE_PARTS[i]);
            out.add(Duration.ofSeconds(b));
            given += b;
        }
        out.add(Duration.ofSeconds(total - given));
        return out;
    }

    Plan plan() throws UsageException {
        Duration b = bake != null ? duration("--bake", bake) : quick ? QUICK_BAKE : DEFAULT_BAKE;
        Duration i = interval != null ? duration("--interval", interval) : quick ? QUICK_INTERVAL : DEFAULT_INTERVAL;
        if (b.compareTo(MIN_BAKE) < 0 || b.compareTo(MAX_BAKE) > 0) {
            throw new UsageException("prodgate demo: --bake must be between " + Durations.human(MIN_BAKE) + " (10s "
                    + "for each of the first two steps, 20s for the last) and " + Durations.human(MAX_BAKE) + ", got "
                    + Durations.human(b));
        }
        List<Duration> steps = stepBakes(b);
        // No longer than the shortest step's bake, which a step must hold at least one evaluation for.
        Duration shortest = steps.stream().min(Duration::compareTo).orElseThrow();
        if (i.compareTo(Duration.ofSeconds(2)) < 0 || i.compareTo(shortest) > 0) {
            throw new UsageException("prodgate demo: --interval must be at least 2s (Prometheus scrapes every "
                    + Durations.human(SCRAPE_INTERVAL) + ") and at most the shortest step's bake ("
                    + Durations.human(shortest) + " of the " + Durations.human(b) + " bake), got "
                    + Durations.human(i));
        }
        if (rate != null) {
            if (!(rate >= 1 && rate <= LoadGenerator.MAX_RATE_LIMIT)) {
                throw new UsageException("prodgate demo: --rate must be between 1 and "
                        + (int) LoadGenerator.MAX_RATE_LIMIT + " requests per second, got " + rate);
            }
            return new Plan(steps, i, traffic(rate));
        }
        return new Plan(steps, i, trafficFor(steps));
    }

    /**
     * Traffic that gives the healthy canary {@link #CANARY_REQUESTS_NEEDED} requests by the end of the rollout's last
     * step, at most {@link #MAX_RATE}.
     */
    static DemoEnvironment.Traffic trafficFor(List<Duration> stepBakes) {
        double needed = CANARY_REQUESTS_NEEDED / canarySeconds(stepBakes);
        double rounded = Math.ceil(needed / 10) * 10;
        return traffic(Math.max(MIN_RATE, Math.min(MAX_RATE, rounded)));
    }

    /**
     * The rate, split by the load balancer. The environment's split starts at the first step's weight (it cannot
     * start at 0); the demo takes the canary out of traffic at once, until a gate's first step brings it in.
     */
    private static DemoEnvironment.Traffic traffic(double rate) {
        return new DemoEnvironment.Traffic(rate, STEP_WEIGHTS[0], CONCURRENCY);
    }

    private static Duration duration(String option, String text) throws UsageException {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("prodgate demo: " + option + ": " + e.getMessage());
        }
        if (d.toMillis() % 1000 != 0) {
            throw new UsageException("prodgate demo: " + option + " must be whole seconds, got " + text);
        }
        return d;
    }

    // ---------------------------------------------------------------------------------------------
    // Set-up

    /** Writes the demo's gate file, with this run's Prometheus, instances and rollout, to the output folder; loads it. */
    private GateFile writeGateFile(DemoEnvironment env, Plan plan) throws Exception {
        Path file = outDir.resolve(GATE_FILE);
        io.prodgate.core.util.AtomicFiles.writeString(file, gateFile(env.prometheus().url(), env.staging().url(),
                env.canary().url(), env.trafficAdminUrl(), plan));
        return GateFileLoader.load(file);
    }

    /**
     * The text of the demo's gate file for this run's Prometheus, staging and canary instances, load balancer admin
     * URL and rollout.
     */
    static String gateFile(String prometheusUrl, String stagingUrl, String canaryUrl, String trafficUrl, Plan plan)
            throws IOException {
        String template;
        try (InputStream in = DemoCommand.class.getResourceAsStream(GATE_RESOURCE)) {
            if (in == null) {
                throw new IOException("the demo's gate file " + GATE_RESOURCE + " is missing from the jar");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return template
                .replace("@PROMETHEUS_URL@", prometheusUrl)
                .replace("@STAGING_URL@", stagingUrl)
                .replace("@CANARY_URL@", canaryUrl)
                .replace("@TRAFFIC_URL@", trafficUrl)
                .replace("@RELEASE@", HEALTHY_CANARY.version())
                .replace("@PREVIOUS@", STABLE.version())
                .replace("@DEPLOY_RELEASE@", deployBody(HEALTHY_CANARY))
                .replace("@DEPLOY_PREVIOUS@", deployBody(STABLE))
                .replace("@BAKE_1@", Durations.human(plan.stepBakes().get(0)))
                .replace("@BAKE_2@", Durations.human(plan.stepBakes().get(1)))
                .replace("@BAKE_3@", Durations.human(plan.stepBakes().get(2)))
                .replace("@SETTLE@", Durations.human(plan.settle()))
                .replace("@INTERVAL@", Durations.human(plan.interval()))
                .replace("@MAX_DATA_GAP@", Durations.human(plan.maxDataGap()));
    }

    private void describe(DemoEnvironment env, Context ctx) {
        PrintWriter o = ctx.out();
        DemoEnvironment.Traffic t = ctx.plan().traffic();
        o.println("  Prometheus  " + env.prometheus().url() + ", scraping both instances every "
                + Durations.human(SCRAPE_INTERVAL));
        o.println("  stable      " + env.stable().url() + "  checkout " + env.stable().behaviour().version() + ", "
                + describe(env.stable().behaviour()) + "; labels app=\"checkout\",track=\"stable\"");
        o.println("  canary      " + env.canary().url() + "  checkout " + env.canary().behaviour().version() + ", "
                + describe(env.canary().behaviour()) + "; labels app=\"checkout\",track=\"canary\"");
        o.println("  staging     " + env.staging().url() + "  checkout " + env.staging().behaviour().version()
                + ", the release under test, off the production traffic");
        o.println(String.format(Locale.ROOT, "  traffic     %.0f requests/s through the load balancer, whose admin "
                + "API %s sets the canary's share (none until a gate's first step)", t.ratePerSecond(),
                env.trafficAdminUrl()));
        o.println("  gate file   " + ctx.gate().source() + ": availability (5xx) objective 95 %, latency (under 0.1 s)"
                + " objective 95 %, judged every " + Durations.human(ctx.plan().interval()) + "; steps "
                + ctx.plan().steps() + ", each from when Prometheus shows its shift (within "
                + Durations.human(ctx.plan().settle()) + "); a FAIL rolls back");
    }

    static String describe(Behaviour b) {
        return String.format(Locale.ROOT, "%s %% errors, median latency %.0f ms", trim(b.errorRate() * 100),
                b.latencyMedianSeconds() * 1000);
    }

    private static String trim(double x) {
        String s = String.format(Locale.ROOT, "%.2f", x);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    // ---------------------------------------------------------------------------------------------
    // Stages

    /** The environment cannot do what a stage needs (e.g. Prometheus scrapes nothing): exit 69 with the message. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What every stage shares: where to print and write, the plan, the loaded gate file, and the clock.
     *
     * @param outDir the demo's output folder; each stage writes into its own sub-folder
     */
    record Context(PrintWriter out, Path outDir, Plan plan, GateFile gate, Clock clock, Sleeper sleeper) {
        /** A gate run's context as {@code prodgate} gives it: progress on the demo's output, its clock. */
        RunContext runContext() {
            return RunContext.builder().clock(clock).progress(new ConsoleProgress(out)).build();
        }
    }

    /** One step of the demo: changes the environment, runs a gate, and reports how that went. */
    interface Stage {
        /** A short name for the summary line, e.g. {@code healthy canary}. */
        String name();

        /** The heading printed before the stage runs. */
        String title();

        StageResult run(DemoEnvironment env, Context ctx) throws Exception;
    }

    /**
     * How a stage ended.
     *
     * @param actual       the gate's verdict
     * @param decidedAfter how far into the gate's run the verdict came
     */
    record StageResult(String name, Verdict expected, Verdict actual, Duration decidedAfter) {
        StageResult {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(actual, "actual");
        }

        boolean asExpected() {
            return expected == actual;
        }

        /** E.g. {@code faulty canary FAIL after 25s (as expected)}. */
        String summary() {
            String after = actual == Verdict.PASS || decidedAfter == null ? ""
                    : " after " + Durations.human(decidedAfter);
            return name + " " + actual + after + (asExpected() ? " (as expected)" : " (expected " + expected + ")");
        }
    }

    /**
     * Puts a release on the canary instance and bakes it with the canary gate, live, from the moment it is in place:
     * the core API as {@code prodgate canary} uses it, on the demo's gate file.
     */
    static final class CanaryStage implements Stage {
        private final String id;
        private final String name;
        private final Behaviour release;
        private final Verdict expected;
        private final String story;

        CanaryStage(String id, String name, Behaviour release, Verdict expected, String story) {
            this.id = id;
            this.name = name;
            this.release = release;
            this.expected = expected;
            this.story = story;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String title() {
            return name + ": canary " + release.version() + " " + story;
        }

        @Override
        public StageResult run(DemoEnvironment env, Context ctx) throws Exception {
            PrintWriter o = ctx.out();
            Plan plan = ctx.plan();
            Path dir = Files.createDirectories(ctx.outDir().resolve(id));
            Path stateFile = dir.resolve("bake-state.json");
            Path reportFile = dir.resolve("canary-report.json");
            Path junitFile = dir.resolve("canary-junit.xml");

            // A new release takes no user traffic until the gate's first step brings it in; the previous stage's
            // canary may still hold the last step's share.
            TrafficSplitter balancer = env.trafficSplitter();
            double held = balancer.canaryPercent();
            balancer.setCanaryPercent(0);
            if (held > 0) {
                o.println("  load balancer: the canary out of traffic (it had " + Numbers.percent(held / 100) + ")");
            }
            Behaviour before = env.canary().setBehaviour(release);
            if (!before.equals(release)) {
                o.println("  deployed " + release.version() + " on the canary (was " + before.version() + ")");
            }
            GateFile gate = ctx.gate();
            CanaryRun run = CanaryRun.of(gate, CanaryOverrides.none());
            LoadGenerator traffic = env.startTraffic(run.spec().bake().plus(Duration.ofMinutes(2)));
            Duration warmUp = Duration.ofSeconds(30);
            long waitStart = System.nanoTime();
            // the baseline only: the canary's traffic begins with the gate's first step
            if (!env.awaitTraffic(SCRAPE_INTERVAL.multipliedBy(3), warmUp, DemoEnvironment.STABLE)) {
                throw new Unavailable("Prometheus has not seen traffic on the stable instance after "
                        + Durations.human(warmUp) + "; its log ends with:\n" + env.prometheus().logTail(20));
            }
            long waited = (System.nanoTime() - waitStart) / 1_000_000;
            if (waited >= 1000) {
                o.println("  Prometheus sees the traffic on the stable instance (after " + waited / 1000 + "s)");
            }
            o.println("  expected: " + (expected == Verdict.PASS
                    ? "PASS at the end of the last step (" + plan.steps() + ")"
                    : "FAIL in the first step, at " + Numbers.percent(STEP_WEIGHTS[0]) + " of the traffic, then "
                            + "rolled back automatically"));

            RunContext runContext = ctx.runContext();
            BakeState done;
            CanaryReport report;
            try (PrometheusClient client = gate.requirePrometheus().openClient(gate.name(), System.getenv(),
                    gate.baseDir())) {
                CanaryRun.Bake bake = run.bake(runContext, new PrometheusEvidence(client),
                        run.proofFromFile(proofFile(ctx), runContext)).shifting(run.trafficFromGateFile(runContext));
                BakeState state = bake.start();
                CanaryRun.StateStore store = CanaryRun.StateStore.file(stateFile);
                store.save(state);
                BakeProgress progress = new BakeProgress(o, false, "every " + Durations.human(run.spec().interval())
                        + ", " + run.spec().slos().size() + " SLOs, Prometheus " + client.endpoint(), false);
                done = bake.run(state, ctx.sleeper(), store, progress);
                progress.finish();
                report = bake.finish(done, ReportFiles.of(reportFile, junitFile, dir.resolve("canary-report.html")));
            }
            Decision d = done.decision();
            Duration after = Duration.between(done.startedAt(), d.decidedAt());
            o.println(d.verdict() == expected ? "  as expected" : "  expected " + expected);
            o.println("  steps: " + steps(done));
            if (report.restore() != null) {
                CanaryReport.Restore r = report.restore();
                Behaviour now = env.canary().behaviour();
                String took = String.format(Locale.ROOT, "%.2fs", r.timeToRestore());
                String allowed = Durations.human(Duration.ofMillis(Math.round(r.restoreWithin() * 1000)));
                o.println(r.restored()
                        ? "  time to restore: " + took + " from the verdict to the rollback verified (the canary's "
                                + "weight to 0, then the rollback section; " + allowed + " allowed)"
                        : "  NOT restored after " + took + ": " + String.join("; ", r.reasons()));
                o.println("  canary now: " + now.version() + ", " + describe(now) + "; "
                        + Numbers.percent(balancer.canaryPercent() / 100) + " of the traffic");
            }
            o.println(String.format(Locale.ROOT, "  load in this stage: %,d requests (%,d to the canary), %,d dropped",
                    traffic.sent(), traffic.sentByTarget().getOrDefault(DemoEnvironment.CANARY, 0L),
                    traffic.dropped()));
            o.println("  bake state: " + stateFile);
            o.flush();
            return new StageResult(name, expected, d.verdict(), after);
        }
    }

    /** Each step as the bake went: e.g. {@code 1 % seen after 5s (1.02 % measured), 10 % ...}. */
    static String steps(BakeState state) {
        List<String> out = new ArrayList<>();
        for (StepProgress p : state.steps()) {
            String share = p.measuredShare() == null ? "" : ", " + Numbers.percent(p.measuredShare()) + " measured";
            out.add(Numbers.percent(p.weight()) + (p.settled()
                    ? " seen " + Durations.human(Duration.between(p.shiftedAt(), p.settledAt())) + " after its shift"
                    : " never seen") + share);
        }
        return String.join("; ", out);
    }

    /** Where the rollback stage leaves its proof, which the canary stages require. */
    static Path proofFile(Context ctx) {
        return ctx.outDir().resolve("rollback-rehearsal").resolve("rollback-proof.json");
    }

    /** stagingSmoke against the staging instance: deploy mechanics and a happy path, nothing more. */
    static final class SmokeStage implements Stage {
        @Override
        public String name() {
            return "staging smoke";
        }

        @Override
        public String title() {
            return "staging smoke: release " + HEALTHY_CANARY.version() + " on staging, a heartbeat of four checks";
        }

        @Override
        public StageResult run(DemoEnvironment env, Context ctx) throws Exception {
            PrintWriter o = ctx.out();
            Path dir = Files.createDirectories(ctx.outDir().resolve("staging-smoke"));
            SmokeResult result = SmokeRun.of(ctx.gate(), SmokeOverrides.none()).run(ctx.runContext(),
                    ReportFiles.of(dir.resolve("smoke-report.json"), dir.resolve("smoke-junit.xml"),
                            dir.resolve("smoke-report.html")));
            o.flush();
            return new StageResult(name(), Verdict.PASS, result.verdict(), result.elapsed());
        }
    }

    /** verifyRollback on the canary: back to the stable release and forward again, with a proof. */
    static final class RollbackStage implements Stage {
        @Override
        public String name() {
            return "rollback rehearsal";
        }

        @Override
        public String title() {
            return "rollback rehearsal: canary " + HEALTHY_CANARY.version() + " back to " + STABLE.version()
                    + " and forward again";
        }

        @Override
        public StageResult run(DemoEnvironment env, Context ctx) throws Exception {
            PrintWriter o = ctx.out();
            Path proofFile = proofFile(ctx);
            Path dir = Files.createDirectories(proofFile.getParent());
            RollbackProof proof = RollbackRun.of(ctx.gate(), Optional.empty()).run(ctx.runContext(), proofFile,
                    ReportFiles.of(null, dir.resolve("rollback-junit.xml"), dir.resolve("rollback-report.html")));
            o.flush();
            return new StageResult(name(), Verdict.PASS, proof.proven() ? Verdict.PASS : Verdict.FAIL,
                    proof.timeToRollBack());
        }
    }
}
