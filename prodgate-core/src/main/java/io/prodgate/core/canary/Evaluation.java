package io.prodgate.core.canary;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One look at the data: the readings of every SLO for the window {@code (from, at]}.
 *
 * <p>An evaluation in which the metrics source failed for any query is kept for the record but not used as evidence,
 * and the next evaluation's window starts where this one's did, so an outage loses no data.
 */
public record Evaluation(Instant from, Instant at, List<SloEvidence> slos) implements Serializable {
    public Evaluation {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(at, "at");
        slos = List.copyOf(slos);
    }

    /** Whether any query of this evaluation failed at the source. */
    public boolean sourceFailed() {
        return slos.stream().anyMatch(SloEvidence::sourceFailed);
    }

    public Optional<SloEvidence> slo(String name) {
        return slos.stream().filter(s -> s.slo().equals(name)).findFirst();
    }
}
