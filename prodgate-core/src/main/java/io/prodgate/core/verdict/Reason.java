package io.prodgate.core.verdict;

import java.io.Serializable;
import java.util.Objects;

/**
 * One reason for a verdict: its type, the SLO or check it concerns (empty for the gate as a whole), and a readable
 * sentence.
 */
public record Reason(ReasonType type, String subject, String message) implements Serializable {
    public Reason {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }

    public static Reason of(ReasonType type, String message) {
        return new Reason(type, "", message);
    }

    @Override
    public String toString() {
        return message;
    }
}
