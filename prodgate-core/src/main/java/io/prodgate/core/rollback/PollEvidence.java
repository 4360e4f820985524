package io.prodgate.core.rollback;

import java.time.Instant;

/**
 * One look at the target after the action.
 *
 * @param version       what it reported; null when the version could not be read
 * @param versionError  why it could not be read, else null
 * @param healthStatus  the health endpoint's HTTP status; null when it did not answer or there is none
 * @param healthError   why health did not answer, else null
 */
public record PollEvidence(int attempt, Instant at, String version, String versionError, boolean versionOk,
                           Integer healthStatus, String healthError, boolean healthOk) {
}
