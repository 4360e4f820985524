package io.prodgate.core.rollback;

import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decides whether a rollback proof lets a canary be promoted: the file exists and reads as a proof, it proves the
 * rollback, and it finished no longer than {@code maxAge} ago.
 *
 * <p>A proof made with another gate file (different digest) stays valid with a warning: the digest covers the whole
 * file, so any edit, such as a tuned canary SLO, changes it, and invalidating proofs on every edit would train teams
 * to re-run rollbacks blindly. The warning names both digests so a changed rollback section is noticed.
 */
public final class ProofPolicy {
    /** Clock skew tolerated before a proof dated in the future is flagged. */
    static final Duration SKEW = Duration.ofMinutes(5);

    private ProofPolicy() {
    }

    /**
     * The canary gate's requirement that a valid proof exist at {@code proofFile}, judged against {@code clock}: the
     * proof vouches for today's rollback path, also in a replay. {@code onValid} sees each valid proof found (e.g. to
     * record its age as a metric).
     */
    public static ProofRequirement requirement(Path proofFile, Duration maxAge, String gateFileDigest, Clock clock,
                                               Consumer<RollbackProof> onValid) {
        return dataTime -> {
            ProofCheck check = check(proofFile, maxAge, clock.instant(), gateFileDigest);
            if (check.valid()) {
                check.proof().ifPresent(onValid);
                return Optional.empty();
            }
            return Optional.of(check.message());
        };
    }

    /** Checks {@code proofFile} against {@code maxAge} at {@code now}, whatever gate file made it. */
    public static ProofCheck check(Path proofFile, Duration maxAge, Instant now) {
        return check(proofFile, maxAge, now, null);
    }

    /**
     * As {@link #check(Path, Duration, Instant)}, and warns when the proof was made with a gate file whose digest is
     * not {@code gateFileDigest} (null: do not compare).
     */
    public static ProofCheck check(Path proofFile, Duration maxAge, Instant now, String gateFileDigest) {
        RollbackProof proof;
        if (!Files.exists(proofFile)) {
            return new ProofCheck(ProofCheck.Status.MISSING, "no rollback proof at " + proofFile
                    + "; run `prodgate rollback` to prove the rollback path first", List.of(), Optional.empty());
        }
        try {
            proof = RollbackProofs.read(proofFile);
        } catch (NoSuchFileException e) {
            return new ProofCheck(ProofCheck.Status.MISSING, "no rollback proof at " + proofFile, List.of(),
                    Optional.empty());
        } catch (IOException | RuntimeException e) {
            return new ProofCheck(ProofCheck.Status.UNREADABLE, "the rollback proof " + proofFile
                    + " cannot be read: " + RollbackProofs.why(e), List.of(), Optional.empty());
        }
        List<String> warnings = new ArrayList<>();
        if (gateFileDigest != null && !sameDigest(gateFileDigest, proof.gateFileDigest())) {
            warnings.add("the rollback proof was made with another version of the gate file ("
                    + proof.gateFileDigest() + ", now " + gateFileDigest + "); re-run `prodgate rollback` if the"
                    + " rollback section changed");
        }
        if (!proof.proven()) {
            String why = proof.reasons().isEmpty() ? "" : ": " + proof.reasons().get(0).message();
            return new ProofCheck(ProofCheck.Status.NOT_PROVEN, "the rollback proof " + proofFile
                    + " does not prove the rollback" + why, warnings, Optional.of(proof));
        }
        Duration age = Duration.between(proof.finishedAt(), now);
        if (age.compareTo(maxAge) > 0) {
            return new ProofCheck(ProofCheck.Status.STALE, "the rollback proof " + proofFile + " is "
                    + Durations.human(age) + " old, older than the allowed " + Durations.human(maxAge)
                    + "; prove the rollback again", warnings, Optional.of(proof));
        }
        if (age.negated().compareTo(SKEW) > 0) {
            warnings.add("the rollback proof finished at " + proof.finishedAt() + ", "
                    + Durations.human(age.negated()) + " in the future; check the clocks");
        }
        return new ProofCheck(ProofCheck.Status.VALID, "rollback to " + proof.rollback().expectVersion()
                + " proven " + Durations.human(age.isNegative() ? Duration.ZERO : age) + " ago in "
                + (proof.timeToRollBack() == null ? "?" : Durations.human(proof.timeToRollBack())), warnings,
                Optional.of(proof));
    }

    /** Compares two digests in constant time (they are not secrets, but there is no reason to leak their prefix). */
    private static boolean sameDigest(String a, String b) {
        return b != null && java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
