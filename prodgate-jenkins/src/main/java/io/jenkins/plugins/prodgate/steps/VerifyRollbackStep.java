package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.prodgate.gate.AgentGateFiles;
import io.jenkins.plugins.prodgate.gate.AgentGateResult;
import io.jenkins.plugins.prodgate.gate.BuildRollbackProofs;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.Verdict;
import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code verifyRollback}: runs the gate file's rollback action on the agent, verifies that the target reports the
 * previous version and is healthy (and rolls forward, when configured), and keeps the proof with the build, where
 * {@code canaryGate} finds it. A proven rollback is PASS; anything else fails the stage.
 */
public class VerifyRollbackStep extends Step {
    static final String GATE = "verifyRollback";
    static final String DEFAULT_PROOF = "prodgate-reports/rollback-proof.json";
    static final String DEFAULT_JUNIT = "prodgate-reports/rollback.xml";
    static final String DEFAULT_TIMEOUT = "30m";

    private String config;
    private String configText;
    private String target;
    private String proof = DEFAULT_PROOF;
    private String junitReport = DEFAULT_JUNIT;
    private String timeout = DEFAULT_TIMEOUT;

    @DataBoundConstructor
    public VerifyRollbackStep() {
    }

    @CheckForNull
    public String getConfig() {
        return config;
    }

    @DataBoundSetter
    public void setConfig(String config) {
        this.config = Util.fixEmptyAndTrim(config);
    }

    @CheckForNull
    public String getConfigText() {
        return configText;
    }

    @DataBoundSetter
    public void setConfigText(String configText) {
        this.configText = Util.fixEmpty(configText);
    }

    @CheckForNull
    public String getTarget() {
        return target;
    }

    @DataBoundSetter
    public void setTarget(String target) {
        this.target = Util.fixEmptyAndTrim(target);
    }

    public String getProof() {
        return proof;
    }

    /** Where in the workspace the proof is written (it is kept with the build as well). */
    @DataBoundSetter
    public void setProof(String proof) {
        String v = Util.fixEmptyAndTrim(proof);
        this.proof = v == null ? DEFAULT_PROOF : v;
    }

    public String getJunitReport() {
        return junitReport;
    }

    @DataBoundSetter
    public void setJunitReport(String junitReport) {
        String v = Util.fixEmptyAndTrim(junitReport);
        this.junitReport = v == null ? DEFAULT_JUNIT : v;
    }

    public String getTimeout() {
        return timeout;
    }

    @DataBoundSetter
    public void setTimeout(String timeout) {
        String v = Util.fixEmptyAndTrim(timeout);
        this.timeout = v == null ? DEFAULT_TIMEOUT : v;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(context, new RollbackOnAgent(config, configText, target, proof, junitReport, Map.of()),
                timeout);
    }

    /** Short and synchronous: it cannot resume after a restart; the proof it writes is what lasts. */
    private static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;
        private final transient RollbackOnAgent gate;
        private final String timeout;

        Execution(StepContext context, RollbackOnAgent gate, String timeout) {
            super(context);
            this.gate = gate;
            this.timeout = timeout;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            EnvVars env = getContext().get(EnvVars.class);
            AgentGateResult result = AgentGates.runOnAgent(getContext(), GATE,
                    gate.withEnv(env == null ? Map.of() : env), timeout);
            // kept whether proven or not: a broken rollback path must invalidate an older proof
            BuildRollbackProofs.store(getContext().get(Run.class), result.json());
            Map<String, Object> extra = new HashMap<>();
            extra.put("proofPath", gate.proof);
            extra.put("junitPath", gate.junitReport);
            extra.put("proven", Verdict.PASS.name().equals(result.verdict()));
            return AgentGates.publish(getContext(), GATE, result, extra);
        }
    }

    /** The rollback gate, run in the agent's JVM: its action and its checks go from where the pipeline is. */
    static final class RollbackOnAgent extends MasterToSlaveFileCallable<AgentGateResult> {
        private static final long serialVersionUID = 1L;
        private final String config;
        private final String configText;
        private final String target;
        private final String proof;
        private final String junitReport;
        private final HashMap<String, String> env;

        RollbackOnAgent(String config, String configText, String target, String proof, String junitReport,
                        Map<String, String> env) {
            this.config = config;
            this.configText = configText;
            this.target = target;
            this.proof = proof;
            this.junitReport = junitReport;
            this.env = new HashMap<>(env);
        }

        RollbackOnAgent withEnv(Map<String, String> newEnv) {
            return new RollbackOnAgent(config, configText, target, proof, junitReport, newEnv);
        }

        @Override
        public AgentGateResult invoke(File workspace, VirtualChannel channel) throws IOException {
            GateFile file = AgentGateFiles.load(workspace, config, configText);
            RollbackProof result;
            try {
                RollbackSpec spec = file.requireRollback();
                if (target != null) {
                    spec = spec.withTarget(target);
                }
                result = new RollbackGate(Clock.systemUTC(), env).run(file.ref(), file.prometheus(), spec);
            } catch (GateFileException e) {
                throw new AbortException(e.getMessage());
            }
            String json = RollbackProofs.json(result);
            String junit = RollbackReports.junit(result);
            AgentGateFiles.write(workspace, proof, json);
            AgentGateFiles.write(workspace, junitReport, junit);
            List<String> reasons = result.reasons().stream().map(Reason::message).toList();
            String headline = result.proven() && result.timeToRollBack() != null
                    ? Messages.VerifyRollback_Proven(Durations.human(result.timeToRollBack()))
                    : Messages.VerifyRollback_NotProven();
            return new AgentGateResult(result.proven() ? Verdict.PASS.name() : Verdict.FAIL.name(), headline,
                    reasons, List.of(), RollbackReports.summary(result), json, junit);
        }
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FilePath.class, FlowNode.class);
        }

        @Override
        public String getFunctionName() {
            return GATE;
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.VerifyRollbackStep_DisplayName();
        }

        @Override
        public String argumentsToString(@NonNull Map<String, Object> namedArgs) {
            Object config = namedArgs.get("config");
            Object target = namedArgs.get("target");
            return config != null ? config.toString() : target != null ? target.toString() : null;
        }
    }
}
