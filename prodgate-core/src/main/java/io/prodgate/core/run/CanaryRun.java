package io.prodgate.core.run;

import io.prodgate.core.action.Action;
import io.prodgate.core.canary.BakeRunner;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStateFile;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.gatefile.Remediation;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.report.Reports;
import io.prodgate.core.rollback.ProofPolicy;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One canary bake, whoever calls it: the gate file's canary section with the caller's overrides, baked live, replayed
 * over a past window or resumed from its saved state, its verdict and bake time recorded in the gate metrics, its
 * summary shown and every report asked for written.
 *
 * <p>What differs between callers stays outside: the evidence source (a Prometheus client opened with the caller's
 * credentials), the rollback proof (a file, or a CI's own store), where the state is saved, and what the caller shows
 * of each evaluation ({@link BakeListener}). Loading is apart from baking, so that a caller can refuse its own bad
 * options, or start serving metrics, between a gate file that loaded and a bake that begins.
 */
public final class CanaryRun {
    static final String GATE = "canary";
    /** The JUnit suite of a canary's report, one case per SLO. */
    public static final String JUNIT_SUITE = "prodgate canary gate";

    private final String gateName;
    private final String gateDigest;
    private final CanarySpec spec;
    private final Optional<CanaryOverrides.Window> replay;
    /** The gate file, where there is one: its rollback section is what an automatic rollback runs. */
    private final Optional<GateFile> file;
    private final Remediation remediation;

    private CanaryRun(String gateName, String gateDigest, CanarySpec spec, Optional<CanaryOverrides.Window> replay,
                      Optional<GateFile> file, Remediation remediation) {
        this.gateName = Objects.requireNonNull(gateName, "gateName");
        this.gateDigest = Objects.requireNonNull(gateDigest, "gateDigest");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.replay = Objects.requireNonNull(replay, "replay");
        this.file = Objects.requireNonNull(file, "file");
        this.remediation = Objects.requireNonNull(remediation, "remediation");
    }

    /** Reads the gate file and its canary section, with {@code overrides} applied. */
    public static CanaryRun load(Path gateFile, CanaryOverrides overrides)
            throws GateFileException, RunInputException {
        return of(GateFileLoader.load(gateFile), overrides);
    }

    /** The canary section of a gate file already read (e.g. inline text), with {@code overrides} applied. */
    public static CanaryRun of(GateFile gate, CanaryOverrides overrides) throws GateFileException, RunInputException {
        return new CanaryRun(gate.name(), gate.digest(), overrides.apply(gate.requireCanary()), overrides.replay(),
                Optional.of(gate), gate.remediation());
    }

    /**
     * A canary section put together by the caller (e.g. a CI's global settings with a step's own), live.
     *
     * @param gateDigest names this version of the settings: a saved bake state and a rollback proof belong to it
     */
    public static CanaryRun of(String gateName, String gateDigest, CanarySpec spec) {
        return new CanaryRun(gateName, gateDigest, spec, Optional.empty(), Optional.empty(), Remediation.none());
    }

    /**
     * A gate file's run judged by a canary section the caller put together (a CI step's inline parameters and global
     * defaults over the file's section, which may be absent), live. The file's traffic action, rollback section and
     * {@code canary.onFail} apply as with {@link #of(GateFile, CanaryOverrides)}; the file's digest names the run.
     */
    public static CanaryRun of(GateFile gate, CanarySpec spec) {
        return new CanaryRun(gate.name(), gate.digest(), spec, Optional.empty(), Optional.of(gate),
                gate.remediation());
    }

    /** The section as it will bake, overrides applied. */
    public CanarySpec spec() {
        return spec;
    }

    public String gateDigest() {
        return gateDigest;
    }

    /** The window judged instead of baking live, if any. */
    public Optional<CanaryOverrides.Window> replay() {
        return replay;
    }

    /**
     * The rollback proof at {@code proofFile} that the section may require (none when it does not), held against the
     * context's clock and recorded in its metrics when valid.
     */
    public ProofRequirement proofFromFile(Path proofFile, RunContext context) {
        if (!spec.requireRollbackProof()) {
            return ProofRequirement.none();
        }
        return ProofPolicy.requirement(proofFile, spec.maxProofAge(), gateDigest, context.clock(),
                proof -> context.metrics().ifPresent(m -> m.proof(proof.finishedAt())));
    }

    /**
     * The gate file's traffic action ({@code canary.traffic.set}) as a traffic control, or none where the file has
     * none (something else shifts the traffic; the gate verifies it).
     *
     * @throws GateFileException before anything runs, when the action cannot be used as written
     */
    public TrafficControl trafficFromGateFile(RunContext context) throws GateFileException {
        if (file.isEmpty() || file.get().traffic().isEmpty()) {
            return TrafficControl.NONE;
        }
        return new ActionTraffic(file.get().traffic().get(), file.get(), context);
    }

    /**
     * The gate-file fields whose command this run may execute on the machine it runs on: the traffic action's, and the
     * rollback action's where a verdict rolls back automatically ({@code canary.onFail} or {@code onInconclusive:
     * rollback}). Empty without a gate file and in a replay, which run neither. A caller that must not run commands
     * where it runs (a CI controller) refuses a file that has any, before anything runs.
     */
    public List<String> commandFields() {
        List<String> out = new ArrayList<>();
        if (file.isEmpty() || replay.isPresent()) {
            return out;
        }
        if (file.get().traffic().orElse(null) instanceof Action.Command) {
            out.add("canary.traffic.set.command");
        }
        if (mayRollBack() && file.get().rollback().get().action() instanceof Action.Command) {
            out.add("rollback.action.command");
        }
        return out;
    }

    /**
     * The gate-file fields naming a secret file this run may read on the machine it runs on: the prometheus section's
     * secret files, where an automatic rollback verifies over it (a PromQL version, SLO queries). The canary's own
     * evidence comes through the caller's source, whose credentials the caller chooses.
     */
    public List<String> secretFileFields() {
        List<String> out = new ArrayList<>();
        if (!mayRollBack() || !file.get().rollback().get().needsPrometheus() || file.get().prometheus().isEmpty()) {
            return out;
        }
        PrometheusSettings p = file.get().prometheus().get();
        for (Optional<SecretRef> ref : List.of(p.bearerToken(), p.password())) {
            ref.filter(r -> r.kind() == SecretRef.Kind.FILE).ifPresent(r -> out.add(r.field()));
        }
        return out;
    }

    /** Whether some verdict of this run rolls back automatically: a live run of a file that says so and can. */
    private boolean mayRollBack() {
        return file.isPresent() && replay.isEmpty() && !spec.advisory()
                && (remediation.onFail() || remediation.onInconclusive()) && file.get().rollback().isPresent();
    }

    /**
     * The process exit code for a decided bake: the verdict's (0 PASS, 1 FAIL, 2 INCONCLUSIVE), or 0 whatever the
     * verdict when it only advises.
     */
    public int exitCode(BakeState decided) {
        if (!decided.decided()) {
            throw new IllegalArgumentException("the bake is not decided yet");
        }
        return spec.advisory() ? Verdict.PASS.exitCode() : decided.decision().verdict().exitCode();
    }

    /** The bake over {@code source}: its gate, ready to start or resume. */
    public Bake bake(RunContext context, EvidenceSource source, ProofRequirement proof) {
        return new Bake(context, source, new CanaryGate(spec, gateDigest, source, proof), TrafficControl.NONE, false);
    }

    /** Where a bake's state is saved after each evaluation, so that it can be resumed. */
    @FunctionalInterface
    public interface StateStore {
        StateStore NONE = state -> { };

        void save(BakeState state) throws IOException;

        /**
         * The state in {@code file}, as JSON lines: each save appends what changed (the new evaluations and a progress
         * line, flushed to the disk), the first one, or one that does not extend the last, rewrites it whole,
         * atomically ({@link BakeStateFile}). Resume from a file of its own with a new store.
         */
        static StateStore file(Path file) {
            return new BakeStateFile(file)::save;
        }
    }

    /** One bake of this run's gate. */
    public final class Bake {
        private final RunContext context;
        private final EvidenceSource source;
        private final CanaryGate gate;
        private final TrafficControl traffic;
        /** The caller shifts the traffic itself, between calls: see {@link #shiftedByCaller}. */
        private final boolean callerShifts;

        private Bake(RunContext context, EvidenceSource source, CanaryGate gate, TrafficControl traffic,
                     boolean callerShifts) {
            this.context = context;
            this.source = source;
            this.gate = gate;
            this.traffic = traffic;
            this.callerShifts = callerShifts;
        }

        /**
         * The same bake, shifting the canary's traffic with {@code control} at each step of a progressive canary (and
         * to 0 when stopped or rolled back). A replay never shifts: it reads the shares that were recorded.
         */
        public Bake shifting(TrafficControl control) {
            return new Bake(context, source, gate, Objects.requireNonNull(control, "control"), callerShifts);
        }

        /**
         * The same bake, for a caller that shifts the traffic itself and cannot wait for it here (a CI step that runs
         * the pipeline's own code at each step, on another machine): {@link #advance} stops after the evaluation that
         * begins a step, {@link #shiftDue} names the step whose shift is due (the first one at the start), and the
         * caller reports back with {@link #shifted} or {@link #notShifted} before it advances again.
         *
         * <p>For an automatic rollback ({@link #rollsBack}) the caller takes the canary out of traffic itself before
         * {@link #finish}; the control given to {@link #shifting} then says what that did, when finish asks it for the
         * weight 0, the rollback's first lever. Such a bake is driven with advance only, never with {@link #run}.
         */
        public Bake shiftedByCaller() {
            return new Bake(context, source, gate, traffic, true);
        }

        private boolean shifts() {
            return spec.rollout().isPresent() && replay.isEmpty();
        }

        /** A new bake: at the replay window's start, or now on the context's clock. */
        public BakeState start() {
            return gate.start(replay.map(CanaryOverrides.Window::from).orElseGet(context.clock()::instant));
        }

        /** A new bake that began at {@code at} (a caller with its own notion of now). */
        public BakeState start(Instant at) {
            return gate.start(at);
        }

        /**
         * A saved bake to go on with; refused when it belongs to another version of the gate file, or when it would
         * silently replace the replay window asked for.
         */
        public BakeState resume(BakeState saved) throws RunInputException {
            if (!saved.gateDigest().equals(gateDigest)) {
                throw new RunInputException("belongs to another version of the gate file; delete it to start a new "
                        + "bake");
            }
            // a rollout's end moves with its steps: its start names the window
            boolean sameWindow = replay.isEmpty() || saved.startedAt().equals(replay.get().from())
                    && (spec.rollout().isPresent() || saved.endsAt().equals(replay.get().to()));
            if (!sameWindow) {
                throw new RunInputException("holds a bake from " + saved.startedAt() + " to " + saved.endsAt()
                        + ", which would be resumed instead of replaying from " + replay.get().from() + " to "
                        + replay.get().to() + "; delete it, name another state file, or replay its own window");
            }
            return saved;
        }

        /** The state in {@code stateFile} if there is one (checked as {@link #resume} does), else a new bake. */
        public BakeState resumeOrStart(Optional<Path> stateFile) throws RunInputException {
            if (stateFile.isEmpty() || !Files.exists(stateFile.get())) {
                return start();
            }
            BakeState saved;
            try {
                saved = BakeStates.read(stateFile.get());
            } catch (BakeStates.UnsupportedFormatException e) {
                throw new RunInputException(stateFile.get() + ": " + e.getMessage()
                        + "; finish its bake with the prodgate that wrote it, or delete it to start a new bake");
            } catch (IOException e) {
                throw new RunInputException(stateFile.get() + ": not a bake state file: " + e.getMessage()
                        + "; delete it to start a new bake");
            }
            try {
                return resume(saved);
            } catch (RunInputException e) {
                throw new RunInputException(stateFile.get() + " " + e.getMessage());
            }
        }

        /** What the bake can decide at the traffic of the last bake-length before {@code at}, as the plan says. */
        public CanaryPlan plan(Instant at) {
            return CanaryPlan.atStartOfBake(spec, source, at);
        }

        /**
         * Bakes to the verdict: a replay evaluates its window without waiting, a live bake waits on the context's
         * clock with {@code sleeper}. The state is saved after each evaluation, before the listener sees it.
         */
        public BakeState run(BakeState state, Sleeper sleeper, StateStore store, BakeListener listener)
                throws Exception {
            if (callerShifts) {
                throw new IllegalStateException("a bake whose caller shifts the traffic is driven with advance");
            }
            boolean resumed = !state.evaluations().isEmpty();
            Optional<CanaryPlan> plan = replay.isEmpty() && !resumed && spec.rollout().isEmpty() && listener.wantsPlan()
                    ? Optional.of(plan(state.startedAt())) : Optional.empty();
            listener.started(state, replay.isPresent(), resumed, plan);
            BakeState current = shiftToCurrentStep(state, store, listener);
            if (current.decided()) {
                return current;
            }
            BakeRunner runner = runner(current, store, listener);
            try {
                return replay.isPresent() ? runner.replay(current) : runner.live(current, context.clock(), sleeper);
            } catch (Halted halted) {
                return halted.state;
            } catch (Exception | Error e) {
                // stopped mid-rollout (interrupted, the source or a file broke): take the canary out of traffic
                try {
                    takeOutOfTraffic();
                } catch (Exception ignored) {
                    e.addSuppressed(ignored);
                }
                throw e;
            }
        }

        /**
         * Takes the canary out of traffic (its weight to 0) after a bake that ends without a verdict, as {@link #run}
         * does when it is interrupted or breaks: for a caller that drives the bake itself and was stopped. Nothing
         * happens without steps, in a replay, or when the caller shifts the traffic itself.
         *
         * @return what the traffic action did, "" when nothing was done
         * @throws Exception when the traffic action failed
         */
        public String takeOutOfTraffic() throws Exception {
            if (!shifts() || callerShifts) {
                return "";
            }
            return traffic.setWeight(0);
        }

        /**
         * Asks for the current step's weight, for a caller that drives the bake with {@link #advance}: at a new bake's
         * start (the first weight) and after a resume (the current step's again, which is idempotent). Later steps are
         * shifted as the evaluations begin them. Nothing happens without steps, in a replay, or when the caller shifts
         * the traffic itself ({@link #shiftDue} says when). A step that has not settled yet counts its settle time
         * from this shift.
         *
         * @return the state to go on from (saved), stopped if the traffic action failed
         */
        public BakeState shiftToCurrentStep(BakeState state, StateStore store, BakeListener listener)
                throws IOException {
            if (!shifts() || callerShifts || state.decided()) {
                return state;
            }
            return shift(state, state.currentStep().orElseThrow(), store, listener);
        }

        /**
         * For a bake {@linkplain #shiftedByCaller shifted by its caller}: the step whose shift is due, given how many
         * steps the caller has shifted so far (0 at a new bake's start, when the first step's is due). Empty when none
         * is due: the caller has shifted every step begun, the bake is decided, has no steps or is a replay.
         */
        public Optional<StepProgress> shiftDue(BakeState state, int shiftsDone) {
            if (!callerShifts || !shifts() || state.decided() || state.steps().size() <= shiftsDone) {
                return Optional.empty();
            }
            return state.currentStep();
        }

        /**
         * The caller shifted the traffic for {@code step}; {@code what} says what it did. Its settle bound counts from
         * now on the context's clock, however long the shift took (and the bake's end moves with it); the state is
         * saved, and the bake goes on from it.
         */
        public BakeState shifted(BakeState state, StepProgress step, String what, StateStore store,
                                 BakeListener listener) throws IOException {
            BakeState after = gate.shiftMade(state, context.clock().instant());
            store.save(after);
            listener.shifted(step, what);
            return after;
        }

        /**
         * The caller's shift for {@code step} failed with {@code problem}: the bake stops there (saved), as when a
         * traffic action fails.
         */
        public BakeState notShifted(BakeState state, StepProgress step, String problem, StateStore store)
                throws IOException {
            return stopNotShifted(state, step, problem, store);
        }

        /**
         * Every evaluation due by {@code now}, each at its own time, for a caller that wakes itself up (after a
         * restart, the ones missed are made one by one, as they would have been).
         */
        public BakeState advance(BakeState state, Instant now, StateStore store, BakeListener listener)
                throws Exception {
            try {
                return runner(state, store, listener).advance(state, now);
            } catch (Halted halted) {
                return halted.state;
            }
        }

        private BakeRunner runner(BakeState from, StateStore store, BakeListener listener) {
            int[] stepsBegun = {from.steps().size()};
            return BakeRunner.continuing(gate, step -> {
                store.save(step.state());
                listener.evaluated(step);
                // a step more than before this evaluation: it began the next step, whose shift is due
                boolean began = step.state().steps().size() > stepsBegun[0];
                stepsBegun[0] = step.state().steps().size();
                if (shifts() && !step.decided() && step.evaluation() != null && began) {
                    if (callerShifts) {
                        throw new Halted(step.state()); // the caller shifts before the bake goes on
                    }
                    BakeState after = shift(step.state(), step.state().currentStep().orElseThrow(), store, listener);
                    if (after.decided()) {
                        throw new Halted(after);
                    }
                    return after; // the bake goes on with the shift made: its settle time counts from then
                }
                return step.state();
            });
        }

        /**
         * Runs the traffic action for a step, from when on its settle time counts; one that fails stops the bake,
         * saved, with the reason.
         */
        private BakeState shift(BakeState state, StepProgress step, StateStore store, BakeListener listener)
                throws IOException {
            String what;
            try {
                what = traffic.setWeight(step.weight());
            } catch (Exception e) {
                return stopNotShifted(state, step, e.getMessage(), store);
            }
            // a shift made after the step began (the action took a while, or the evaluation was one of those a
            // resumed bake catches up on) is given its whole settle time from when it was made
            BakeState after = gate.shiftMade(state, context.clock().instant());
            if (after != state) {
                store.save(after);
            }
            listener.shifted(step, what);
            return after;
        }

        private BakeState stopNotShifted(BakeState state, StepProgress step, String problem, StateStore store)
                throws IOException {
            BakeState stopped = gate.stop(state, state.coveredUntil(), Reason.of(ReasonType.TRAFFIC_NOT_SHIFTED,
                    "the traffic action for step " + (step.index() + 1) + " (" + Numbers.percent(step.weight())
                            + " on the canary) failed: " + problem));
            store.save(stopped);
            return stopped;
        }

        /**
         * Records the verdict and the bake's duration, shows the summary and writes the reports of a decided bake.
         *
         * @throws IOException when a report cannot be written (the verdict is recorded and shown by then)
         */
        public CanaryReport finish(BakeState decided, ReportFiles reports) throws IOException {
            if (!decided.decided()) {
                throw new IllegalArgumentException("the bake is not decided yet");
            }
            var decision = decided.decision();
            context.metrics().ifPresent(m -> {
                m.verdict(GATE, decision.verdict(), spec.advisory());
                m.bake(decision.verdict(), Duration.between(decided.startedAt(), decision.decidedAt()));
                spec.dryRunSlos().forEach(slo -> m.dryRun(slo, decision.dryRunVerdict(slo)));
            });
            CanaryReport report = CanaryReport.of(gateName, spec, decided, replay.isPresent() ? "replay" : "live");
            context.progress().summary(CanaryReport.summary(decided, spec.advisory()));
            if (spec.advisory() && replay.isEmpty() && file.isPresent()
                    && remediation.appliesTo(decision.verdict()) && file.get().rollback().isPresent()) {
                context.progress().summary("canary gate: advisory, so not rolled back (canary.on"
                        + (decision.verdict() == Verdict.FAIL ? "Fail" : "Inconclusive") + ": rollback would have)"
                        + System.lineSeparator());
            }
            Optional<CanaryReport.Restore> restore = rollsBack(decided) ? Optional.of(restore(decision.verdict()))
                    : Optional.empty();
            if (restore.isPresent()) {
                report = report.withRestore(restore.get());
            }
            CanaryReport written = report;
            context.writeReports(reports, () -> Reports.json(written) + System.lineSeparator(),
                    () -> JUnitXml.render(JUNIT_SUITE, decision.decidedAt(), written.testCases()),
                    () -> CanaryHtml.render(written));
            return written;
        }

        /**
         * Whether {@link #finish} rolls this decided bake back: a verdict the gate file says not to leave in place
         * ({@code canary.onFail: rollback}), never in a replay.
         */
        public boolean rollsBack(BakeState decided) {
            return decided.decided() && replay.isEmpty() && file.isPresent() && !spec.advisory()
                    && remediation.appliesTo(decided.decision().verdict());
        }

        /**
         * After a verdict the gate file says not to leave in place: the canary's weight to 0 first, the fastest lever,
         * then the rollback section without its roll-forward, timed from the verdict until version and health are
         * verified.
         */
        private CanaryReport.Restore restore(Verdict verdict) {
            Instant from = context.clock().instant();
            List<String> reasons = new ArrayList<>();
            String shifted = "";
            try {
                shifted = traffic.setWeight(0);
            } catch (Exception e) {
                reasons.add("setting the canary's weight to 0 failed: " + e.getMessage());
            }
            boolean restored = false;
            Optional<RollbackSpec> rollback = file.get().rollback();
            if (rollback.isEmpty()) {
                reasons.add("the gate file has no rollback section to run");
            } else {
                context.progress().summary("canary gate: rolling back (" + verdict + "): "
                        + rollback.get().action().describe() + System.lineSeparator());
                try {
                    RollbackProof proof = new RollbackGate(context.clock(), context.env()).run(file.get().ref(),
                            file.get().prometheus(), rollback.get().withoutRollForward());
                    restored = proof.proven();
                    proof.reasons().forEach(r -> reasons.add(r.message()));
                } catch (GateFileException e) {
                    reasons.add("the rollback could not run: " + e.getMessage());
                }
            }
            Instant until = context.clock().instant();
            Duration took = Duration.between(from, until);
            boolean within = took.compareTo(remediation.restoreWithin()) <= 0;
            if (!within) {
                reasons.add("restoring took " + Durations.human(took) + ", longer than rollback.restoreWithin ("
                        + Durations.human(remediation.restoreWithin()) + ")");
            }
            boolean ok = restored;
            context.metrics().ifPresent(m -> m.restore(ok, took));
            context.progress().summary("canary gate: " + (restored ? "restored" : "NOT restored") + " in "
                    + Durations.human(took) + (within ? "" : " (longer than the " + Durations.human(
                            remediation.restoreWithin()) + " allowed)") + System.lineSeparator());
            return new CanaryReport.Restore(from, until, took.toMillis() / 1000.0, restored,
                    remediation.restoreWithin().toMillis() / 1000.0, within, shifted, reasons);
        }
    }

    /**
     * The bake stops advancing between evaluations, with its saved state: a traffic action failed (the state is
     * stopped), or the caller shifts the traffic itself before it goes on.
     */
    private static final class Halted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BakeState state;

        Halted(BakeState state) {
            super(null, null, false, false);
            this.state = state;
        }
    }
}
