package io.prodgate.core.prometheus;

import java.time.Instant;
import java.util.Objects;

/** One value of a series at one time; {@code value} may be NaN or infinite, as PromQL allows. */
public record Sample(Instant time, double value) {
    public Sample {
        Objects.requireNonNull(time, "time");
    }

    public boolean isFinite() {
        return Double.isFinite(value);
    }
}
