package io.prodgate.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProofPolicyTest {
    private static final Instant DONE = Instant.parse("2026-01-02T03:00:00Z");
    private static final Duration DAY = Duration.ofHours(24);

    @TempDir
    Path dir;

    static RollbackProof proof(boolean proven, Instant finishedAt, String digest) {
        ActionRecord action = new ActionRecord("command", List.of("kubectl", "rollout", "undo"), null, null, 0, null,
                false, true, "", "exit 0", finishedAt.minusSeconds(60), finishedAt.minusSeconds(58),
                Duration.ofSeconds(2));
        PhaseProof back = new PhaseProof("rollback", action, "1.4.1", "1.4.2", proven ? "1.4.1" : "1.4.2", proven,
                proven ? Duration.ofSeconds(42) : null, Duration.ofMinutes(5), finishedAt.minusSeconds(61),
                proven ? finishedAt : null, finishedAt, 3, List.of(), List.of(),
                proven ? List.of() : List.of(new Reason(ReasonType.CHECK_FAILED, "rollback",
                        "the target still reports version 1.4.2, expected 1.4.1")));
        return new RollbackProof(RollbackProof.FORMAT, "gate.yaml", digest, "http://127.0.0.1:1", proven,
                back.timeToVerified(), back.reasons(), finishedAt.minusSeconds(61), finishedAt, back, null);
    }

    private Path write(RollbackProof p) throws Exception {
        Path f = dir.resolve("rollback-proof.json");
        RollbackProofs.write(f, p);
        return f;
    }

    @Test
    void aMissingProofIsNamed() {
        ProofCheck c = ProofPolicy.check(dir.resolve("nope.json"), DAY, DONE);
        assertThat(c.status()).isEqualTo(ProofCheck.Status.MISSING);
        assertThat(c.valid()).isFalse();
        assertThat(c.message()).isEqualTo("no rollback proof at " + dir.resolve("nope.json")
                + "; run `prodgate rollback` to prove the rollback path first");
        assertThat(c.reason()).hasValueSatisfying(r -> assertThat(r.type()).isEqualTo(ReasonType.NO_ROLLBACK_PROOF));
    }

    @Test
    void somethingElseIsUnreadable() throws Exception {
        Path f = dir.resolve("rollback-proof.json");
        Files.writeString(f, "<html>not a proof</html>");
        ProofCheck c = ProofPolicy.check(f, DAY, DONE);
        assertThat(c.status()).isEqualTo(ProofCheck.Status.UNREADABLE);
        assertThat(c.message()).startsWith("the rollback proof " + f + " cannot be read: not a rollback proof (");
        Files.writeString(f, "{\"format\": 99}");
        assertThat(ProofPolicy.check(f, DAY, DONE).message()).endsWith("cannot be read: unknown proof format 99 (this"
                + " prodgate reads format 1)");
        Files.writeString(f, "{\"format\": 1, \"proven\": true}");
        assertThat(ProofPolicy.check(f, DAY, DONE).message()).endsWith("cannot be read: not a complete rollback proof"
                + " (no gateFile)");
    }

    @Test
    void anUnprovenRollbackDoesNotCount() throws Exception {
        ProofCheck c = ProofPolicy.check(write(proof(false, DONE, "sha256:a")), DAY, DONE.plusSeconds(10));
        assertThat(c.status()).isEqualTo(ProofCheck.Status.NOT_PROVEN);
        assertThat(c.message()).endsWith("does not prove the rollback: the target still reports version 1.4.2,"
                + " expected 1.4.1");
        assertThat(c.proof()).isPresent();
    }

    @Test
    void anOldProofIsStale() throws Exception {
        ProofCheck c = ProofPolicy.check(write(proof(true, DONE, "sha256:a")), DAY, DONE.plus(Duration.ofHours(30)));
        assertThat(c.status()).isEqualTo(ProofCheck.Status.STALE);
        assertThat(c.message()).endsWith(" is 30h old, older than the allowed 24h; prove the rollback again");
    }

    @Test
    void aRecentProvenRollbackIsValid() throws Exception {
        ProofCheck c = ProofPolicy.check(write(proof(true, DONE, "sha256:a")), DAY, DONE.plus(Duration.ofHours(2)));
        assertThat(c.status()).isEqualTo(ProofCheck.Status.VALID);
        assertThat(c.valid()).isTrue();
        assertThat(c.reason()).isEmpty();
        assertThat(c.warnings()).isEmpty();
        assertThat(c.message()).isEqualTo("rollback to 1.4.1 proven 2h ago in 42s");
    }

    @Test
    void anotherGateFileOnlyWarns() throws Exception {
        ProofCheck c = ProofPolicy.check(write(proof(true, DONE, "sha256:a")), DAY, DONE.plusSeconds(60),
                "sha256:b");
        assertThat(c.valid()).isTrue();
        assertThat(c.warnings()).singleElement().asString()
                .startsWith("the rollback proof was made with another version of the gate file (sha256:a, now"
                        + " sha256:b)");
        assertThat(ProofPolicy.check(write(proof(true, DONE, "sha256:a")), DAY, DONE, "sha256:a").warnings())
                .isEmpty();
    }

    @Test
    void aProofFromTheFutureWarns() throws Exception {
        ProofCheck c = ProofPolicy.check(write(proof(true, DONE, "sha256:a")), DAY, DONE.minus(Duration.ofHours(1)));
        assertThat(c.valid()).isTrue();
        assertThat(c.warnings()).singleElement().asString().contains("1h in the future; check the clocks");
    }
}
