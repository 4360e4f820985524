package io.prodgate.core.action;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link Action} did, for a proof or report. Fields of the other kind are null.
 *
 * @param kind      {@code command} or {@code http}
 * @param argv      the command's argument vector, as written in the gate file
 * @param method    the HTTP method
 * @param url       the HTTP URL, without credentials
 * @param exitCode  the command's exit code; null when it was killed or did not start
 * @param status    the HTTP status; null when no answer came
 * @param excerpt   the end of the command's output or the start of the answer, bounded and masked
 * @param message   one sentence: what happened
 */
public record ActionRecord(String kind, List<String> argv, String method, String url, Integer exitCode,
                           Integer status, boolean timedOut, boolean succeeded, String excerpt, String message,
                           Instant startedAt, Instant finishedAt, Duration duration) {
    public ActionRecord {
        Objects.requireNonNull(kind, "kind");
        argv = argv == null ? null : List.copyOf(argv);
        Objects.requireNonNull(excerpt, "excerpt");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(duration, "duration");
    }
}
