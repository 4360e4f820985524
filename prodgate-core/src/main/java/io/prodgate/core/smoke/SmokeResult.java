package io.prodgate.core.smoke;

import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of the staging smoke gate: PASS iff every check passed and the budget held (or only warns).
 *
 * @param reasons  why the verdict is what it is: failed checks, an exceeded budget, or that all checks held
 * @param warnings what did not change the verdict: the budget exceeded with {@code onExceed: warn}
 * @param target   the base URL used, empty when there was none
 */
public record SmokeResult(Verdict verdict, List<Reason> reasons, List<Reason> warnings, List<CheckResult> checks,
                          Instant startedAt, Instant finishedAt, String gateFile, String gateFileDigest,
                          String target, boolean advisory) {
    public SmokeResult {
        Objects.requireNonNull(verdict, "verdict");
        reasons = List.copyOf(reasons);
        warnings = List.copyOf(warnings);
        checks = List.copyOf(checks);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(gateFile, "gateFile");
        Objects.requireNonNull(gateFileDigest, "gateFileDigest");
        Objects.requireNonNull(target, "target");
        if (verdict == Verdict.INCONCLUSIVE) {
            throw new IllegalArgumentException("smoke checks either pass or fail");
        }
    }

    /** A result whose verdict only advises ({@code smoke.mode: advisory}). */
    public SmokeResult(Verdict verdict, List<Reason> reasons, List<Reason> warnings, List<CheckResult> checks,
                       Instant startedAt, Instant finishedAt, String gateFile, String gateFileDigest, String target) {
        this(verdict, reasons, warnings, checks, startedAt, finishedAt, gateFile, gateFileDigest, target, false);
    }

    /** The same result, whose verdict only advises: it never blocks. */
    public SmokeResult asAdvisory() {
        return new SmokeResult(verdict, reasons, warnings, checks, startedAt, finishedAt, gateFile, gateFileDigest,
                target, true);
    }

    public boolean passed() {
        return verdict == Verdict.PASS;
    }

    /** Wall time from the first check's start to the last one's end, by the injected clock. */
    public Duration elapsed() {
        return Duration.between(startedAt, finishedAt);
    }
}
