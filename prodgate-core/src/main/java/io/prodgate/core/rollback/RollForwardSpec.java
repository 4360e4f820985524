package io.prodgate.core.rollback;

import io.prodgate.core.action.Action;
import java.time.Duration;
import java.util.Objects;

/** The way back to the new version after the rollback was proven, verified the same way. */
public record RollForwardSpec(Action action, String expectVersion, Duration deadline) {
    public RollForwardSpec {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(expectVersion, "expectVersion");
        Objects.requireNonNull(deadline, "deadline");
    }
}
