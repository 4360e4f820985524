package io.prodgate.core.canary;

import java.time.Instant;
import java.util.Optional;

/** Whether promotion may go ahead as far as the rollback proof is concerned; asked only before a PASS. */
@FunctionalInterface
public interface ProofRequirement {
    /** Empty when a valid proof exists, else why not, as a sentence. */
    Optional<String> problem(Instant now);

    static ProofRequirement none() {
        return now -> Optional.empty();
    }
}
