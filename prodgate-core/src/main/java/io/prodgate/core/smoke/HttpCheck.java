package io.prodgate.core.smoke;

import io.prodgate.core.http.HttpRequestSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** One request on a happy path, with what its answer must show. Every expectation given must hold. */
public record HttpCheck(String name, HttpRequestSpec request, int expectStatus, Optional<String> bodyContains,
                        Optional<JsonFieldExpect> jsonField, Optional<Duration> maxLatency) implements SmokeCheck {
    public HttpCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(bodyContains, "bodyContains");
        Objects.requireNonNull(jsonField, "jsonField");
        Objects.requireNonNull(maxLatency, "maxLatency");
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public Duration limit() {
        return request.timeout();
    }
}
