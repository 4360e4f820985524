package io.prodgate.core.smoke;

import java.time.Duration;

/**
 * One command as it ran. Output is stdout and stderr together, bounded and masked.
 *
 * @param exitCode null when the command was killed or never started
 * @param timedOut killed at its timeout (or at the time box), with every process it started
 * @param error    why it could not start, empty when it did
 */
public record CommandRun(Integer exitCode, boolean timedOut, String output, Duration duration, String error) {
    public boolean started() {
        return error.isEmpty();
    }
}
