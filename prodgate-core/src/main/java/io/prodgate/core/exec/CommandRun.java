package io.prodgate.core.exec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One command as it ran. Output is stdout and stderr together, bounded and masked.
 *
 * @param exitCode     null when the command was killed or never started
 * @param timedOut     killed at its timeout (or at the time box)
 * @param error        why it could not start, empty when it did
 * @param stopped      how many processes it started were still running when it ended or was killed, and were
 *                     stopped then (background jobs, daemons), beside the command itself
 * @param survivors    processes that could not be killed, as {@code pid (name)}; normally none
 * @param wholeSession whether every process the command started could be found (its session, on Linux); elsewhere
 *                     only its descendants are, and a process whose parent exited is out of sight
 */
public record CommandRun(Integer exitCode, boolean timedOut, String output, Duration duration, String error,
                         int stopped, List<String> survivors, boolean wholeSession) {
    public CommandRun {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(error, "error");
        survivors = List.copyOf(survivors);
    }

    static CommandRun notStarted(String error, Duration duration) {
        return new CommandRun(null, false, "", duration, error, 0, List.of(), true);
    }

    public boolean started() {
        return error.isEmpty();
    }

    /** How a command that was killed went, for its message: {@code with every process it started}, or what was not. */
    public String killedWith() {
        if (!survivors.isEmpty()) {
            return "but " + count(survivors.size()) + " it started could not be killed: " + String.join(", ", survivors);
        }
        return wholeSession ? "with every process it started"
                : "with the processes it started that were still its descendants (others cannot be found here)";
    }

    /** What a command that exited left running, to add to its message; empty when nothing. */
    public String leftRunning() {
        if (!survivors.isEmpty()) {
            return "; it left " + count(survivors.size()) + " running that could not be killed: "
                    + String.join(", ", survivors);
        }
        return stopped == 0 ? "" : "; it left " + count(stopped) + " running, stopped now";
    }

    private static String count(int n) {
        return n + (n == 1 ? " process" : " processes");
    }
}
