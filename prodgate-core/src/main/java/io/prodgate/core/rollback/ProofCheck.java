package io.prodgate.core.rollback;

import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a usable rollback proof exists, and if not, why.
 *
 * @param message  one sentence for the canary's reasons: why the proof counts, or why it does not
 * @param warnings what does not invalidate the proof but should be looked at (another gate-file digest)
 * @param proof    the proof as read, when it could be read
 */
public record ProofCheck(Status status, String message, List<String> warnings, Optional<RollbackProof> proof) {
    public enum Status {
        /** A proven rollback, recent enough. */
        VALID,
        /** No file at the path. */
        MISSING,
        /** The file is not a rollback proof: unreadable, not JSON, wrong format. */
        UNREADABLE,
        /** The proof records a rollback that was not verified. */
        NOT_PROVEN,
        /** Proven, but longer ago than the allowed age. */
        STALE
    }

    public ProofCheck {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(proof, "proof");
    }

    public boolean valid() {
        return status == Status.VALID;
    }

    /** A {@link ReasonType#NO_ROLLBACK_PROOF} reason for a gate, when the proof does not count. */
    public Optional<Reason> reason() {
        return valid() ? Optional.empty()
                : Optional.of(new Reason(ReasonType.NO_ROLLBACK_PROOF, "rollbackProof", message));
    }
}
