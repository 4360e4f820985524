package io.prodgate.core.prometheus;

import java.util.Objects;

/**
 * An answer that is not a Prometheus API document: not JSON, or JSON without the expected fields. Usually the base
 * URL points at something else (a login page, a UI, the wrong path prefix).
 */
public record MalformedBody(String endpoint, int httpStatus, String reason, String bodyExcerpt, String query,
        int attempts) implements QueryFailure {
    public MalformedBody {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(bodyExcerpt, "bodyExcerpt");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String describe() {
        return "Prometheus at " + endpoint + " sent an unusable answer (HTTP " + httpStatus + "): " + reason
                + (bodyExcerpt.isEmpty() ? "" : "; body starts with: " + bodyExcerpt);
    }
}
