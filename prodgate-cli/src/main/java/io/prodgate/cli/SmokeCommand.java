package io.prodgate.cli;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.SmokeHtml;
import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.smoke.SmokeGate;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.smoke.SmokeSpec;
import java.io.IOException;
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
        exitCodeList = {"0:PASS", "1:FAIL", "64:bad arguments or gate file", "74:a report could not be written"})
public final class SmokeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--target", paramLabel = "URL", description = "Base URL for relative check URLs; overrides smoke.target.")
    String target;

    @CommandLine.Mixin
    ReportOptions reports = new ReportOptions();

    @CommandLine.Mixin
    MetricsOptions metrics = new MetricsOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Where a target's credentials go instead of its URL. */
    static final String TARGET_CREDENTIALS = "give an Authorization header with headersFromEnv in the gate file";

    /** Replaceable in tests: timestamps and where header secrets are read. */
    Clock clock = Clock.systemUTC();
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        SmokeResult result;
        SmokeSpec smokeSpec;
        try {
            GateFile gate = GateFileLoader.load(config);
            SmokeSpec spec = gate.requireSmoke();
            String problem = metrics.problem();
            if (problem == null && target != null) {
                problem = CommandLineUrls.problem(target, TARGET_CREDENTIALS);
                problem = problem == null ? null : "--target " + problem;
            }
            if (problem != null) {
                err.println("prodgate smoke: " + problem);
                return ExitCodes.USAGE;
            }
            if (target != null) {
                spec = spec.withTarget(target);
            }
            smokeSpec = spec;
            result = new SmokeGate(clock, env).run(gate.ref(), spec);
        } catch (GateFileException e) {
            // Every problem with its file and field path; a stack trace would only hide them.
            err.println(e.getMessage());
            return ExitCodes.USAGE;
        }
        out.print(SmokeReports.summary(result));
        metrics.metrics.verdict(metrics.service(config), "smoke", result.verdict());
        metrics.finish(err);
        try {
            reports.write(out, f -> SmokeReports.writeJson(f, result), f -> SmokeReports.writeJunit(f, result),
                    f -> SmokeHtml.write(f, result, smokeSpec.timeBox()));
        } catch (IOException e) {
            err.println("prodgate smoke: cannot write a report: " + e.getMessage());
            return ExitCodes.IO;
        }
        out.flush();
        return result.verdict().exitCode();
    }
}
