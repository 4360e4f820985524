package io.prodgate.core.verdict;

/** Why a gate decided as it did. Types of missing evidence have a policy (INCONCLUSIVE or FAIL). */
public enum ReasonType {
    /** Every objective held for the whole bake, with enough evidence. */
    HELD,
    /** The canary is worse than the baseline by more than the tolerance. */
    REGRESSION,
    /** The canary breaches an absolute objective or bound. */
    BREACH,
    /** The canary reported no data (or no traffic) for too long. */
    NO_CANARY_DATA,
    /** The baseline reported no data (or no traffic) for too long. */
    NO_BASELINE_DATA,
    /** Too little traffic to rule out a regression of the size that must be caught. */
    INSUFFICIENT_TRAFFIC,
    /** The metrics source failed: unreachable, errors, malformed answers. */
    SOURCE_ERROR,
    /** A query answers with something the gate cannot use (several series, NaN). */
    INVALID_QUERY_RESULT,
    /** The baseline itself breaches the objective, so the comparison says little. */
    BASELINE_UNHEALTHY,
    /** A progressive canary's share of traffic never came near the weight its step asked for. */
    TRAFFIC_NOT_SHIFTED,
    /** Promotion needs a rollback proof and there is none that is valid. */
    NO_ROLLBACK_PROOF,
    /** The gate was stopped before the bake ended. */
    ABORTED,
    /** A smoke or rollback check did not hold. */
    CHECK_FAILED,
    /** Staging went over its budget: a heartbeat, not a test suite. */
    OVER_BUDGET;

    /** Whether this reason means evidence is missing, so the policy decides between INCONCLUSIVE and FAIL. */
    public boolean isMissingEvidence() {
        return switch (this) {
            case NO_CANARY_DATA, NO_BASELINE_DATA, INSUFFICIENT_TRAFFIC, SOURCE_ERROR, INVALID_QUERY_RESULT,
                 BASELINE_UNHEALTHY, NO_ROLLBACK_PROOF, TRAFFIC_NOT_SHIFTED -> true;
            default -> false;
        };
    }
}
