package io.prodgate.core.gatefile;

import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.util.Objects;

/**
 * What a live canary run does after a verdict that must not stay in production: set the canary's weight to 0 (the
 * fastest lever), then run the gate file's rollback section, the one {@code prodgate rollback} rehearses, and time it.
 *
 * @param onFail         roll back after a FAIL ({@code canary.onFail: rollback})
 * @param onInconclusive roll back after an INCONCLUSIVE too ({@code canary.onInconclusive: rollback})
 * @param restoreWithin  how long the restore may take before it is a reason of its own
 *                       ({@code rollback.restoreWithin})
 */
public record Remediation(boolean onFail, boolean onInconclusive, Duration restoreWithin) {
    public static final Duration DEFAULT_RESTORE_WITHIN = Duration.ofMinutes(5);

    public Remediation {
        Objects.requireNonNull(restoreWithin, "restoreWithin");
    }

    public static Remediation none() {
        return new Remediation(false, false, DEFAULT_RESTORE_WITHIN);
    }

    public boolean appliesTo(Verdict verdict) {
        return verdict == Verdict.FAIL && onFail || verdict == Verdict.INCONCLUSIVE && onInconclusive;
    }
}
