package io.prodgate.core.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A command to run, as an argument vector (no shell unless the gate file asks for {@code sh -c}).
 *
 * @param env        added to the inherited environment
 * @param workingDir relative to the gate file's folder; the folder itself when empty
 */
public record CommandSpec(List<String> run, Duration timeout, Map<String, String> env, Optional<Path> workingDir) {
    public CommandSpec {
        run = List.copyOf(run);
        if (run.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program to run");
        }
        Objects.requireNonNull(timeout, "timeout");
        env = Map.copyOf(env);
        Objects.requireNonNull(workingDir, "workingDir");
    }

    /** The argument vector as a shell would show it, quoting arguments with spaces. */
    public String describe() {
        return run.stream().map(a -> a.isEmpty() || a.matches(".*[\\s'\"\\\\$`].*")
                ? "'" + a.replace("'", "'\\''") + "'" : a).collect(Collectors.joining(" "));
    }
}
