package io.prodgate.core.smoke;

import io.prodgate.core.exec.CommandSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A command that must exit with {@code expectExit} (and print {@code outputContains}) within its timeout. */
public record CommandCheck(String name, CommandSpec command, int expectExit, Optional<String> outputContains)
        implements SmokeCheck {
    public CommandCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(outputContains, "outputContains");
    }

    @Override
    public String kind() {
        return "command";
    }

    @Override
    public Duration limit() {
        return command.timeout();
    }
}
