package io.prodgate.core.smoke;

import java.time.Duration;
import java.time.Instant;

/**
 * What a check saw, for the report. Fields that do not apply to the check's kind are null (HTTP status for a
 * command, exit code for a request). Texts are bounded excerpts with secrets masked.
 *
 * @param status    the last HTTP status, if any answer came
 * @param latency   the last request's latency, headers and (bounded) body
 * @param excerpt   the start of the last body, or the end of the command's output
 * @param attempts  requests made (health checks poll), or 1
 */
public record CheckEvidence(Integer status, Duration latency, String excerpt, Integer exitCode, int attempts,
                            Instant startedAt, Instant finishedAt, Duration duration) {
    public static CheckEvidence notRun(Instant at) {
        return new CheckEvidence(null, null, "", null, 0, at, at, Duration.ZERO);
    }
}
