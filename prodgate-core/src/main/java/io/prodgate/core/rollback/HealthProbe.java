package io.prodgate.core.rollback;

import io.prodgate.core.http.HttpRequestSpec;
import java.util.Objects;

/** The health endpoint that must answer {@code expectStatus} before a rollback counts as done. */
public record HealthProbe(HttpRequestSpec request, int expectStatus) {
    public HealthProbe {
        Objects.requireNonNull(request, "request");
    }
}
