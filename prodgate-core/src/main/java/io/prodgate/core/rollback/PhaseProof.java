package io.prodgate.core.rollback;

import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.verdict.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One verified move of the target: the rollback, or the roll-forward after it.
 *
 * @param phase          {@code rollback} or {@code roll-forward}
 * @param versionBefore  what the target reported just before the action; null when it could not be read
 * @param versionAfter   what it reported at the last poll; null when it could not be read
 * @param verified       the expected version and health were seen within the deadline (and the SLOs held)
 * @param timeToVerified from the action's start until version and health were both as expected; null if never
 * @param pollCount      polls made; {@code polls} keeps the last {@link RollbackGate#MAX_POLLS} of them
 */
public record PhaseProof(String phase, ActionRecord action, String expectVersion, String versionBefore,
                         String versionAfter, boolean verified, Duration timeToVerified, Duration deadline,
                         Instant startedAt, Instant verifiedAt, Instant finishedAt, int pollCount,
                         List<PollEvidence> polls, List<SloCheck> slos, List<Reason> reasons) {
    public PhaseProof {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(expectVersion, "expectVersion");
        polls = List.copyOf(polls);
        slos = List.copyOf(slos);
        reasons = List.copyOf(reasons);
    }
}
