package io.prodgate.core.rollback;

import io.prodgate.core.verdict.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The evidence that the rollback path works: what ran, what the target reported before and after, how long it took,
 * and every look in between. The canary gate can require a recent one ({@link ProofPolicy}).
 *
 * @param format         the proof format, {@value #FORMAT}
 * @param gateFileDigest {@code GateFile.digest()} of the file whose rollback section was proven
 * @param target         the target's base URL, or where its version was read
 * @param proven         the rollback (and the roll-forward, when configured) was verified
 * @param timeToRollBack from the rollback action's start until the previous version was healthy; null if never
 * @param rollForward    null when the gate file configures none
 */
public record RollbackProof(int format, String gateFile, String gateFileDigest, String target, boolean proven,
                            Duration timeToRollBack, List<Reason> reasons, Instant startedAt, Instant finishedAt,
                            PhaseProof rollback, PhaseProof rollForward) {
    public static final int FORMAT = 1;

    public RollbackProof {
        Objects.requireNonNull(gateFile, "gateFile");
        Objects.requireNonNull(gateFileDigest, "gateFileDigest");
        Objects.requireNonNull(target, "target");
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(rollback, "rollback");
    }
}
