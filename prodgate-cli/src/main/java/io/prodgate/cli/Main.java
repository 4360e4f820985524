package io.prodgate.cli;

import io.prodgate.core.config.GateFileException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code prodgate}: production-safety gates for any CI. */
@Command(name = "prodgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Production-safety gates for CI/CD: staging kept to a heartbeat, canaries judged on SLOs, "
                + "rollbacks proven before promotion.", ""},
        subcommands = {ValidateCommand.class, SmokeCommand.class, CanaryCommand.class, PlanCommand.class, RollbackCommand.class,
                BacktestCommand.class,
                io.prodgate.cli.bench.BenchmarkCommand.class, io.prodgate.cli.bench.ScaleBenchmarkCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:PASS", "1:FAIL", "2:INCONCLUSIVE", "64:bad arguments or gate file", "70:internal error",
                "74:a report or state file could not be written"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; the exit code is returned, not used. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        return handlingErrors(new CommandLine(new Main()));
    }

    /**
     * {@code cli} with prodgate's handling of errors: messages without stack traces, and sysexits(3) codes. Public for
     * the demo's own command line.
     */
    public static CommandLine handlingErrors(CommandLine cli) {
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("prodgate: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
                c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            }
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof GateFileException || ex instanceof UsageException) {
                c.getErr().println(ex.getMessage());
                return ExitCodes.USAGE;
            }
            if (ex instanceof OutputException) {
                c.getErr().println(ex.getMessage());
                return ExitCodes.IO;
            }
            if (ex instanceof IOException) {
                c.getErr().println("prodgate: " + ex.getMessage());
                return ExitCodes.IO;
            }
            c.getErr().println("prodgate: internal error: " + ex);
            return ExitCodes.SOFTWARE;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"prodgate " + (v == null ? "(development build)" : v)};
        }
    }
}
