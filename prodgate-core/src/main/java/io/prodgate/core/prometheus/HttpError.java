package io.prodgate.core.prometheus;

import java.util.Objects;

/**
 * A non-2xx answer whose body is not a Prometheus error document (e.g. a proxy's 502 page or a 401).
 *
 * @param bodyExcerpt the start of the response body, whitespace collapsed and credentials redacted
 */
public record HttpError(String endpoint, int status, String bodyExcerpt, String query, int attempts)
        implements QueryFailure {
    public HttpError {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bodyExcerpt, "bodyExcerpt");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String describe() {
        return "Prometheus at " + endpoint + " answered HTTP " + status + " (" + Texts.afterAttempts(attempts) + ")"
                + (bodyExcerpt.isEmpty() ? "" : ": " + bodyExcerpt);
    }
}
