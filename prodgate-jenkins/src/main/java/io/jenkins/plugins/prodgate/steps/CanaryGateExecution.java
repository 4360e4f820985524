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
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloStatus;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.run.BakeListener;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.ReportFiles;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * A bake without a thread: the shared {@link Timer} wakes it at each evaluation time and hands the work to the plugin's
 * own pool, which queries Prometheus, saves the bake state and schedules the next wake-up.
 *
 * <p>The bake state holds absolute times and every evaluation so far, and the judge is deterministic on it. After a
 * restart the evaluations that fell due while Jenkins was down are made at their own times, one by one, so the verdict
 * is the one an uninterrupted bake would have reached (as long as Prometheus still has the data).
 */
final class CanaryGateExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(CanaryGateExecution.class.getName());
    static final String GATE = "canaryGate";

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

    private transient volatile ScheduledFuture<?> task;
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

    CanaryGateExecution(StepContext context, @CheckForNull String config, @CheckForNull String configText,
                        CanarySettings settings, @CheckForNull String prometheusUrl,
                        @CheckForNull String credentialsId) {
        super(context);
        this.config = config;
        this.configText = configText;
        this.settings = settings;
        this.prometheusUrl = prometheusUrl;
        this.credentialsId = credentialsId;
    }

    @Override
    public boolean start() {
        wakeUpIn(0);
        return false;
    }

    @Override
    public void onResume() {
        if (!isDone()) {
            wakeUpIn(0);
        }
    }

    @Override
    public void stop(@NonNull Throwable cause) throws Exception {
        synchronized (this) {
            done = true;
        }
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        close();
        super.stop(cause);
    }

    @Override
    public String getStatus() {
        return progress;
    }

    private synchronized boolean isDone() {
        return done;
    }

    /** Claims the right to complete the step; false when stop() or another completion came first. */
    private synchronized boolean claimCompletion() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    private void wakeUpIn(long millis) {
        task = Timer.get().schedule(() -> GateExecutors.canary().execute(this::evaluate), Math.max(0, millis),
                TimeUnit.MILLISECONDS);
    }

    private void wakeUpAt(Instant at) {
        wakeUpIn(Duration.between(Instant.now(), at).toMillis());
    }

    /** One wake-up: every evaluation that is due, then the next wake-up or the verdict. */
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
            CanarySpec spec = p.spec();
            if (state == null) {
                state = p.bake().start(Instant.now());
                listener.getLogger().println(Messages.CanaryGate_Started(Durations.human(spec.bake()),
                        Durations.human(spec.interval()), spec.evaluations(), spec.canarySelector(),
                        spec.baselineSelector(), String.join(", ", spec.slos().stream().map(s -> s.name()).toList()),
                        p.connection()));
                // what this bake can decide at the recent traffic, as prodgate plan computes it
                p.bake().plan(state.startedAt()).announcement().forEach(listener.getLogger()::println);
                progress = Messages.CanaryGate_Baking(0, spec.evaluations(), state.nextEvaluationAt());
                context.saveState();
                wakeUpAt(state.nextEvaluationAt());
                return;
            }
            // Evaluate at each due point of the grid, not once at "now": after a restart this replays the missed
            // evaluations exactly as they would have happened.
            Judgement[] last = {null};
            BakeState reached;
            try {
                reached = p.bake().advance(state, Instant.now(), next -> {
                    if (isDone()) {
                        throw new Stopped();
                    }
                    if (!next.decided()) { // a decided state ends the step; it is never persisted
                        state = next;
                        context.saveState();
                    }
                }, new BakeListener() {
                    @Override
                    public void evaluated(CanaryGate.Step step) {
                        last[0] = step.judgement();
                        log(listener, spec, step);
                        progress = Messages.CanaryGate_Baking(step.state().evaluations().size(), spec.evaluations(),
                                step.nextEvaluationAt()) + " " + statusLine(step.judgement());
                    }
                });
            } catch (Stopped stopped) {
                return;
            }
            if (reached.decided()) {
                finish(run, p, reached, last[0]);
            } else if (!isDone()) {
                wakeUpAt(state.nextEvaluationAt());
            }
        } catch (AbortException e) {
            fail(e);
        } catch (Exception | LinkageError e) {
            Jenkins jenkins = Jenkins.getInstanceOrNull();
            if (jenkins == null || jenkins.isTerminating()) {
                // the controller is going down: the saved state is resumed by onResume(), so do not fail the bake
                LOGGER.log(Level.FINE, "canaryGate: Jenkins is shutting down; the bake resumes after the restart", e);
                return;
            }
            LOGGER.log(Level.FINE, "canaryGate failed", e);
            fail(e);
        }
    }

    /** Reads the gate file (once), then builds the gate and its Prometheus client (after a restart again). */
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
        Optional<CanarySpec> fromFile = file == null ? Optional.empty() : file.canary();
        CanarySpec spec = settings.spec(fromFile);
        String digest = file != null ? file.digest() : "inline:" + sha256(settings.fingerprint());
        EnvVars env = getContext().get(EnvVars.class);
        PrometheusConnection.Opened connection = PrometheusConnection.open(run, env == null ? Map.of() : env,
                gateText == null ? GATE : gateText.name(),
                file == null ? Optional.empty() : file.prometheus(), prometheusUrl, credentialsId,
                ProdgateConfiguration.get());
        ProofRequirement proof = spec.requireRollbackProof()
                ? new BuildRollbackProofs(run, spec.maxProofAge(), listener) : ProofRequirement.none();
        CanaryRun canary = CanaryRun.of(gateText == null ? GATE : gateText.name(), digest, spec);
        // the build log shows the verdict as GateOutcome publishes it, so the run itself stays silent
        CanaryRun.Bake bake = canary.bake(RunContext.builder().build(), new PrometheusEvidence(connection.client()),
                proof);
        prepared = new Prepared(canary, bake, connection.client(), connection.description());
        return prepared;
    }

    @CheckForNull
    private GateText readGateText() throws Exception {
        if (config != null && configText != null) {
            throw new AbortException(Messages.CanaryGate_ConfigOrText());
        }
        if (configText != null) {
            return new GateText("configText", configText);
        }
        if (config == null) {
            return null;
        }
        FilePath workspace = getContext().get(FilePath.class);
        if (workspace == null) {
            throw new AbortException(Messages.CanaryGate_NeedsWorkspace(config));
        }
        FilePath file = workspace.child(config);
        if (!file.exists()) {
            throw new AbortException(Messages.CanaryGate_NoSuchFile(file.getRemote()));
        }
        return new GateText(config, file.readToString());
    }

    private void finish(Run<?, ?> run, Prepared p, BakeState decided, @CheckForNull Judgement judgement) {
        if (!claimCompletion()) {
            return;
        }
        close();
        Decision decision = decided.decision();
        progress = decision.verdict().name();
        try {
            String name = "canary-" + getContext().get(FlowNode.class).getId();
            Path dir = GatesAction.reportDir(run).toPath();
            Path html = dir.resolve(name + ".html");
            Path json = dir.resolve(name + ".json");
            Map<String, Object> extra = new java.util.HashMap<>();
            extra.put("evaluations", decided.evaluations().size());
            String reportFile = html.getFileName().toString();
            try {
                CanaryReport report = p.bake().finish(decided, new ReportFiles(Optional.of(json),
                        Optional.of(dir.resolve(name + ".xml")), Optional.of(html)));
                extra.put("junitXml", JUnitXml.render(CanaryRun.JUNIT_SUITE, decision.decidedAt(),
                        report.testCases()));
            } catch (IOException e) {
                // the verdict stands without its reports: say so, and link what was written
                LOGGER.log(Level.WARNING, "canaryGate: could not write the reports of " + name, e);
                context(TaskListener.class).getLogger().println("prodgate: could not write the reports: "
                        + e.getMessage());
                reportFile = Files.exists(html) ? reportFile : Files.exists(json) ? json.getFileName().toString()
                        : null;
            }
            List<String> reasons = decision.reasons().stream().map(Reason::message).toList();
            Map<String, Object> result = GateOutcome.publish(getContext(), GATE, decision.verdict(),
                    headline(decision, judgement), reasons, reportFile, extra);
            getContext().onSuccess(result);
        } catch (Exception failedOrBroken) { // FAIL arrives here as an AbortException carrying the reasons
            getContext().onFailure(failedOrBroken);
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
    private static void log(TaskListener listener, CanarySpec spec, CanaryGate.Step step) {
        Evaluation e = step.evaluation();
        if (e == null) {
            return;
        }
        listener.getLogger().println(Messages.CanaryGate_Evaluation(step.state().evaluations().size(),
                spec.evaluations(), e.at(), Durations.human(Duration.between(e.from(), e.at())),
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
        return String.join("; ", judgement.slos().stream().map(s -> s.summary() + " [" + s.state() + "]").toList());
    }

    /** The figures of the SLO the verdict is about, e.g. for the label in the pipeline graph. */
    private static String headline(Decision decision, @CheckForNull Judgement judgement) {
        if (judgement == null || judgement.slos().isEmpty()) {
            return "";
        }
        String subject = decision.reasons().stream().map(Reason::subject).filter(s -> !s.isEmpty()).findFirst()
                .orElse(judgement.slos().get(0).name());
        return judgement.slos().stream().filter(s -> s.name().equals(subject)).findFirst()
                .map(SloStatus::summary).orElse("");
    }

    private static String sha256(String text) throws java.security.NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
