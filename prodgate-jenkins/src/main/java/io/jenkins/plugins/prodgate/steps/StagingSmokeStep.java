package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.EnvVars;
import hudson.Extension;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.gate.AgentGateFiles;
import io.jenkins.plugins.prodgate.gate.AgentGateResult;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.run.ReportFiles;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.run.SmokeOverrides;
import io.prodgate.core.run.SmokeRun;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.verdict.Reason;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * {@code stagingSmoke}: the gate file's {@code smoke} checks against staging, run on the agent that holds the
 * workspace, inside the administrator's staging budget. PASS returns, FAIL fails the stage.
 */
public class StagingSmokeStep extends AgentGateStep {
    static final String GATE = "stagingSmoke";
    static final String DEFAULT_JUNIT = "prodgate-reports/staging-smoke.xml";
    static final String DEFAULT_TIMEOUT = "10m";

    @DataBoundConstructor
    public StagingSmokeStep() {
        super(DEFAULT_JUNIT, DEFAULT_TIMEOUT);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        ProdgateConfiguration global = ProdgateConfiguration.get();
        return new Execution(
                context,
                new SmokeOnAgent(
                        getConfig(),
                        getConfigText(),
                        getTarget(),
                        getJunitReport(),
                        global.getStagingMaxChecks(),
                        global.stagingMaxDurationValue(),
                        new HashMap<>()),
                getTimeout());
    }

    /** Short and synchronous: it cannot resume after a restart; wrap it in {@code retry(conditions: [nonresumable()])}. */
    private static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;
        private final transient SmokeOnAgent gate;
        private final String timeout;

        Execution(StepContext context, SmokeOnAgent gate, String timeout) {
            super(context);
            this.gate = gate;
            this.timeout = timeout;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            EnvVars env = getContext().get(EnvVars.class);
            SmokeOnAgent withEnv = gate.withEnv(env == null ? Map.of() : env);
            AgentGateResult result = AgentGates.runOnAgent(getContext(), GATE, withEnv, timeout);
            return AgentGates.publish(getContext(), GATE, result, Map.of("junitPath", gate.junitReport));
        }
    }

    /** The smoke gate, run in the agent's JVM so commands and HTTP checks go from where the pipeline is. */
    static final class SmokeOnAgent extends MasterToSlaveFileCallable<AgentGateResult> {
        private static final long serialVersionUID = 1L;
        private final String config;
        private final String configText;
        private final String target;
        private final String junitReport;
        private final int maxChecks;
        private final Duration maxDuration;
        private final HashMap<String, String> env;

        SmokeOnAgent(
                String config,
                String configText,
                String target,
                String junitReport,
                int maxChecks,
                Duration maxDuration,
                Map<String, String> env) {
            this.config = config;
            this.configText = configText;
            this.target = target;
            this.junitReport = junitReport;
            this.maxChecks = maxChecks;
            this.maxDuration = maxDuration;
            this.env = new HashMap<>(env);
        }

        SmokeOnAgent withEnv(Map<String, String> newEnv) {
            return new SmokeOnAgent(config, configText, target, junitReport, maxChecks, maxDuration, newEnv);
        }

        @Override
        public AgentGateResult invoke(File workspace, VirtualChannel channel) throws IOException {
            GateFile file = AgentGateFiles.load(workspace, config, configText);
            SmokeResult result;
            try {
                // The gate file's budget, but never looser than the administrator's.
                SmokeOverrides overrides =
                        SmokeOverrides.none().withTarget(target).withBudgetCeiling(maxChecks, maxDuration);
                RunContext context = RunContext.builder()
                        .env(env)
                        .files(AgentGateFiles.sink(workspace))
                        .build();
                result = SmokeRun.of(file, overrides).run(context, ReportFiles.of(null, Path.of(junitReport), null));
            } catch (GateFileException e) {
                throw new hudson.AbortException(e.getMessage());
            }
            long passed = result.checks().stream().filter(c -> c.passed()).count();
            return new AgentGateResult(
                    result.verdict().name(),
                    Messages.StagingSmoke_Headline(passed, result.checks().size()),
                    result.reasons().stream().map(Reason::message).toList(),
                    result.warnings().stream().map(Reason::message).toList(),
                    SmokeReports.summary(result),
                    SmokeReports.json(result),
                    SmokeReports.junit(result));
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
            return Messages.StagingSmokeStep_DisplayName();
        }
    }
}
