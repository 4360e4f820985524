package io.prodgate.cli;

import io.prodgate.core.run.Backtest;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Verdict;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;

/**
 * Shows a backtest as its windows finish: on a terminal one progress bar redrawn in place, with the verdicts so far;
 * without one, a log line per window, which is what CI logs want.
 */
final class BacktestProgress implements Backtest.Listener {
    static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
    private int errors;
    private boolean lineOpen;

    BacktestProgress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void finished(Backtest.Result r, int done, int total) {
        if (r.verdict() == null) {
            errors++;
        } else {
            verdicts.merge(r.verdict(), 1, Integer::sum);
        }
        if (terminal) {
            out.print("\r\033[2K" + bar(done, total) + " " + done + "/" + total + " windows: "
                    + verdicts.getOrDefault(Verdict.FAIL, 0) + " FAIL, " + verdicts.getOrDefault(Verdict.PASS, 0)
                    + " PASS, " + verdicts.getOrDefault(Verdict.INCONCLUSIVE, 0) + " INCONCLUSIVE"
                    + (errors == 0 ? "" : ", " + errors + " errors"));
            lineOpen = true;
        } else {
            out.println("backtest: " + done + "/" + total + " " + line(r));
        }
        out.flush();
    }

    /** Ends the redrawn line, if any, so that what follows starts on its own. */
    void finish() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    /** {@code [#########.....................]}: the share of windows done. */
    static String bar(int done, int total) {
        int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    /** One window in a line: where it came from, its verdict or error, and why. */
    static String line(Backtest.Result r) {
        String label = r.window().label() == null ? "" : " (" + r.window().label().written() + ")";
        if (r.verdict() == null) {
            return r.window().origin() + " " + r.window().from() + label + ": ERROR: " + r.error();
        }
        String why = r.reasonTypes().stream().map(Enum::name).reduce((a, b) -> a + ", " + b).orElse("");
        return r.window().origin() + " " + r.window().from() + label + ": " + r.verdict()
                + (r.timeToFail() == null ? "" : " after " + Durations.human(r.timeToFail()))
                + (why.isEmpty() ? "" : " [" + why + "]") + (r.misjudged() ? "  <- misjudged" : "");
    }
}
