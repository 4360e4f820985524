package io.prodgate.cli;

import io.prodgate.core.run.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;

/** A gate run's progress on the command's output: the summary, then a line for each file written. */
public record ConsoleProgress(PrintWriter out) implements Progress {
    @Override
    public void summary(String text) {
        out.print(text);
    }

    @Override
    public void wrote(String what, Path file) {
        out.println("  " + what + ": " + file);
    }
}
