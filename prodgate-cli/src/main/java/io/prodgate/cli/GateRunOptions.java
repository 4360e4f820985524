package io.prodgate.cli;

import io.prodgate.core.run.RunContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** What the gate commands share around their core run: the checks of their options, its context, and the metrics served while it runs. */
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

    /** The part of a gate command that runs the gate and writes its files. */
    @FunctionalInterface
    interface Body {
        int run() throws Exception;
    }

    /**
     * Runs {@code body} while the gate metrics are served (when asked), pushes them after (when asked), and turns a
     * file that cannot be written into exit 74: by then the verdict is shown and recorded.
     *
     * @param written what the command writes, for the message: "a report", "the proof or a report"
     */
    static int serving(String command, String written, MetricsOptions metrics, PrintWriter out, PrintWriter err,
                       Body body) throws Exception {
        metrics.start(out);
        try {
            int exit = body.run();
            out.flush();
            return exit;
        } catch (IOException e) {
            throw new OutputException("prodgate " + command + ": cannot write " + written + ": " + e.getMessage(), e);
        } finally {
            metrics.finish(err);
        }
    }

    /**
     * Progress on {@code out}, files on the local disk, the verdict in the metrics that {@code metrics} serves or
     * pushes (none are recorded when they are neither).
     */
    static RunContext context(PrintWriter out, Clock clock, Map<String, String> env, MetricsOptions metrics,
                              Path gateFile) {
        RunContext.Builder context = RunContext.builder().clock(clock).env(env).progress(new ConsoleProgress(out));
        if (metrics.published()) {
            context.metrics(metrics.metrics(), metrics.service(gateFile));
        }
        return context.build();
    }
}
