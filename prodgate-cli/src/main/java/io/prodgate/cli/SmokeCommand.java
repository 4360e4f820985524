package io.prodgate.cli;

import io.prodgate.core.run.SmokeOverrides;
import io.prodgate.core.run.SmokeRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prodgate smoke}: the staging heartbeat: is the deploy up, and do a few happy paths answer? */
@Command(name = "smoke", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the gate file's smoke checks against staging: health waits, a few HTTP happy paths and "
                + "commands, in parallel inside a time box.",
                "Staging is a heartbeat, not a test suite: the section is held to a budget of checks and minutes."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:PASS (either verdict with --advisory)", "1:FAIL", "64:bad arguments or gate file", "74:a report could not be written"})
public final class SmokeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--target", paramLabel = "URL", description = "Base URL for relative check URLs; overrides smoke.target.")
    String target;

    @Option(names = "--advisory", description = "Run and report as usual, but never block: exit 0 whatever the "
            + "verdict, printing the verdict it would have given (as smoke.mode: advisory).")
    boolean advisory;

    @CommandLine.Mixin
    ReportOptions reports = new ReportOptions();

    @CommandLine.Mixin
    MetricsOptions metrics = new MetricsOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Replaceable in tests: timestamps and where header secrets are read. */
    Clock clock = Clock.systemUTC();
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        SmokeRun run = SmokeRun.load(config, SmokeOverrides.none().withTarget(target).withAdvisory(advisory));
        GateRunOptions.check("smoke", metrics, target);
        return GateRunOptions.serving("smoke", "a report", metrics, out, commandSpec.commandLine().getErr(),
                () -> SmokeRun.exitCode(run.run(GateRunOptions.context(out, clock, env, metrics, config),
                        reports.files())));
    }
}
