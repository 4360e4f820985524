package io.prodgate.core.verdict;

/** The outcome of a gate. The CLI exits with {@link #exitCode()}. */
public enum Verdict {
    /** Every objective held with enough evidence. */
    PASS(0),
    /** A regression or breach was shown, or policy turns missing evidence into a failure. */
    FAIL(1),
    /** The evidence does not allow a decision; the reason says why. Never promotes. */
    INCONCLUSIVE(2);

    private final int exitCode;

    Verdict(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The worse of two verdicts: FAIL over INCONCLUSIVE over PASS. */
    public Verdict worst(Verdict other) {
        return rank() >= other.rank() ? this : other;
    }

    private int rank() {
        return switch (this) {
            case PASS -> 0;
            case INCONCLUSIVE -> 1;
            case FAIL -> 2;
        };
    }
}
