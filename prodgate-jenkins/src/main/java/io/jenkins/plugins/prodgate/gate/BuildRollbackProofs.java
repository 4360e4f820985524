package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import io.prodgate.core.rollback.ProofCheck;
import io.prodgate.core.rollback.ProofPolicy;
import io.prodgate.core.util.AtomicFiles;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rollback proofs kept with the builds that made them: {@code verifyRollback} stores its proof in the build's
 * {@code prodgate} folder, and {@code canaryGate} looks for the newest one in its own build, then in earlier builds of
 * the job (the policy's maximum age decides whether an older one still counts).
 */
public final class BuildRollbackProofs implements ProofRequirement {
    public static final String FILE = "rollback-proof.json";
    /** How many earlier builds are searched for a proof. */
    static final int SEARCH_DEPTH = 50;

    private final Run<?, ?> run;
    private final Duration maxAge;
    private final TaskListener listener;

    public BuildRollbackProofs(Run<?, ?> run, Duration maxAge, TaskListener listener) {
        this.run = run;
        this.maxAge = maxAge;
        this.listener = listener;
    }

    /** Stores {@code json}, a proof as {@code RollbackProofs.json} writes it, with {@code run}. */
    public static File store(Run<?, ?> run, String json) throws IOException {
        File file = new File(GatesAction.reportDir(run), FILE);
        AtomicFiles.writeString(file.toPath(), json);
        return file;
    }

    @Override
    public Optional<String> problem(Instant now) {
        File proof = newest();
        if (proof == null) {
            return Optional.of(Messages.BuildRollbackProofs_None(SEARCH_DEPTH));
        }
        ProofCheck check = ProofPolicy.check(proof.toPath(), maxAge, now);
        check.warnings().forEach(w -> listener.getLogger().println("WARNING: canaryGate: rollback proof: " + w));
        return check.valid() ? Optional.empty() : Optional.of(check.message());
    }

    @CheckForNull
    private File newest() {
        int searched = 0;
        for (Run<?, ?> r = run; r != null && searched <= SEARCH_DEPTH; r = r.getPreviousBuild(), searched++) {
            File f = new File(new File(r.getRootDir(), GatesAction.DIR), FILE);
            if (f.isFile()) {
                return f;
            }
        }
        return null;
    }
}
