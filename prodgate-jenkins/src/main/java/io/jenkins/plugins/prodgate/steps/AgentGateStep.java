package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.FilePath;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * What {@code stagingSmoke} and {@code verifyRollback} share: short gates that run on the agent holding the workspace,
 * from a gate file there or inline text, against a target, with a timeout, leaving JUnit XML in the workspace.
 */
public abstract class AgentGateStep extends Step {
    private final String defaultJunitReport;
    private final String defaultTimeout;
    private String config;
    private String configText;
    private String target;
    private String junitReport;
    private String timeout;

    protected AgentGateStep(String defaultJunitReport, String defaultTimeout) {
        this.defaultJunitReport = defaultJunitReport;
        this.defaultTimeout = defaultTimeout;
        this.junitReport = defaultJunitReport;
        this.timeout = defaultTimeout;
    }

    @CheckForNull
    public String getConfig() {
        return config;
    }

    /** The gate file, relative to the workspace. */
    @DataBoundSetter
    public void setConfig(String config) {
        this.config = Util.fixEmptyAndTrim(config);
    }

    @CheckForNull
    public String getConfigText() {
        return configText;
    }

    /** The gate file's text, e.g. from {@code readFile} or a string in the Jenkinsfile. */
    @DataBoundSetter
    public void setConfigText(String configText) {
        this.configText = Util.fixEmpty(configText);
    }

    @CheckForNull
    public String getTarget() {
        return target;
    }

    /** Base URL for relative URLs; replaces the gate file's {@code target}. */
    @DataBoundSetter
    public void setTarget(String target) {
        this.target = Util.fixEmptyAndTrim(target);
    }

    public String getJunitReport() {
        return junitReport;
    }

    /** Where in the workspace the JUnit XML goes, for the {@code junit} step. */
    @DataBoundSetter
    public void setJunitReport(String junitReport) {
        String v = Util.fixEmptyAndTrim(junitReport);
        this.junitReport = v == null ? defaultJunitReport : v;
    }

    public String getTimeout() {
        return timeout;
    }

    /** The longest the step waits for the agent, a safety net above the gate file's own limits. */
    @DataBoundSetter
    public void setTimeout(String timeout) {
        String v = Util.fixEmptyAndTrim(timeout);
        this.timeout = v == null ? defaultTimeout : v;
    }

    /** Both steps need the workspace of a {@code node}, and show their gate file or target in the UIs. */
    public abstract static class AgentGateDescriptor extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FilePath.class, FlowNode.class);
        }

        @Override
        public String argumentsToString(@NonNull Map<String, Object> namedArgs) {
            Object config = namedArgs.get("config");
            Object target = namedArgs.get("target");
            return config != null ? config.toString() : target != null ? target.toString() : null;
        }
    }
}
