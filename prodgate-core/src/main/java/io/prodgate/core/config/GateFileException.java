package io.prodgate.core.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A gate file that cannot be used, with every problem found in it.
 *
 * <p>Each problem names the file, the field path ({@code canary.slos[1].objective}) and what is wrong, so the CLI can
 * print it and exit 64 without a stack trace.
 */
public final class GateFileException extends Exception {
    private final transient List<Problem> problems;

    public GateFileException(List<Problem> problems) {
        super(format(problems), null, false, false);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a GateFileException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public static GateFileException of(String file, String path, String message) {
        return new GateFileException(List.of(new Problem(file, path, message)));
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String format(List<Problem> problems) {
        return problems.stream().map(Problem::toString).collect(Collectors.joining(System.lineSeparator()));
    }

    /** One thing wrong with one field. {@code path} is empty for the file as a whole. */
    public record Problem(String file, String path, String message) {
        @Override
        public String toString() {
            return path.isEmpty() ? file + ": " + message : file + ": " + path + ": " + message;
        }
    }
}
