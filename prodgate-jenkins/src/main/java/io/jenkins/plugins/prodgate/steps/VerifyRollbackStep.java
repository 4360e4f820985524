package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.prodgate.gate.AgentGateFiles;
import io.jenkins.plugins.prodgate.gate.AgentGateResult;
import io.jenkins.plugins.prodgate.gate.BuildRollbackProofs;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import io.prodgate.core.run.ReportFiles;
import io.prodgate.core.run.RollbackRun;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.Verdict;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code verifyRollback}: runs the gate file's rollback action on the agent, verifies that the target reports the
 * previous version and is healthy (and rolls forward, when configured), and keeps the proof with the build, where
 * {@code canaryGate} finds it. A proven rollback is PASS; anything else fails the stage.
 */
public class VerifyRollbackStep extends AgentGateStep {
    static final String GATE = "verifyRollback";
    static final String DEFAULT_PROOF = "prodgate-reports/rollback-proof.json";
    static final String DEFAULT_JUNIT = "prodgate-reports/rollback.xml";
    static final String DEFAULT_TIMEOUT = "30m";

    private String proof = DEFAULT_PROOF;

    @DataBoundConstructor
    public VerifyRollbackStep() {
        super(DEFAULT_JUNIT, DEFAULT_TIMEOUT);
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

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(
                context,
                new RollbackOnAgent(getConfig(), getConfigText(), getTarget(), proof, getJunitReport(), Map.of()),
                getTimeout());
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
            AgentGateResult result =
                    AgentGates.runOnAgent(getContext(), GATE, gate.withEnv(env == null ? Map.of() : env), timeout);
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

        RollbackOnAgent(
                String config,
                String configText,
                String target,
                String proof,
                String junitReport,
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
                RunContext context = RunContext.builder()
                        .env(env)
                        .files(AgentGateFiles.sink(workspace))
                        .build();
                result = RollbackRun.of(file, Optional.ofNullable(target))
                        .run(context, Path.of(proof), ReportFiles.of(null, Path.of(junitReport), null));
            } catch (GateFileException e) {
                throw new AbortException(e.getMessage());
            }
            List<String> reasons =
                    result.reasons().stream().map(Reason::message).toList();
            String headline = result.proven() && result.timeToRollBack() != null
                    ? Messages.VerifyRollback_Proven(Durations.human(result.timeToRollBack()))
                    : Messages.VerifyRollback_NotProven();
            return new AgentGateResult(
                    result.proven() ? Verdict.PASS.name() : Verdict.FAIL.name(),
                    headline,
                    reasons,
                    List.of(),
                    RollbackReports.summary(result),
                    RollbackProofs.json(result),
                    RollbackReports.junit(result));
        }
    }

    @Extension
    public static final class DescriptorImpl extends AgentGateDescriptor {
        @Override
        public String getFunctionName() {
            return GATE;
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.VerifyRollbackStep_DisplayName();
        }
    }
}
