package io.prodgate.core.canary;

import java.io.Serializable;
import java.util.Objects;

/** One SLO's readings in one evaluation window. {@code baseline} is null for value checks, judged on the canary alone. */
public record SloEvidence(String slo, Reading canary, Reading baseline) implements Serializable {
    public SloEvidence {
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(canary, "canary");
    }

    public boolean sourceFailed() {
        return canary.status() == Reading.Status.SOURCE_ERROR
                || (baseline != null && baseline.status() == Reading.Status.SOURCE_ERROR);
    }
}
