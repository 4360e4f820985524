package io.prodgate.core.canary;

import java.time.Instant;
import java.util.List;

/** Where the canary gate reads its evidence: Prometheus in production, anything deterministic in tests. */
@FunctionalInterface
public interface EvidenceSource {
    /**
     * The readings of every SLO of {@code spec} for the window {@code (from, at]}: event counts in the window for
     * ratio SLOs, the value over the window for value checks. {@code bakeStart} is when the bake began, for sources
     * that count from there. Never throws for source faults.
     */
    List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at);
}
