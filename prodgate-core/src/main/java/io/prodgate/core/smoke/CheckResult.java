package io.prodgate.core.smoke;

import java.util.Objects;

/**
 * The result of one smoke check.
 *
 * @param kind    {@code health}, {@code http} or {@code command}
 * @param what    what was called: {@code GET http://...} or the command's argument vector
 * @param message one readable sentence: why it passed or what went wrong
 */
public record CheckResult(String name, String kind, String what, CheckOutcome outcome, String message,
                          CheckEvidence evidence) {
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(evidence, "evidence");
    }

    public boolean passed() {
        return outcome == CheckOutcome.PASSED;
    }
}
