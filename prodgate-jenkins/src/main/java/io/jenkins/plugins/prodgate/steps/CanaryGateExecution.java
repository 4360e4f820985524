package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.gate.BuildRollbackProofs;
import io.jenkins.plugins.prodgate.gate.CanarySettings;
import io.jenkins.plugins.prodgate.gate.GateExecutors;
import io.jenkins.plugins.prodgate.gate.GateOutcome;
import io.jenkins.plugins.prodgate.gate.GateText;
import io.jenkins.plugins.prodgate.gate.PrometheusConnection;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Decision;
import io.prodgate.core.canary.Evaluation;
import io.prodgate.core.canary.Judgement;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloStatus;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.run.BakeListener;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.ReportFiles;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.run.TrafficControl;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.workflow.actions.LabelAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.BodyExecution;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * A bake without a thread: the plugin's pool ({@link GateExecutors}) wakes it at each evaluation time, queries
 * Prometheus, saves the bake state and schedules the next wake-up. The pool is the running Jenkins instance's: at
 * shutdown its wake-ups are cancelled and nothing more completes through it, so this object, left over from a Jenkins
 * that shut down, can never fire into the run that resumes from the saved state.
 *
 * <p>The bake state holds absolute times and every evaluation so far, and the judge is deterministic on it. After a
 * restart the evaluations that fell due while Jenkins was down are made at their own times, one by one, so the verdict
 * is the one an uninterrupted bake would have reached (as long as Prometheus still has the data).
 *
 * <p>A progressive canary ({@code canary.steps}) shifts its traffic at each step. {@code canaryGate} does it with the
 * gate file's traffic action, an HTTP call made from here, the controller, as the Prometheus queries are (and asks
 * again for the current step's weight after a restart). {@code canaryRollout} runs the pipeline's block instead, with
 * the weight in {@code PRODGATE_WEIGHT}, and waits for it without a thread: the block's callback carries the bake on.
 * Commands never run here: a gate file whose traffic action or automatic rollback is a command is refused.
 */
final class CanaryGateExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(CanaryGateExecution.class.getName());
    static final String GATE = "canaryGate";
    static final String ROLLOUT = "canaryRollout";
    /** In the block's environment: the step's weight in percent, as the gate file's {@code ${weight}} ("10"). */
    static final String WEIGHT = "PRODGATE_WEIGHT";
    /** In the block's environment: the step's number, from 1; 0 when the block takes the canary out of traffic. */
    static final String STEP = "PRODGATE_STEP";
    /** The block's run that takes the canary out of traffic before a rollback, in place of a step's index. */
    private static final int ZERO = -1;

    /** The step's name: {@code canaryGate} or {@code canaryRollout}. */
    private final String name;
    /** The pipeline's block shifts the traffic ({@code canaryRollout}). */
    private final boolean block;

    private final String config;
    private final String configText;
    private final CanarySettings settings;
    private final String prometheusUrl;
    private final String credentialsId;

    /** The gate file as read before the first evaluation; null without one. */
    private GateText gateText;

    private boolean gateRead;
    /** The bake so far; null before it starts. Never a decided state: those end the step at once. */
    private volatile BakeState state;
    /**
     * Set once the step completes or is stopped, so a wake-up that races with stop() or another completion does
     * nothing. Transient on purpose: a completion that Jenkins could not deliver because it was shutting down must
     * not leave a resumed bake that never wakes up; after a restart the undecided state is simply evaluated again.
     */
    private transient boolean done;

    private volatile String progress = Messages.CanaryGate_Starting();
    /**
     * canaryGate: whether the current step's weight was asked for since this object was loaded. After a restart it is
     * asked for again, which the traffic action makes idempotent, in case the restart came between a step's start
     * and its shift.
     */
    private transient boolean shiftAskedSinceLoad;

    /** canaryRollout: how many steps' shifts the block has made. */
    private int blockShifts;
    /**
     * canaryRollout: the block runs (a shift, or the weight 0 before a rollback); no wake-up is scheduled meanwhile,
     * and its callback carries the bake on, also after a restart, when the block goes on with the build.
     */
    private boolean inBlock;
    /** canaryRollout: the running block, to cancel it if the step is stopped. */
    private BodyExecution running;
    /** canaryRollout: the block that ended (a step's index, or {@link #ZERO}) until the bake has taken it in. */
    private Integer blockEnded;
    /** canaryRollout: why it failed; null when it returned. */
    private String blockProblem;
    /** canaryRollout: a decided bake that rolls back, kept while the block takes the canary out of traffic. */
    private BakeState rollingBack;

    private String rollingBackHeadline;

    private transient volatile ScheduledFuture<?> task;
    /** The pool of the Jenkins instance that started or resumed this bake; see {@link GateExecutors}. */
    private transient volatile GateExecutors.Session session;

    private transient Prepared prepared;

    /** What is rebuilt from the persisted fields after a restart. */
    private record Prepared(CanaryRun run, CanaryRun.Bake bake, PrometheusClient client, String connection) {
        CanarySpec spec() {
            return run.spec();
        }
    }

    /** Thrown from a state save when the step was stopped meanwhile: no further evaluation is made. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    /** How the block ended; it runs on the CPS VM thread, so the bake goes on in the plugin's pool. */
    private final class BlockDone extends BodyExecutionCallback {
        private static final long serialVersionUID = 1L;
        private final int step;

        BlockDone(int step) {
            this.step = step;
        }

        @Override
        public void onSuccess(StepContext context, Object result) {
            blockEnded(step, null);
        }

        @Override
        public void onFailure(StepContext context, Throwable t) {
            if (t instanceof InterruptedException) {
                // aborted, or a timeout around the step: the build stops, it is not a shift that failed
                synchronized (CanaryGateExecution.this) {
                    inBlock = false;
                    running = null;
                }
                fail(t);
                return;
            }
            blockEnded(step, t.getMessage() == null ? t.toString() : t.getMessage());
        }
    }

    CanaryGateExecution(
            StepContext context,
            String name,
            boolean block,
            @CheckForNull String config,
            @CheckForNull String configText,
            CanarySettings settings,
            @CheckForNull String prometheusUrl,
            @CheckForNull String credentialsId) {
        super(context);
        this.name = name;
        this.block = block;
        this.config = config;
        this.configText = configText;
        this.settings = settings;
        this.prometheusUrl = prometheusUrl;
        this.credentialsId = credentialsId;
    }

    @Override
    public boolean start() {
        session = GateExecutors.current();
        wakeUpIn(0);
        return false;
    }

    @Override
    public void onResume() {
        session = GateExecutors.current();
        synchronized (this) {
            if (done || inBlock) {
                return; // a block that was running goes on with the build; its callback wakes the bake
            }
        }
        wakeUpIn(0);
    }

    @Override
    public void stop(@NonNull Throwable cause) throws Exception {
        boolean wasDone;
        BodyExecution body;
        synchronized (this) {
            wasDone = done;
            done = true;
            body = inBlock ? running : null;
        }
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        if (body != null) {
            body.cancel(cause);
        }
        Prepared p = prepared;
        if (!wasDone && p != null && state != null) {
            // a bake stopped without a verdict takes the canary out of traffic, as the CLI does when interrupted
            TaskListener listener = getContext().get(TaskListener.class);
            if (!session().execute(() -> {
                leaveTraffic(p, listener);
                p.client().close();
            })) {
                close(); // Jenkins is shutting down
            }
        } else {
            close();
        }
        super.stop(cause);
    }

    @Override
    public String getStatus() {
        return progress;
    }

    /** The session this bake runs in; one that was neither started nor resumed here takes the current one. */
    private GateExecutors.Session session() {
        GateExecutors.Session s = session;
        if (s == null) {
            s = GateExecutors.current();
            session = s;
        }
        return s;
    }

    /** Done, or its Jenkins shut down: then the bake goes on from its saved state in the next one. */
    private synchronized boolean isDone() {
        return done || session().isClosed();
    }

    /**
     * Claims the right to complete the step; false when stop() or another completion came first, or when the Jenkins
     * this bake ran in shut down (the resumed bake completes it).
     */
    private synchronized boolean claimCompletion() {
        if (done || session().isClosed()) {
            return false;
        }
        done = true;
        return true;
    }

    private void wakeUpIn(long millis) {
        task = session().schedule(this::evaluate, millis);
    }

    private void wakeUpAt(Instant at) {
        wakeUpIn(Duration.between(Instant.now(), at).toMillis());
    }

    /** One wake-up: every evaluation that is due, a shift that is due, then the next wake-up or the verdict. */
    private void evaluate() {
        // No lock: there is only ever one wake-up pending, and stop() must not wait for a slow Prometheus.
        if (isDone()) {
            return;
        }
        StepContext context = getContext();
        try {
            Run<?, ?> run = context.get(Run.class);
            TaskListener listener = context.get(TaskListener.class);
            Prepared p = prepare(run, listener);
            synchronized (this) {
                if (inBlock) {
                    return;
                }
            }
            bake(run, listener, p);
        } catch (Stopped stopped) {
            // stop() came first
        } catch (AbortException e) {
            fail(e);
        } catch (Exception | LinkageError e) {
            Jenkins jenkins = Jenkins.getInstanceOrNull();
            if (session().isClosed() || jenkins == null || jenkins.isTerminating()) {
                // the controller is going down: the saved state is resumed by onResume(), so do not fail the bake
                LOGGER.log(Level.FINE, name + ": Jenkins is shutting down; the bake resumes after the restart", e);
                return;
            }
            LOGGER.log(Level.FINE, name + " failed", e);
            fail(e);
        }
    }

    private void bake(Run<?, ?> run, TaskListener listener, Prepared p) throws Exception {
        StepContext context = getContext();
        CanarySpec spec = p.spec();
        CanaryRun.Bake bake = p.bake();
        if (rollingBack != null) { // canaryRollout, decided: the block takes the canary out of traffic first
            if (blockEnded == null || blockEnded != ZERO) {
                runZeroBlock(listener, rollingBack); // not run yet: a restart came before it started
            } else {
                finish(run, p, rollingBack, rollingBackHeadline);
            }
            return;
        }
        CanaryRun.StateStore store = next -> {
            if (isDone()) {
                throw new Stopped();
            }
            if (!next.decided()) { // a decided state ends the step; it is never persisted
                state = next;
                context.saveState();
            }
        };
        Judgement[] last = {null};
        BakeListener events = events(listener, spec, last);
        if (state == null) {
            state = bake.start(Instant.now());
            announce(listener, p, state);
            progress = baking(spec, state, "");
            context.saveState();
        }
        if (block && blockEnded != null && blockEnded != ZERO) { // how the block's shift went
            StepProgress step = state.steps().get(blockEnded);
            if (blockProblem != null) {
                // kept until the step completes: after a restart the same stop is made again
                decided(
                        run,
                        p,
                        bake.notShifted(state, step, Messages.CanaryGate_BlockFailed(blockProblem), store),
                        null,
                        listener);
                return;
            }
            blockShifts = blockEnded + 1;
            blockEnded = null;
            bake.shifted(state, step, Messages.CanaryGate_ByTheBlock(), store, events);
        }
        if (block) {
            Optional<StepProgress> due = bake.shiftDue(state, blockShifts);
            if (due.isPresent()) {
                runBlock(listener, spec, due.get());
                return;
            }
        } else if (!shiftAskedSinceLoad) {
            // at a new bake's start the first step's weight, after a restart the current step's again
            shiftAskedSinceLoad = true;
            BakeState asked = bake.shiftToCurrentStep(state, store, events);
            if (asked.decided()) {
                decided(run, p, asked, null, listener);
                return;
            }
        }
        // Evaluate at each due point of the grid, not once at "now": after a restart this replays the missed
        // evaluations exactly as they would have happened.
        BakeState reached = bake.advance(state, Instant.now(), store, events);
        if (reached.decided()) {
            decided(run, p, reached, last[0], listener);
        } else if (block && bake.shiftDue(reached, blockShifts).isPresent()) {
            runBlock(listener, spec, bake.shiftDue(reached, blockShifts).get()); // a new step began
        } else if (!isDone()) {
            wakeUpAt(state.nextEvaluationAt());
        }
    }

    /** What the bake shows as it goes: each shift and evaluation in the log, the step in the label and status. */
    private BakeListener events(TaskListener listener, CanarySpec spec, Judgement[] last) {
        return new BakeListener() {
            @Override
            public void shifted(StepProgress step, String what) {
                int steps = steps(spec);
                String percent = Numbers.percent(step.weight());
                label(Messages.CanaryGate_StepLabel(name, step.index() + 1, steps, percent));
                BakeState s = state;
                if (s != null) {
                    progress = baking(spec, s, "");
                }
                listener.getLogger()
                        .println(
                                what.isEmpty()
                                        ? Messages.CanaryGate_ShiftedElsewhere(name, step.index() + 1, steps, percent)
                                        : Messages.CanaryGate_Shifted(name, step.index() + 1, steps, percent, what));
            }

            @Override
            public void evaluated(CanaryGate.Step step) {
                last[0] = step.judgement();
                log(listener, spec, step);
                progress = baking(spec, step.state(), statusLine(step.judgement()));
            }
        };
    }

    private void announce(TaskListener listener, Prepared p, BakeState started) {
        CanarySpec spec = p.spec();
        String slos = String.join(", ", spec.slos().stream().map(s -> s.name()).toList());
        if (spec.rollout().isPresent()) {
            Rollout rollout = spec.rollout().get();
            String steps = String.join(
                    ", ",
                    rollout.steps().stream()
                            .map(s -> Messages.CanaryGate_StepBake(
                                    Numbers.percent(s.weight()), Durations.human(s.bake())))
                            .toList());
            listener.getLogger()
                    .println(Messages.CanaryGate_StartedSteps(
                            name,
                            rollout.steps().size(),
                            steps,
                            Durations.human(spec.bake()),
                            Durations.human(spec.interval()),
                            spec.canarySelector(),
                            spec.baselineSelector(),
                            slos,
                            p.connection()));
            return;
        }
        listener.getLogger()
                .println(Messages.CanaryGate_Started(
                        name,
                        Durations.human(spec.bake()),
                        Durations.human(spec.interval()),
                        spec.evaluations(),
                        spec.canarySelector(),
                        spec.baselineSelector(),
                        slos,
                        p.connection()));
        // what this bake can decide at the recent traffic, as prodgate plan computes it
        p.bake().plan(started.startedAt()).announcement().forEach(listener.getLogger()::println);
    }

    /** canaryRollout: runs the block for {@code step}'s shift, with its weight in the environment. */
    private void runBlock(TaskListener listener, CanarySpec spec, StepProgress step) throws Exception {
        int steps = steps(spec);
        String weight = TrafficControl.percent(step.weight());
        String percent = Numbers.percent(step.weight());
        label(Messages.CanaryGate_ShiftingLabel(name, step.index() + 1, steps, percent));
        progress = Messages.CanaryGate_Shifting(step.index() + 1, steps, percent, weight);
        listener.getLogger().println(Messages.CanaryGate_BlockStarts(name, step.index() + 1, steps, weight));
        invoke(
                Map.of(WEIGHT, weight, STEP, String.valueOf(step.index() + 1)),
                Messages.CanaryGate_BlockName(percent, step.index() + 1, steps),
                step.index());
    }

    /** canaryRollout: runs the block with the weight 0 before the gate file's rollback runs. */
    private void runZeroBlock(TaskListener listener, BakeState decided) throws Exception {
        listener.getLogger()
                .println(Messages.CanaryGate_ZeroBlockStarts(
                        name, decided.decision().verdict()));
        progress = Messages.CanaryGate_ZeroShifting();
        invoke(Map.of(WEIGHT, "0", STEP, "0"), Messages.CanaryGate_ZeroBlockName(), ZERO);
    }

    private void invoke(Map<String, String> env, String displayName, int step) throws Exception {
        StepContext c = getContext();
        synchronized (this) {
            if (done) {
                return;
            }
            // Set before the block starts, in memory only: the program is saved with it once the block runs, and a
            // restart before that finds no block running and starts it again.
            inBlock = true;
            blockEnded = null;
            blockProblem = null;
        }
        BodyExecution body;
        try {
            body = c.newBodyInvoker()
                    .withContext(EnvironmentExpander.merge(
                            c.get(EnvironmentExpander.class), EnvironmentExpander.constant(env)))
                    .withDisplayName(displayName)
                    .withCallback(new BlockDone(step))
                    .start();
        } catch (Exception | LinkageError e) {
            synchronized (this) {
                inBlock = false;
            }
            throw e;
        }
        synchronized (this) {
            if (inBlock) { // else it has already ended
                running = body;
            }
        }
        c.saveState();
    }

    private void blockEnded(int step, @CheckForNull String problem) {
        synchronized (this) {
            inBlock = false;
            running = null;
            blockEnded = step;
            blockProblem = problem;
            if (done || session().isClosed()) {
                return;
            }
        }
        getContext().saveState();
        session().execute(this::evaluate);
    }

    /** A verdict: canaryRollout first takes the canary out of traffic with the block if it rolls back. */
    private void decided(
            Run<?, ?> run, Prepared p, BakeState decided, @CheckForNull Judgement judgement, TaskListener listener)
            throws Exception {
        String headline = headline(decided, judgement, p.spec());
        if (block && p.bake().rollsBack(decided)) {
            rollingBack = decided;
            rollingBackHeadline = headline;
            runZeroBlock(listener, decided);
            return;
        }
        finish(run, p, decided, headline);
    }

    /** canaryRollout: what the block did with the weight 0, for the rollback's record (it has run by then). */
    private TrafficControl zeroByTheBlock() {
        return weight -> {
            String problem = blockProblem;
            if (problem != null) {
                throw new IllegalStateException(Messages.CanaryGate_BlockFailed(problem));
            }
            return Messages.CanaryGate_ZeroBlockRan();
        };
    }

    /** A bake stopped without a verdict: the canary out of traffic, where the core says so (canaryGate's action). */
    private void leaveTraffic(Prepared p, TaskListener listener) {
        try {
            String what = p.bake().takeOutOfTraffic();
            if (!what.isEmpty()) {
                listener.getLogger().println(Messages.CanaryGate_OutOfTraffic(name, what));
            }
        } catch (Exception e) {
            listener.getLogger().println(Messages.CanaryGate_OutOfTrafficFailed(name, e.getMessage()));
        }
    }

    /**
     * Reads the gate file (once), refuses what must not run here, then builds the gate, its traffic control and its
     * Prometheus client (after a restart again).
     */
    private Prepared prepare(Run<?, ?> run, TaskListener listener) throws Exception {
        if (prepared != null) {
            return prepared;
        }
        if (!gateRead) {
            gateText = readGateText();
            gateRead = true;
            getContext().saveState();
        }
        GateFile file = gateText == null ? null : gateText.parse();
        CanarySpec spec = settings.spec(file == null ? Optional.empty() : file.canary());
        // with a gate file, its traffic action, rollback section and canary.onFail apply
        CanaryRun canary = file != null
                ? CanaryRun.of(file, spec)
                : CanaryRun.of(name, "inline:" + sha256(settings.fingerprint()), spec);
        refuse(canary, file, spec);
        EnvVars env = getContext().get(EnvVars.class);
        Map<String, String> vars = env == null ? Map.of() : env;
        // The build's environment, not the controller's: the traffic action's and the rollback's headersFromEnv
        // come from withCredentials. The build log shows the verdict as GateOutcome publishes it, so the run itself
        // stays silent.
        RunContext context = RunContext.builder().env(vars).build();
        TrafficControl traffic = block ? zeroByTheBlock() : trafficAction(canary, context);
        PrometheusConnection.Opened connection = PrometheusConnection.open(
                run,
                vars,
                gateText == null ? name : gateText.name(),
                file == null ? Optional.empty() : file.prometheus(),
                prometheusUrl,
                credentialsId,
                ProdgateConfiguration.get());
        ProofRequirement proof = spec.requireRollbackProof()
                ? new BuildRollbackProofs(run, spec.maxProofAge(), listener)
                : ProofRequirement.none();
        CanaryRun.Bake bake = canary.bake(context, new PrometheusEvidence(connection.client()), proof)
                .shifting(traffic);
        if (block) {
            bake = bake.shiftedByCaller();
        }
        prepared = new Prepared(canary, bake, connection.client(), connection.description());
        return prepared;
    }

    /**
     * Refuses, before anything runs, a gate file that would make this step run a command (or read a secret file) on
     * the controller, and a canaryRollout that has no steps for its block or a second way to shift.
     */
    private void refuse(CanaryRun canary, @CheckForNull GateFile file, CanarySpec spec) throws AbortException {
        String where = gateText == null ? name : gateText.name();
        if (block) {
            if (file == null) {
                throw new AbortException(Messages.CanaryGate_RolloutNeedsFile(name));
            }
            if (spec.rollout().isEmpty()) {
                throw new AbortException(Messages.CanaryGate_RolloutNeedsSteps(name, where));
            }
            if (file.traffic().isPresent()) {
                throw new AbortException(Messages.CanaryGate_BlockAndTrafficAction(name, where));
            }
        }
        List<String> problems = new ArrayList<>();
        for (String field : canary.commandFields()) {
            problems.add(Messages.CanaryGate_NoCommands(
                    name,
                    where,
                    field,
                    field.startsWith("canary.")
                            ? Messages.CanaryGate_NoTrafficCommand()
                            : Messages.CanaryGate_NoRollbackCommand()));
        }
        for (String field : canary.secretFileFields()) {
            problems.add(Messages.CanaryGate_NoSecretFiles(name, where, field));
        }
        if (!problems.isEmpty()) {
            throw new AbortException(String.join("\n", problems));
        }
    }

    /** canaryGate: the gate file's traffic action (an HTTP call, from here), or none. */
    private static TrafficControl trafficAction(CanaryRun canary, RunContext context) throws AbortException {
        try {
            return canary.trafficFromGateFile(context);
        } catch (GateFileException e) {
            throw new AbortException(e.getMessage());
        }
    }

    @CheckForNull
    private GateText readGateText() throws Exception {
        if (config != null && configText != null) {
            throw new AbortException(Messages.CanaryGate_ConfigOrText(name));
        }
        if (configText != null) {
            return new GateText("configText", configText);
        }
        if (config == null) {
            return null;
        }
        FilePath workspace = getContext().get(FilePath.class);
        if (workspace == null) {
            throw new AbortException(Messages.CanaryGate_NeedsWorkspace(name, config));
        }
        FilePath file = workspace.child(config);
        if (!file.exists()) {
            throw new AbortException(Messages.CanaryGate_NoSuchFile(file.getRemote()));
        }
        return new GateText(config, file.readToString());
    }

    private void finish(Run<?, ?> run, Prepared p, BakeState decided, String headline) {
        if (!claimCompletion()) {
            return;
        }
        close();
        Decision decision = decided.decision();
        progress = decision.verdict().name();
        try {
            TaskListener listener = context(TaskListener.class);
            String report = "canary-" + context(FlowNode.class).getId();
            Path dir = GatesAction.reportDir(run).toPath();
            Path html = dir.resolve(report + ".html");
            Path json = dir.resolve(report + ".json");
            Map<String, Object> extra = new java.util.HashMap<>();
            extra.put("evaluations", decided.evaluations().size());
            decided.currentStep().ifPresent(step -> {
                extra.put("step", step.index() + 1);
                extra.put("steps", steps(p.spec()));
                extra.put("weight", TrafficControl.percent(step.weight()));
            });
            String reportFile = html.getFileName().toString();
            String shown = headline;
            if (p.bake().rollsBack(decided)) {
                listener.getLogger()
                        .println(Messages.CanaryGate_RollingBack(
                                name,
                                decision.verdict(),
                                decision.verdict() == Verdict.FAIL ? "Fail" : "Inconclusive"));
            }
            try {
                CanaryReport written = p.bake()
                        .finish(
                                decided,
                                new ReportFiles(
                                        Optional.of(json),
                                        Optional.of(dir.resolve(report + ".xml")),
                                        Optional.of(html)));
                extra.put(
                        "junitXml", JUnitXml.render(CanaryRun.JUNIT_SUITE, decision.decidedAt(), written.testCases()));
                CanaryReport.Restore restore = written.restore();
                if (restore != null) {
                    String took = Durations.human(Duration.ofMillis(Math.round(restore.timeToRestore() * 1000)));
                    String outcome = restore.restored()
                            ? Messages.CanaryGate_Restored(took)
                            : Messages.CanaryGate_NotRestored(took);
                    listener.getLogger().println(name + ": " + outcome);
                    if (!restore.traffic().isEmpty()) {
                        listener.getLogger().println("  - " + Messages.CanaryGate_WeightZero(restore.traffic()));
                    }
                    restore.reasons().forEach(r -> listener.getLogger().println("  - " + r));
                    extra.put("restored", restore.restored());
                    extra.put("timeToRestore", restore.timeToRestore());
                    shown = shown.isEmpty() ? outcome : shown + ", " + outcome;
                }
            } catch (IOException e) {
                // the verdict stands without its reports: say so, and link what was written
                LOGGER.log(Level.WARNING, name + ": could not write the reports of " + report, e);
                listener.getLogger().println("prodgate: could not write the reports: " + e.getMessage());
                reportFile = Files.exists(html)
                        ? reportFile
                        : Files.exists(json) ? json.getFileName().toString() : null;
            }
            List<String> reasons =
                    decision.reasons().stream().map(Reason::message).toList();
            Map<String, Object> result =
                    GateOutcome.publish(getContext(), name, decision.verdict(), shown, reasons, reportFile, extra);
            getContext().onSuccess(result);
        } catch (AbortException failed) { // FAIL arrives here, carrying the reasons
            getContext().onFailure(failed);
        } catch (Exception broken) {
            // the verdict stands: a FAIL still ends the step with its reasons, whatever broke on the way
            LOGGER.log(Level.WARNING, name + ": could not publish the verdict " + decision.verdict(), broken);
            getContext()
                    .onFailure(
                            decision.verdict() == Verdict.FAIL
                                    ? GateOutcome.failure(
                                            name,
                                            decision.reasons().stream()
                                                    .map(Reason::message)
                                                    .toList())
                                    : broken);
        }
    }

    private <T> T context(Class<T> type) throws Exception {
        T value = getContext().get(type);
        if (value == null) {
            throw new IllegalStateException("the step has no " + type.getSimpleName());
        }
        return value;
    }

    private void fail(Throwable cause) {
        if (claimCompletion()) {
            Prepared p = prepared;
            if (p != null && state != null) {
                try {
                    leaveTraffic(p, context(TaskListener.class));
                } catch (Exception e) {
                    LOGGER.log(Level.FINE, name + ": no log to tell of the weight 0", e);
                }
            }
            close();
            progress = Messages.CanaryGate_Failed(String.valueOf(cause.getMessage()));
            getContext().onFailure(cause);
        }
    }

    private void close() {
        Prepared p = prepared;
        if (p != null) {
            p.client().close();
        }
    }

    /** The evidence of one evaluation, in the build log: every SLO's figures and anything that was missing. */
    private void log(TaskListener listener, CanarySpec spec, CanaryGate.Step step) {
        Evaluation e = step.evaluation();
        if (e == null) {
            return;
        }
        listener.getLogger()
                .println(Messages.CanaryGate_Evaluation(
                        name,
                        step.state().evaluations().size(),
                        spec.evaluations(),
                        e.at(),
                        Durations.human(Duration.between(e.from(), e.at())),
                        statusLine(step.judgement())));
        for (SloEvidence slo : e.slos()) {
            missing(listener, slo.slo(), "canary", slo.canary());
            missing(listener, slo.slo(), "baseline", slo.baseline());
        }
    }

    private static void missing(TaskListener listener, String slo, String side, @CheckForNull Reading r) {
        if (r != null && !r.ok()) {
            listener.getLogger().println("    " + slo + " " + side + ": " + r.status() + " " + r.detail());
        }
    }

    private static String statusLine(@CheckForNull Judgement judgement) {
        if (judgement == null) {
            return "";
        }
        return String.join(
                "; ",
                judgement.slos().stream()
                        .map(s -> s.summary() + " [" + s.state() + "]")
                        .toList());
    }

    /**
     * The figures of the SLO the verdict is about and, for a progressive canary, the step it came at: e.g. for the
     * label in the pipeline graph.
     */
    private static String headline(BakeState decided, @CheckForNull Judgement judgement, CanarySpec spec) {
        List<String> parts = new ArrayList<>();
        String slo = sloHeadline(decided.decision(), judgement);
        if (!slo.isEmpty()) {
            parts.add(slo);
        }
        decided.currentStep()
                .ifPresent(step -> parts.add(
                        Messages.CanaryGate_AtStep(step.index() + 1, steps(spec), Numbers.percent(step.weight()))));
        return String.join(", ", parts);
    }

    private static String sloHeadline(Decision decision, @CheckForNull Judgement judgement) {
        if (judgement == null || judgement.slos().isEmpty()) {
            return "";
        }
        String subject = decision.reasons().stream()
                .map(Reason::subject)
                .filter(s -> !s.isEmpty())
                .findFirst()
                .orElse(judgement.slos().get(0).name());
        return judgement.slos().stream()
                .filter(s -> s.name().equals(subject))
                .findFirst()
                .map(SloStatus::summary)
                .orElse("");
    }

    /** How many steps a progressive canary has; 0 without. */
    private static int steps(CanarySpec spec) {
        return spec.rollout().map(r -> r.steps().size()).orElse(0);
    }

    /** The step's status: the evaluations so far and, for a progressive canary, the step it bakes. */
    private static String baking(CanarySpec spec, BakeState s, String status) {
        String line = s.currentStep()
                .map(step -> Messages.CanaryGate_BakingStep(
                        step.index() + 1,
                        steps(spec),
                        Numbers.percent(step.weight()),
                        s.evaluations().size(),
                        spec.evaluations(),
                        s.nextEvaluationAt()))
                .orElseGet(() ->
                        Messages.CanaryGate_Baking(s.evaluations().size(), spec.evaluations(), s.nextEvaluationAt()));
        return status.isEmpty() ? line : line + " " + status;
    }

    /** The step's label in the pipeline graphs while it bakes; the verdict replaces it. */
    private void label(String text) {
        try {
            FlowNode node = getContext().get(FlowNode.class);
            if (node != null) {
                node.addOrReplaceAction(new LabelAction(text));
            }
        } catch (IOException | InterruptedException e) {
            LOGGER.log(Level.FINE, name + ": could not label the step", e);
        }
    }

    private static String sha256(String text) throws java.security.NoSuchAlgorithmException {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
