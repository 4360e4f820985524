package io.prodgate.core.verdict;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether promotion may go ahead as far as the rollback proof is concerned; asked only before a PASS. Here, not in a
 * gate's package, because it is the contract between two gates: the canary asks it, the rollback gate's proofs answer
 * it, and neither knows the other.
 */
@FunctionalInterface
public interface ProofRequirement {
    /** Empty when a valid proof exists, else why not, as a sentence. */
    Optional<String> problem(Instant now);

    static ProofRequirement none() {
        return now -> Optional.empty();
    }
}
