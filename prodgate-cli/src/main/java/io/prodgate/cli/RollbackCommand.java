package io.prodgate.cli;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.RollbackHtml;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prodgate rollback}: rolls back, verifies version and health, and writes the proof the canary can require. */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prove the rollback path: run the rollback action, poll until the target reports the previous "
                + "version and is healthy (within the deadline), optionally roll forward the same way.",
                "The proof is written whether or not it proves anything, so a broken rollback path invalidates an "
                        + "older proof."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:rollback proven", "1:not proven", "64:bad arguments or gate file",
                "74:the proof or a report could not be written"})
public final class RollbackCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @Option(names = "--proof", paramLabel = "FILE", defaultValue = "rollback-proof.json",
            description = "Where to write the proof (default: ${DEFAULT-VALUE}).")
    Path proof;

    @Option(names = "--target", paramLabel = "URL", description = "Base URL for relative URLs; overrides rollback.target.")
    String target;

    @CommandLine.Mixin
    ReportOptions reports = new ReportOptions();

    @CommandLine.Mixin
    MetricsOptions metrics = new MetricsOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Replaceable in tests: timestamps and where secrets are read. */
    Clock clock = Clock.systemUTC();
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        RollbackProof result;
        try {
            GateFile gate = GateFileLoader.load(config);
            RollbackSpec spec = gate.requireRollback();
            String problem = metrics.problem();
            if (problem == null && target != null) {
                problem = CommandLineUrls.problem(target, SmokeCommand.TARGET_CREDENTIALS);
                problem = problem == null ? null : "--target " + problem;
            }
            if (problem != null) {
                err.println("prodgate rollback: " + problem);
                return ExitCodes.USAGE;
            }
            if (target != null) {
                spec = spec.withTarget(target);
            }
            result = new RollbackGate(clock, env).run(gate.ref(), gate.prometheus(), spec);
        } catch (GateFileException e) {
            err.println(e.getMessage());
            return ExitCodes.USAGE;
        }
        out.print(RollbackReports.summary(result));
        String service = metrics.service(config);
        metrics.metrics.verdict(service, "rollback", result.proven() ? Verdict.PASS : Verdict.FAIL);
        if (result.timeToRollBack() != null) {
            metrics.metrics.rollback(service, result.proven(), result.timeToRollBack(), result.finishedAt());
        }
        metrics.finish(err);
        try {
            RollbackProofs.write(proof, result);
            out.println("  proof: " + proof);
            reports.write(out, f -> RollbackProofs.write(f, result), f -> RollbackReports.writeJunit(f, result),
                    f -> RollbackHtml.write(f, result));
        } catch (IOException e) {
            err.println("prodgate rollback: cannot write " + e.getMessage());
            return ExitCodes.IO;
        }
        out.flush();
        return result.proven() ? ExitCodes.PASS : ExitCodes.FAIL;
    }
}
