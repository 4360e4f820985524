package io.prodgate.cli;

import io.prodgate.core.run.RollbackRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
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
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        RollbackRun run = RollbackRun.load(config, Optional.ofNullable(target));
        GateRunOptions.check("rollback", metrics, target);
        return GateRunOptions.serving("rollback", "the proof or a report", metrics, out,
                commandSpec.commandLine().getErr(), () -> run.run(GateRunOptions.context(out, clock, env, metrics,
                        config), proof, reports.files()).proven() ? ExitCodes.PASS : ExitCodes.FAIL);
    }
}
