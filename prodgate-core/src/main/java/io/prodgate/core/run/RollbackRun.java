package io.prodgate.core.run;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.RollbackHtml;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One rollback rehearsal, whoever calls it: the gate file's rollback section (with another target, if given) proven
 * once, its outcome and time to roll back recorded in the gate metrics, its summary shown, the proof and every report
 * asked for written.
 *
 * <p>Loading is apart from running, so that a caller can refuse its own bad options, or start serving metrics, between
 * a gate file that loaded and an action that rolls back.
 */
public final class RollbackRun {
    static final String GATE = "rollback";

    private final GateFile gate;
    private final RollbackSpec spec;

    private RollbackRun(GateFile gate, RollbackSpec spec) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** Reads the gate file and its rollback section; {@code target} replaces the section's. */
    public static RollbackRun load(Path gateFile, Optional<String> target) throws GateFileException {
        return of(GateFileLoader.load(gateFile), target);
    }

    /** The rollback section of a gate file already read (e.g. inline text); {@code target} replaces the section's. */
    public static RollbackRun of(GateFile gate, Optional<String> target) throws GateFileException {
        RollbackSpec spec = gate.requireRollback();
        return new RollbackRun(gate, target.map(spec::withTarget).orElse(spec));
    }

    /**
     * Rolls back (and forward, when configured), records the outcome, shows the summary and writes the proof and the
     * reports.
     *
     * @param proofFile written whether or not the rollback was proven: a rollback path that broke must invalidate an
     *                  older proof
     * @throws GateFileException when a relative URL has no target, a secret is unset, or PromQL is used without a
     *                           prometheus section
     * @throws IOException       when the proof or a report cannot be written (the outcome is recorded and shown by then)
     */
    public RollbackProof run(RunContext context, Path proofFile, ReportFiles reports)
            throws GateFileException, IOException {
        RollbackProof proof = new RollbackGate(context.clock(), context.env()).run(gate.ref(), gate.prometheus(), spec);
        context.metrics().ifPresent(m -> {
            m.verdict(GATE, proof.proven() ? Verdict.PASS : Verdict.FAIL);
            if (proof.timeToRollBack() != null) {
                m.rollback(proof.proven(), proof.timeToRollBack(), proof.finishedAt());
            }
        });
        context.progress().summary(RollbackReports.summary(proof));
        String json = RollbackProofs.json(proof) + System.lineSeparator();
        context.write("proof", Optional.of(proofFile), () -> json);
        context.writeReports(reports, () -> json, () -> RollbackReports.junit(proof), () -> RollbackHtml.render(proof));
        return proof;
    }
}
