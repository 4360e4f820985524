package io.prodgate.core.http;

import java.time.Duration;

/**
 * One HTTP call as it happened: an answer (status and bounded body) or a failure (timeout, refused, ...). Texts are
 * already masked.
 *
 * @param status   null when no answer came
 * @param body     up to {@link HttpProbe#BODY_LIMIT} characters of the answer
 * @param error    why no answer came, empty when one did
 */
public record HttpExchange(Integer status, String body, Duration latency, boolean timedOut, String error) {
    public boolean answered() {
        return status != null;
    }

    /** {@code 503} or {@code timed out after 2s} or {@code ConnectException: Connection refused}. */
    public String describe() {
        return answered() ? "HTTP " + status : error;
    }
}
