package io.prodgate.cli;

import io.prodgate.core.run.RunContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** What the smoke and rollback commands share around their core run: the checks of their options, and its context. */
final class GateRunOptions {
    /** Where a target's credentials go instead of its URL. */
    static final String TARGET_CREDENTIALS = "give an Authorization header with headersFromEnv in the gate file";

    private GateRunOptions() {
    }

    /** Refuses a bad {@code --pushgateway} or {@code --target} (null when not given) before anything runs. */
    static void check(String command, MetricsOptions metrics, String target) throws UsageException {
        String problem = metrics.problem();
        if (problem == null && target != null) {
            String targetProblem = CommandLineUrls.problem(target, TARGET_CREDENTIALS);
            problem = targetProblem == null ? null : "--target " + targetProblem;
        }
        if (problem != null) {
            throw new UsageException("prodgate " + command + ": " + problem);
        }
    }

    /** Progress on {@code out}, files on the local disk, the verdict in the metrics that {@code metrics} serves. */
    static RunContext context(PrintWriter out, Clock clock, Map<String, String> env, MetricsOptions metrics,
                              Path gateFile) {
        return RunContext.builder().clock(clock).env(env).progress(new ConsoleProgress(out))
                .metrics(metrics.metrics, metrics.service(gateFile)).build();
    }
}
